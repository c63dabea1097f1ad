package io.twlab.nat;

import io.twlab.engine.RandomStreams;
import io.twlab.kernel.NatPortAllocation;
import io.twlab.net.Packet;

import java.util.SplittableRandom;

import static io.twlab.net.Seq.after;

/**
 * Linux nf_nat get_unique_tuple() (nf_nat_core.c): the address is a hash of (source, destination)
 * (find_best_ips_proto); the original port is kept if it is in range and free, unless a random flag is set
 * ({@link NatRandomFlag});
 * otherwise the gateway kernel's search (nf_nat_l4proto_unique_tuple): before 5.0 a shared rover walks the range;
 * from 5.0 a random offset and at most 128 tries, halved while above 16; from 5.9 the last 32 tries may evict a
 * closed entry for a newer SYN (nf_nat_used_tuple_harder).
 */
final class LinuxNatPorts extends PortAllocator {
    private static final int MAX_ATTEMPTS = 128;
    private static final int HARDER_THRESHOLD = 32;
    private static final int MIN_ATTEMPTS = 16;

    private final NatPortAllocation algorithm;
    private final NatRandomFlag randomFlag;
    /** The keyed hash behind {@code random}'s offset (secure_port's secret). */
    private final long portSecret;
    private final SplittableRandom random;
    private int rover;
    private long evictions;

    LinuxNatPorts(int[] publicIps, int portLow, int portHigh, NatFlowTable table, NatPortAllocation algorithm,
                  NatRandomFlag randomFlag, SplittableRandom random) {
        super(publicIps, portLow, portHigh, table);
        this.algorithm = algorithm;
        this.randomFlag = randomFlag;
        this.random = random;
        this.portSecret = algorithm == NatPortAllocation.ROVER && randomFlag == NatRandomFlag.RANDOM ? random.nextLong() : 0;
    }

    /** Closed entries evicted by nf_nat_used_tuple_harder. */
    long evictions() {
        return evictions;
    }

    @Override
    int sharedState() {
        return rover;
    }

    @Override
    void restoreSharedState(int state) {
        rover = state;
    }

    @Override
    NatFlow allocate(Packet p, long now) {
        int ip = publicIps[Math.floorMod((int) RandomStreams.mix(((long) p.srcIp << 32) ^ (p.dstIp & 0xffffffffL)),
                publicIps.length)];
        if (randomFlag == NatRandomFlag.NONE && p.srcPort >= portLow && p.srcPort <= portHigh && !used(ip, p.srcPort, p, now)) {
            return flowFor(p, ip, p.srcPort);
        }
        return algorithm == NatPortAllocation.ROVER ? rover(p, ip, now) : boundedRandom(p, ip, now);
    }

    /** Before 5.0: from the flag's offset, the first free port; only an unflagged search moves the shared rover. */
    private NatFlow rover(Packet p, int ip, long now) {
        int range = rangeSize();
        int off = switch (randomFlag) {
            case NONE -> rover;
            case RANDOM -> (int) RandomStreams.mix(portSecret ^ ((long) p.srcIp << 32) ^ (p.dstIp & 0xffffffffL)
                    ^ ((long) p.dstPort << 48));
            case FULLY_RANDOM -> random.nextInt(range);
        };
        for (int i = 0; i < range; i++, off++) {
            int port = portLow + Math.floorMod(off, range);
            if (!used(ip, port, p, now)) {
                if (randomFlag == NatRandomFlag.NONE) {
                    rover = off;
                }
                return flowFor(p, ip, port);
            }
        }
        return null;
    }

    private NatFlow boundedRandom(Packet p, int ip, long now) {
        int range = rangeSize();
        boolean evict = algorithm == NatPortAllocation.RANDOM_BOUNDED_EVICT_TIME_WAIT;
        int attempts = Math.min(range, MAX_ATTEMPTS);
        int off = random.nextInt(65536);
        while (true) {
            for (int i = 0; i < attempts; i++, off++) {
                int port = portLow + Math.floorMod(off, range);
                NatFlow clash = table.fromOutside(ip, port, p.dstIp, p.dstPort, now);
                if (clash == null) {
                    return flowFor(p, ip, port);
                }
                if (evict && attempts - i <= HARDER_THRESHOLD && clash.state.closed()
                        && after(p.seq, clash.insideSeqEnd)) {
                    table.remove(clash);
                    evictions++;
                    return flowFor(p, ip, port);
                }
            }
            if (attempts >= range || attempts < MIN_ATTEMPTS) {
                return null;
            }
            attempts /= 2;
            off = random.nextInt(65536);
        }
    }
}
