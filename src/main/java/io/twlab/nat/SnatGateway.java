package io.twlab.nat;

import io.twlab.engine.Simulator;
import io.twlab.kernel.JiffyClock;
import io.twlab.kernel.NatPortAllocation;
import io.twlab.net.NetNode;
import io.twlab.net.Packet;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A source-NAT gateway: connections from inside hosts leave from one of its public addresses with a port its
 * allocator picks; replies are translated back. Mappings live as long as their conntrack-like state says. This
 * class dispatches; the table, the state tracking, each allocator and the reuse-age sample have their own file.
 */
public final class SnatGateway extends NetNode {
    private static final int EV_SWEEP = 1;
    /** How often expired mappings' memory is returned; lookups never see them either way. */
    private static final long SWEEP_INTERVAL_NS = 10 * Simulator.NS_PER_SEC;

    private final Simulator sim;
    private final int[] publicIps;
    private final int portLow;
    private final int portHigh;
    private final PortAllocation allocation;
    private final NatFlowTable table = new NatFlowTable();
    private final NatFlowTracking tracking;
    private final PortAllocator allocator;
    private final PortReuseAges reuseAges;
    private final IntOpenHashSet insideAddresses = new IntOpenHashSet();
    private final long[] verdicts = new long[NatVerdict.values().length];
    /** The insert race of a gateway with several CPUs, or null with one. */
    private InsertRace race;
    /** nf_conntrack_max, or null when the table is unbounded. */
    private ConntrackLimit limit;
    private boolean sweepScheduled;
    private boolean dropInvalid;
    private NatFlow explainedFlow;
    private String explainedStateBefore;

    public SnatGateway(Simulator sim, String name, int[] publicIps, int portLow, int portHigh,
                       PortAllocation allocation, NatPortAllocation linuxAlgorithm, NatRandomFlag linuxRandomFlag,
                       NatTimeouts timeouts, JiffyClock clock, SplittableRandom random) {
        super(name);
        this.sim = sim;
        this.publicIps = publicIps.clone();
        this.portLow = portLow;
        this.portHigh = portHigh;
        this.allocation = allocation;
        this.tracking = new NatFlowTracking(timeouts, clock, table);
        this.reuseAges = new PortReuseAges(publicIps);
        this.allocator = switch (allocation) {
            case ROUND_ROBIN -> new RoundRobinPorts(publicIps, portLow, portHigh, table);
            case RANDOM -> new RandomPorts(publicIps, portLow, portHigh, table, random);
            case LINUX -> new LinuxNatPorts(publicIps, portLow, portHigh, table, linuxAlgorithm, linuxRandomFlag,
                    random);
        };
    }

    /**
     * The shortest time since a public port was last handed out, over the ports handed out again since the last
     * call, in ns (-1 when none was); resets the sample.
     */
    public long takeMinReuseAgeNs() {
        return reuseAges.takeMinAgeNs();
    }

    public String allocationName() {
        return allocation.name().toLowerCase(Locale.ROOT).replace('_', '-');
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

    /**
     * Bounds the conntrack table at {@code max} entries (nf_conntrack_max) with early_drop() and, when
     * {@code gcEarlyDrop}, the gc worker's early drop at 95 %; random draws from {@code random}.
     */
    public void setConntrackMax(int max, boolean gcEarlyDrop, SplittableRandom random) {
        this.limit = new ConntrackLimit(max, gcEarlyDrop, random);
    }

    /**
     * Lets SYNs handled within {@code windowNs} of each other on different ones of {@code cpus} CPUs choose the
     * same public tuple (see {@link InsertRace}).
     */
    public void setCpus(int cpus, long windowNs) {
        this.race = cpus > 1 ? new InsertRace(cpus, windowNs) : null;
    }

    /** CPUs whose SYNs race for public tuples (1: no race). */
    public int cpus() {
        return race == null ? 1 : race.cpus();
    }

    /** SYNs dropped because another CPU's entry took their public tuple first (conntrack -S insert_failed). */
    public long insertFailed() {
        return race == null ? 0 : race.insertFailed();
    }

    /** nf_conntrack_max, or 0 when the table is unbounded. */
    public int conntrackMax() {
        return limit == null ? 0 : limit.max();
    }

    /** Unassured entries early_drop() evicted to make room (conntrack -S early_drop). */
    public long earlyDrops() {
        return limit == null ? 0 : limit.earlyDrops();
    }

    /** Closing or unassured entries the gc worker killed at 95 % after a table-full drop. */
    public long gcEarlyDrops() {
        return limit == null ? 0 : limit.gcEarlyDrops();
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

    /** Closed mappings evicted by a newer SYN (Linux 5.9+ nf_nat_used_tuple_harder). */
    public long evictions() {
        return allocator instanceof LinuxNatPorts linux ? linux.evictions() : 0;
    }

    public long mappingsReused() {
        return verdicts(NatVerdict.CLOSED_MAPPING_REUSED);
    }

    /**
     * Live mappings (conntrack -C): entries past their timeout are dropped first, as the kernel's lookups and
     * gc_worker would have, rather than counted until the 10 s memory sweep.
     */
    public int activeMappings() {
        table.removeExpired(sim.now());
        return table.size();
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
        NatFlow f = table.fromInside(p.srcIp, p.srcPort, p.dstIp, p.dstPort, now);
        boolean syn = p.has(Packet.SYN) && !p.has(Packet.ACK);
        NatVerdict verdict = NatVerdict.TRANSLATED;
        noteFlow(f);
        if (f != null && syn && f.state.closed()) {
            if (allocation == PortAllocation.LINUX) {
                // nf_conntrack_tcp: a SYN on a closed entry kills it and NAT is done again (new port).
                table.remove(f);
                f = null;
            } else {
                verdict = NatVerdict.CLOSED_MAPPING_REUSED;
                tracking.reopen(f);
            }
        }
        if (f == null) {
            if (!syn) {
                return NatVerdict.NO_MAPPING;
            }
            if (limit != null && !limit.admit(table, now)) {
                scheduleSweep();
                return NatVerdict.TABLE_FULL;
            }
            // With several CPUs, other CPUs' searches in flight are invisible to this one (InsertRace).
            f = race == null ? allocator.allocate(p, now) : race.allocate(allocator, table, p, now);
            if (f == null) {
                return NatVerdict.NO_FREE_PORT;
            }
            if (race != null && !race.confirm(f, now)) {
                return NatVerdict.INSERT_FAILED;
            }
            enter(f, p, now);
            verdict = NatVerdict.NEW_MAPPING;
            if (explaining()) {
                explainedFlow = f;
            }
        }
        tracking.inside(f, p, now);
        p.srcIp = f.publicIp;
        p.srcPort = f.publicPort;
        forward(sim, p);
        return verdict;
    }

    private NatVerdict fromOutside(Packet p) {
        long now = sim.now();
        NatFlow f = table.fromOutside(p.dstIp, p.dstPort, p.srcIp, p.srcPort, now);
        noteFlow(f);
        if (f == null) {
            return NatVerdict.REPLY_NO_MAPPING;
        }
        if (dropInvalid && f.state == NatTcpState.SYN_SENT && !p.has(Packet.RST)
                && !(p.has(Packet.SYN) && p.has(Packet.ACK))) {
            return NatVerdict.INVALID_DROPPED;
        }
        tracking.outside(f, p, now);
        p.dstIp = f.innerIp;
        p.dstPort = f.innerPort;
        forward(sim, p);
        return NatVerdict.REPLY_TRANSLATED;
    }

    /** Enters the allocator's new mapping {@code f} for the SYN {@code p} in the table. */
    private void enter(NatFlow f, Packet p, long now) {
        reuseAges.handedOut(f.publicIp, f.publicPort, now);
        f.insideSeqEnd = p.seq;
        tracking.setState(f, NatTcpState.SYN_SENT, now);
        table.insert(f);
        if (limit != null) {
            limit.added(f);
        }
        scheduleSweep();
    }

    private void scheduleSweep() {
        if (!sweepScheduled) {
            sweepScheduled = true;
            sim.after(SWEEP_INTERVAL_NS, this, EV_SWEEP, 0, null);
        }
    }

    @Override
    protected void onTimer(Simulator sim, int kind, long arg, Object payload) {
        sweepScheduled = false;
        table.removeExpired(sim.now());
        if (limit != null) {
            limit.gcPass(table);
        }
        if (table.size() > 0) {
            scheduleSweep();
        }
    }
}
