package io.twlab.nat;

import io.twlab.kernel.NatPortAllocation;
import io.twlab.net.Ipv4;
import io.twlab.net.Packet;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Each SNAT port allocator on its own table, with the pairs it hands out checked one by one. */
class PortAllocatorTest {
    private static final int A = (int) Ipv4.parse("20.1.1.1");
    private static final int B = (int) Ipv4.parse("20.1.1.2");
    private static final int INSIDE = (int) Ipv4.parse("10.0.0.1");
    private static final int VIP = (int) Ipv4.parse("30.1.1.1");
    private static final long NOW = 0;

    private static Packet syn(int srcIp, int srcPort, int seq) {
        Packet p = new Packet();
        p.srcIp = srcIp;
        p.srcPort = srcPort;
        p.dstIp = VIP;
        p.dstPort = 443;
        p.flags = Packet.SYN;
        p.seq = seq;
        return p;
    }

    /** Allocates and enters the mapping as the gateway does; returns it (null when none was free). */
    private static NatFlow take(PortAllocator a, NatFlowTable t, Packet p, NatTcpState state) {
        NatFlow f = a.allocate(p, NOW);
        if (f != null) {
            f.state = state;
            f.expiresAt = Long.MAX_VALUE;
            f.insideSeqEnd = p.seq;
            t.insert(f);
        }
        return f;
    }

    private static String pair(NatFlow f) {
        return f == null ? "none" : Ipv4.format(f.publicIp) + ":" + f.publicPort;
    }

    // ---- round robin (seed 000's firewall) ----

    /** Pairs in order with the addresses alternating fastest, then none; a freed pair is found on the next lap. */
    @Test
    void roundRobinWalksPortsWithAddressesAlternatingAndWraps() {
        NatFlowTable t = new NatFlowTable();
        RoundRobinPorts rr = new RoundRobinPorts(new int[]{A, B}, 2048, 2050, t);
        StringBuilder got = new StringBuilder();
        NatFlow[] flows = new NatFlow[6];
        for (int i = 0; i < 6; i++) {
            flows[i] = take(rr, t, syn(INSIDE, 40000 + i, 1), NatTcpState.ESTABLISHED);
            got.append(pair(flows[i])).append(' ');
        }
        assertThat(got.toString().strip()).isEqualTo("20.1.1.1:2048 20.1.1.2:2048 20.1.1.1:2049 20.1.1.2:2049 "
                + "20.1.1.1:2050 20.1.1.2:2050");
        assertThat(take(rr, t, syn(INSIDE, 40006, 1), NatTcpState.ESTABLISHED)).isNull();
        t.remove(flows[2]);
        // The cursor stands at index 0 after the lap; the first free pair from there is index 2: A:2049.
        assertThat(pair(take(rr, t, syn(INSIDE, 40007, 1), NatTcpState.ESTABLISHED))).isEqualTo("20.1.1.1:2049");
    }

    /**
     * Seed 000's arithmetic: one address, 2048-65535 is 63,488 ports, so the cursor hands a port out again after
     * exactly 63,488 new connections whatever the rate (at 564 conn/s: 63,488 / 564 = 112.6 s).
     */
    @Test
    void roundRobinHandsAPortOutAgainAfterOneLapOfTheRange() {
        NatFlowTable t = new NatFlowTable();
        RoundRobinPorts rr = new RoundRobinPorts(new int[]{A}, 2048, 65535, t);
        int first = rr.allocate(syn(INSIDE, 1, 1), NOW).publicPort;
        int n = 1;
        int port;
        do {
            port = rr.allocate(syn(INSIDE, 1, 1), NOW).publicPort; // nothing enters the table: every port is free
            n++;
        } while (port != first);
        assertThat(first).isEqualTo(2048);
        assertThat(n - 1).isEqualTo(65535 - 2048 + 1);
    }

    /** A pair is busy only toward the same remote address and port. */
    @Test
    void aPairInUseTowardOneServerIsFreeTowardAnother() {
        NatFlowTable t = new NatFlowTable();
        RoundRobinPorts rr = new RoundRobinPorts(new int[]{A}, 2048, 2048, t);
        assertThat(take(rr, t, syn(INSIDE, 1, 1), NatTcpState.ESTABLISHED)).isNotNull();
        Packet other = syn(INSIDE, 2, 1);
        other.dstPort = 80;
        assertThat(pair(take(rr, t, other, NatTcpState.ESTABLISHED))).isEqualTo("20.1.1.1:2048");
        assertThat(take(rr, t, syn(INSIDE, 3, 1), NatTcpState.ESTABLISHED)).isNull();
    }

    // ---- random ----

    @Test
    void randomHandsOutEveryFreePairOnceThenNone() {
        NatFlowTable t = new NatFlowTable();
        RandomPorts r = new RandomPorts(new int[]{A, B}, 5000, 5001, t, new SplittableRandom(7));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            NatFlow f = take(r, t, syn(INSIDE, 40000 + i, 1), NatTcpState.ESTABLISHED);
            assertThat(f.publicPort).isBetween(5000, 5001);
            seen.add(pair(f));
        }
        assertThat(seen).hasSize(4);
        assertThat(take(r, t, syn(INSIDE, 40004, 1), NatTcpState.ESTABLISHED)).isNull();
    }

    // ---- Linux nf_nat ----

    private static LinuxNatPorts linux(NatFlowTable t, int low, int high, NatPortAllocation algorithm,
                                       NatRandomFlag randomFlag) {
        return new LinuxNatPorts(new int[]{A}, low, high, t, algorithm, randomFlag, new SplittableRandom(3));
    }

    /** get_unique_tuple(): the source port is kept when it is in range and free. */
    @Test
    void linuxKeepsTheOriginalPortWhenFree() {
        NatFlowTable t = new NatFlowTable();
        LinuxNatPorts n = linux(t, 1024, 65535, NatPortAllocation.RANDOM_BOUNDED, NatRandomFlag.NONE);
        assertThat(take(n, t, syn(INSIDE, 40000, 1), NatTcpState.ESTABLISHED).publicPort).isEqualTo(40000);
        // A second inside host with the same port toward the same server cannot keep it.
        int other = (int) Ipv4.parse("10.0.0.2");
        assertThat(take(n, t, syn(other, 40000, 1), NatTcpState.ESTABLISHED).publicPort).isNotEqualTo(40000);
    }

    /** NF_NAT_RANGE_PROTO_RANDOM(_FULLY): the original port is not tried first. */
    @Test
    void linuxWithARandomFlagDoesNotKeepTheOriginalPort() {
        NatFlowTable t = new NatFlowTable();
        LinuxNatPorts n = linux(t, 1024, 1027, NatPortAllocation.ROVER, NatRandomFlag.FULLY_RANDOM);
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            // Each SYN comes from port 1024, in range: without the flag every one would first try 1024.
            NatFlow f = take(n, t, syn((int) Ipv4.parse("10.0.0." + (i + 1)), 1024, 1), NatTcpState.ESTABLISHED);
            ports.add(f.publicPort);
        }
        assertThat(ports).containsExactlyInAnyOrder(1024, 1025, 1026, 1027);
    }

    /**
     * Before 5.0, {@code random} starts at a keyed hash of (source address, destination address and port): every
     * connection of one inside host to one server starts at the same offset and takes the first free port from
     * there, so consecutive connections get consecutive ports; another server gives another offset.
     */
    @Test
    void linuxRandomBeforeFiveZeroStartsAtAHashOfTheAddresses() {
        NatFlowTable t = new NatFlowTable();
        LinuxNatPorts n = linux(t, 1024, 65535, NatPortAllocation.ROVER, NatRandomFlag.RANDOM);
        int first = take(n, t, syn(INSIDE, 5000, 1), NatTcpState.ESTABLISHED).publicPort;
        int second = take(n, t, syn(INSIDE, 5001, 1), NatTcpState.ESTABLISHED).publicPort;
        int third = take(n, t, syn(INSIDE, 5002, 1), NatTcpState.ESTABLISHED).publicPort;
        int range = 65535 - 1024 + 1;
        assertThat(Math.floorMod(second - first, range)).isEqualTo(1);
        assertThat(Math.floorMod(third - first, range)).isEqualTo(2);
        Packet toAnother = syn(INSIDE, 5003, 1);
        toAnother.dstPort = 80;
        int elsewhere = take(n, t, toAnother, NatTcpState.ESTABLISHED).publicPort;
        assertThat(elsewhere).isNotIn(first, second, third, first + 3);
    }

    /** Before 5.0 (nf_nat_proto_common.c): a shared rover walks the range from where it last stopped. */
    @Test
    void linuxRoverWalksTheRangeInOrder() {
        NatFlowTable t = new NatFlowTable();
        LinuxNatPorts n = linux(t, 1024, 1026, NatPortAllocation.ROVER, NatRandomFlag.NONE);
        // Source port 5000 is out of range, so the rover decides: 1024, 1025, 1026, then none.
        StringBuilder got = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            got.append(pair(take(n, t, syn((int) Ipv4.parse("10.0.0." + (i + 1)), 5000, 1),
                    NatTcpState.ESTABLISHED))).append(' ');
        }
        assertThat(got.toString().strip()).isEqualTo("20.1.1.1:1024 20.1.1.1:1025 20.1.1.1:1026 none");
    }

    /** 5.0+: a range smaller than 128 tries is searched once in full; when all of it is in use, none. */
    @Test
    void linuxBoundedRandomGivesUpWhenTheRangeIsFull() {
        NatFlowTable t = new NatFlowTable();
        LinuxNatPorts n = linux(t, 1024, 1026, NatPortAllocation.RANDOM_BOUNDED, NatRandomFlag.NONE);
        for (int i = 0; i < 3; i++) {
            assertThat(take(n, t, syn((int) Ipv4.parse("10.0.0." + (i + 1)), 5000, 1), NatTcpState.ESTABLISHED))
                    .isNotNull();
        }
        assertThat(take(n, t, syn((int) Ipv4.parse("10.0.0.9"), 5000, 1), NatTcpState.ESTABLISHED)).isNull();
        assertThat(n.evictions()).isZero();
    }

    /**
     * 5.9+ nf_nat_used_tuple_harder(): in the last 32 tries a closed entry (TIME_WAIT/CLOSE) is evicted for a SYN
     * whose sequence is after the old connection's end; an open one, or an older sequence, is not.
     */
    @Test
    void linuxFromFiveNineEvictsAClosedEntryForANewerSyn() {
        NatFlowTable t = new NatFlowTable();
        LinuxNatPorts n = linux(t, 1024, 1024, NatPortAllocation.RANDOM_BOUNDED_EVICT_TIME_WAIT, NatRandomFlag.NONE);
        NatFlow old = take(n, t, syn(INSIDE, 5000, 1_000), NatTcpState.TIME_WAIT);
        assertThat(old.publicPort).isEqualTo(1024);
        int other = (int) Ipv4.parse("10.0.0.2");
        assertThat(take(n, t, syn(other, 5000, 500), NatTcpState.SYN_SENT)).as("older sequence").isNull();
        NatFlow fresh = take(n, t, syn(other, 5000, 2_000), NatTcpState.SYN_SENT);
        assertThat(pair(fresh)).isEqualTo("20.1.1.1:1024");
        assertThat(n.evictions()).isEqualTo(1);
        // The fresh mapping is open: a third SYN cannot evict it.
        assertThat(take(n, t, syn((int) Ipv4.parse("10.0.0.3"), 5000, 9_000), NatTcpState.SYN_SENT)).isNull();
    }
}
