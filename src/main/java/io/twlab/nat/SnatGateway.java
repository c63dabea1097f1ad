package io.twlab.nat;

import io.twlab.engine.Simulator;
import io.twlab.kernel.NatPortAllocation;
import io.twlab.net.NetNode;
import io.twlab.net.Packet;
import io.twlab.net.TupleTable;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;

import java.util.SplittableRandom;

import static io.twlab.net.Seq.after;

/**
 * A source-NAT gateway: connections from inside hosts leave from one of its public addresses with a port its
 * allocator picks; replies are translated back. Mappings live as long as their conntrack-like state says.
 */
public final class SnatGateway extends NetNode {
    private static final int EV_SWEEP = 1;
    private static final long SWEEP_INTERVAL_NS = 10 * Simulator.NS_PER_SEC;
    /** nf_nat: tries before giving up (bounded search, 5.0+) and the eviction window (NF_NAT_HARDER_THRESH). */
    private static final int LINUX_MAX_ATTEMPTS = 128;
    private static final int LINUX_HARDER_THRESHOLD = 32;

    private final Simulator sim;
    private final int[] publicIps;
    private final int portLow;
    private final int portHigh;
    private final PortAllocation allocation;
    private final NatPortAllocation linuxAlgorithm;
    private final boolean linuxRandomFlag;
    private final NatTimeouts timeouts;
    private final SplittableRandom random;
    private final IntOpenHashSet insideAddresses = new IntOpenHashSet();
    private final TupleTable<NatFlow> byInside = new TupleTable<>();
    private final TupleTable<NatFlow> byOutside = new TupleTable<>();
    private long cursor;
    private int linuxRover;
    private boolean sweepScheduled;

    private final long[] verdicts = new long[NatVerdict.values().length];
    private long evictions;
    private boolean dropInvalid;
    private NatFlow explainedFlow;
    private String explainedStateBefore;
    /** When each (public address, port) was last handed out, +1 so that 0 means never; indexed address * 65536 + port. */
    private final long[] lastAllocatedAt;
    private long minReuseAgeSinceSample = Long.MAX_VALUE;
    private long reusesSinceSample;

    public SnatGateway(Simulator sim, String name, int[] publicIps, int portLow, int portHigh,
                       PortAllocation allocation, NatPortAllocation linuxAlgorithm, boolean linuxRandomFlag,
                       NatTimeouts timeouts, SplittableRandom random) {
        super(name);
        this.sim = sim;
        this.publicIps = publicIps.clone();
        this.portLow = portLow;
        this.portHigh = portHigh;
        this.allocation = allocation;
        this.linuxAlgorithm = linuxAlgorithm;
        this.linuxRandomFlag = linuxRandomFlag;
        this.timeouts = timeouts;
        this.random = random;
        this.lastAllocatedAt = new long[publicIps.length << 16];
    }

    /**
     * The shortest time since a public port was last handed out, over the ports handed out again since the last
     * call, in ns (-1 when none was); resets the sample. This age against the servers' TIME_WAIT lifetime is the
     * PAWS margin of seed 000.
     */
    public long takeMinReuseAgeNs() {
        long age = reusesSinceSample == 0 ? -1 : minReuseAgeSinceSample;
        minReuseAgeSinceSample = Long.MAX_VALUE;
        reusesSinceSample = 0;
        return age;
    }

    public String allocationName() {
        return allocation.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public int portLow() {
        return portLow;
    }

    public int portHigh() {
        return portHigh;
    }

    public int[] publicAddresses() {
        return publicIps.clone();
    }

    /**
     * Drop what conntrack marks INVALID (iptables -m conntrack --ctstate INVALID -j DROP). Modelled case: a reply
     * that is neither SYN-ACK nor RST while the flow waits for the SYN-ACK (nf_conntrack_proto_tcp: reply ACK in
     * SYN_SENT) - the stale ACK a TIME_WAIT sends for a PAWS-rejected SYN, so the client never resets it.
     */
    public void setDropInvalid(boolean on) {
        this.dropInvalid = on;
    }

    public long droppedInvalid() {
        return verdicts(NatVerdict.INVALID_DROPPED);
    }

    /** How many packets ended in {@code v}. */
    public long verdicts(NatVerdict v) {
        return verdicts[v.ordinal()];
    }

    public void addInsideAddress(int ip) {
        insideAddresses.add(ip);
    }

    @Override
    public int[] ownedAddresses() {
        return publicIps.clone();
    }

    public long flowsCreated() {
        return verdicts(NatVerdict.NEW_MAPPING);
    }

    public long allocationFailures() {
        return verdicts(NatVerdict.NO_FREE_PORT);
    }

    public long droppedNoMapping() {
        return verdicts(NatVerdict.NO_MAPPING) + verdicts(NatVerdict.REPLY_NO_MAPPING);
    }

    public long evictions() {
        return evictions;
    }

    public long mappingsReused() {
        return verdicts(NatVerdict.CLOSED_MAPPING_REUSED);
    }

    public int activeMappings() {
        return byInside.size();
    }

    @Override
    protected void receive(Simulator sim, Packet p) {
        explainedFlow = null;
        explainedStateBefore = "none";
        NatVerdict v;
        if (isPublic(p.dstIp)) {
            v = fromOutside(p);
        } else if (insideAddresses.contains(p.srcIp)) {
            v = fromInside(p);
        } else {
            forward(sim, p);
            v = NatVerdict.ROUTED;
        }
        verdicts[v.ordinal()]++;
        if (explaining()) {
            explain(v.name(), v.kernelFunction(), "mapping " + explainedStateBefore,
                    "mapping " + (explainedFlow == null ? "none" : explainedFlow.state.name()));
        }
    }

    /** For --explain: the mapping a packet met and its conntrack state before the packet. */
    private void noteFlow(NatFlow f) {
        if (explaining()) {
            explainedFlow = f;
            explainedStateBefore = f == null ? "none" : f.state.name();
        }
    }

    private boolean isPublic(int ip) {
        for (int a : publicIps) {
            if (a == ip) {
                return true;
            }
        }
        return false;
    }

    private NatVerdict fromInside(Packet p) {
        long now = sim.now();
        long a = TupleTable.key1(p.srcIp, p.srcPort, p.dstPort);
        long b = p.dstIp & 0xffffffffL;
        NatFlow f = live(byInside.get(a, b), now);
        boolean syn = p.has(Packet.SYN) && !p.has(Packet.ACK);
        NatVerdict verdict = NatVerdict.TRANSLATED;
        noteFlow(f);
        if (f != null && syn && f.state.closed()) {
            if (allocation == PortAllocation.LINUX) {
                // nf_conntrack_tcp: a SYN on a closed entry kills it and NAT is done again (new port).
                remove(f);
                f = null;
            } else {
                verdict = NatVerdict.CLOSED_MAPPING_REUSED;
                f.finFromInside = false;
                f.finFromOutside = false;
                f.state = NatTcpState.SYN_SENT;
            }
        }
        if (f == null) {
            if (!syn) {
                return NatVerdict.NO_MAPPING;
            }
            f = allocate(p, now);
            if (f == null) {
                return NatVerdict.NO_FREE_PORT;
            }
            verdict = NatVerdict.NEW_MAPPING;
            if (explaining()) {
                explainedFlow = f;
            }
        }
        trackInside(f, p, now);
        p.srcIp = f.publicIp;
        p.srcPort = f.publicPort;
        forward(sim, p);
        return verdict;
    }

    private NatVerdict fromOutside(Packet p) {
        long now = sim.now();
        NatFlow f = live(byOutside.get(TupleTable.key1(p.dstIp, p.dstPort, p.srcPort), p.srcIp & 0xffffffffL), now);
        noteFlow(f);
        if (f == null) {
            return NatVerdict.REPLY_NO_MAPPING;
        }
        if (dropInvalid && f.state == NatTcpState.SYN_SENT && !p.has(Packet.RST)
                && !(p.has(Packet.SYN) && p.has(Packet.ACK))) {
            return NatVerdict.INVALID_DROPPED;
        }
        trackOutside(f, p, now);
        p.dstIp = f.innerIp;
        p.dstPort = f.innerPort;
        forward(sim, p);
        return NatVerdict.REPLY_TRANSLATED;
    }

    private NatFlow live(NatFlow f, long now) {
        if (f != null && f.expiresAt <= now) {
            remove(f);
            return null;
        }
        return f;
    }

    private void remove(NatFlow f) {
        byInside.remove(TupleTable.key1(f.innerIp, f.innerPort, f.remotePort), f.remoteIp & 0xffffffffL);
        byOutside.remove(TupleTable.key1(f.publicIp, f.publicPort, f.remotePort), f.remoteIp & 0xffffffffL);
    }

    private void setState(NatFlow f, NatTcpState s, long now) {
        f.state = s;
        f.expiresAt = now + timeouts.of(s);
    }

    private void trackInside(NatFlow f, Packet p, long now) {
        int end = p.endSeq();
        if (f.state == NatTcpState.SYN_SENT && p.has(Packet.SYN) || after(end, f.insideSeqEnd)) {
            f.insideSeqEnd = end;
        }
        if (p.has(Packet.RST)) {
            setState(f, NatTcpState.CLOSE, now);
        } else if (p.has(Packet.SYN)) {
            setState(f, NatTcpState.SYN_SENT, now);
        } else if (p.has(Packet.FIN)) {
            f.finFromInside = true;
            setState(f, f.finFromOutside ? NatTcpState.LAST_ACK : NatTcpState.FIN_WAIT, now);
        } else {
            advanceOnAck(f, now);
        }
    }

    private void trackOutside(NatFlow f, Packet p, long now) {
        if (p.has(Packet.RST)) {
            setState(f, NatTcpState.CLOSE, now);
        } else if (p.has(Packet.SYN)) {
            setState(f, NatTcpState.SYN_RECV, now);
        } else if (p.has(Packet.FIN)) {
            f.finFromOutside = true;
            setState(f, f.finFromInside ? NatTcpState.LAST_ACK : NatTcpState.CLOSE_WAIT, now);
        } else {
            advanceOnAck(f, now);
        }
    }

    private void advanceOnAck(NatFlow f, long now) {
        switch (f.state) {
            case SYN_RECV -> setState(f, NatTcpState.ESTABLISHED, now);
            case LAST_ACK -> setState(f, NatTcpState.TIME_WAIT, now);
            case ESTABLISHED, FIN_WAIT, CLOSE_WAIT -> setState(f, f.state, now);
            default -> {
            }
        }
    }

    // ---- port allocation ----

    private NatFlow allocate(Packet p, long now) {
        NatFlow f = switch (allocation) {
            case ROUND_ROBIN -> allocateRoundRobin(p, now);
            case RANDOM -> allocateRandom(p, now);
            case LINUX -> allocateLinux(p, now);
        };
        if (f != null) {
            noteReuse(f.publicIp, f.publicPort, now);
            f.insideSeqEnd = p.seq;
            setState(f, NatTcpState.SYN_SENT, now);
            byInside.put(TupleTable.key1(f.innerIp, f.innerPort, f.remotePort), f.remoteIp & 0xffffffffL, f);
            byOutside.put(TupleTable.key1(f.publicIp, f.publicPort, f.remotePort), f.remoteIp & 0xffffffffL, f);
            scheduleSweep();
        }
        return f;
    }

    private void noteReuse(int publicIp, int port, long now) {
        int a = 0;
        while (publicIps[a] != publicIp) {
            a++;
        }
        int slot = a << 16 | port;
        long last = lastAllocatedAt[slot];
        if (last != 0) {
            reusesSinceSample++;
            minReuseAgeSinceSample = Math.min(minReuseAgeSinceSample, now - (last - 1));
        }
        lastAllocatedAt[slot] = now + 1;
    }

    private int rangeSize() {
        return portHigh - portLow + 1;
    }

    private boolean used(int publicIp, int port, Packet p, long now) {
        return live(byOutside.get(TupleTable.key1(publicIp, port, p.dstPort), p.dstIp & 0xffffffffL), now) != null;
    }

    private NatFlow flowFor(Packet p, int publicIp, int port) {
        return new NatFlow(p.srcIp, p.srcPort, p.dstIp, p.dstPort, publicIp, port);
    }

    /** Walks (port, address) pairs in order, addresses alternating fastest, and takes the next free one. */
    private NatFlow allocateRoundRobin(Packet p, long now) {
        long i = firstFree(p, now, cursor);
        if (i < 0) {
            return null;
        }
        cursor = (i + 1) % ((long) rangeSize() * publicIps.length);
        return flowAt(p, i);
    }

    private NatFlow allocateRandom(Packet p, long now) {
        long i = firstFree(p, now, random.nextLong((long) rangeSize() * publicIps.length));
        return i < 0 ? null : flowAt(p, i);
    }

    /**
     * Index of the first free (port, address) pair at or after {@code start}, wrapping once around the range
     * (index i is address i mod n, port low + i / n); -1 when every pair is in use.
     */
    private long firstFree(Packet p, long now, long start) {
        long total = (long) rangeSize() * publicIps.length;
        for (long tries = 0; tries < total; tries++) {
            long i = (start + tries) % total;
            if (!used(publicIps[(int) (i % publicIps.length)], portLow + (int) (i / publicIps.length), p, now)) {
                return i;
            }
        }
        return -1;
    }

    private NatFlow flowAt(Packet p, long i) {
        return flowFor(p, publicIps[(int) (i % publicIps.length)], portLow + (int) (i / publicIps.length));
    }

    /**
     * nf_nat get_unique_tuple(): the address is a hash of (source, destination) (find_best_ips_proto); the
     * original port is kept if it is in range and free (unless a random flag is set); otherwise the
     * kernel version's search.
     */
    private NatFlow allocateLinux(Packet p, long now) {
        int ip = publicIps[Math.floorMod((int) io.twlab.engine.RandomStreams.mix(
                ((long) p.srcIp << 32) ^ (p.dstIp & 0xffffffffL)), publicIps.length)];
        if (!linuxRandomFlag && p.srcPort >= portLow && p.srcPort <= portHigh && !used(ip, p.srcPort, p, now)) {
            return flowFor(p, ip, p.srcPort);
        }
        int range = rangeSize();
        if (linuxAlgorithm == NatPortAllocation.ROVER) {
            int off = linuxRandomFlag ? random.nextInt(range) : linuxRover;
            for (int i = 0; i < range; i++, off++) {
                int port = portLow + Math.floorMod(off, range);
                if (!used(ip, port, p, now)) {
                    if (!linuxRandomFlag) {
                        linuxRover = off;
                    }
                    return flowFor(p, ip, port);
                }
            }
            return null;
        }
        boolean evict = linuxAlgorithm == NatPortAllocation.RANDOM_BOUNDED_EVICT_TIME_WAIT;
        int attempts = Math.min(range, LINUX_MAX_ATTEMPTS);
        int off = random.nextInt(65536);
        while (true) {
            for (int i = 0; i < attempts; i++, off++) {
                int port = portLow + Math.floorMod(off, range);
                NatFlow clash = live(byOutside.get(TupleTable.key1(ip, port, p.dstPort), p.dstIp & 0xffffffffL), now);
                if (clash == null) {
                    return flowFor(p, ip, port);
                }
                // nf_nat_used_tuple_harder(): in the last tries, a closed entry is evicted for a newer SYN.
                if (evict && attempts - i <= LINUX_HARDER_THRESHOLD && clash.state.closed()
                        && after(p.seq, clash.insideSeqEnd)) {
                    remove(clash);
                    evictions++;
                    return flowFor(p, ip, port);
                }
            }
            if (attempts >= range || attempts < 16) {
                return null;
            }
            attempts /= 2;
            off = random.nextInt(65536);
        }
    }

    // ---- expiry sweep: mappings are checked lazily; the sweep only returns memory ----

    private void scheduleSweep() {
        if (!sweepScheduled) {
            sweepScheduled = true;
            sim.after(SWEEP_INTERVAL_NS, this, EV_SWEEP, 0, null);
        }
    }

    @Override
    protected void onTimer(Simulator sim, int kind, long arg, Object payload) {
        sweepScheduled = false;
        long now = sim.now();
        byInside.removeIf(f -> f.expiresAt <= now, this::remove);
        if (byInside.size() > 0) {
            scheduleSweep();
        }
    }
}
