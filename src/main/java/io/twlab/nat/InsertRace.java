package io.twlab.nat;

import io.twlab.engine.RandomStreams;
import io.twlab.net.Packet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The SNAT insert race of a Linux gateway with several CPUs. get_unique_tuple() (nf_nat_core.c) checks a new
 * connection's public tuple against confirmed entries only; the entry is confirmed (hashed) at the end of
 * POSTROUTING by __nf_conntrack_confirm() (nf_conntrack_core.c). Two SYNs handled at the same moment on different
 * CPUs can therefore pick the same public port toward the same server; the one confirmed second finds the reply
 * tuple taken and, TCP allowing no clash resolution (nf_ct_resolve_clash), is dropped: conntrack -S insert_failed,
 * and its client re-sends the SYN after its RTO. Likely when the SYNs also share their source port (nf_nat keeps
 * it when free, unless fully-random) or the port range is small.
 *
 * <p>A packet's CPU is a hash of its inside tuple (RSS/RPS spread flows over CPUs); an entry counts as unconfirmed
 * for {@code windowNs} after its allocation.
 */
final class InsertRace {
    /** An entry not yet confirmed, and the allocator's shared state its CPU read when its search began. */
    private record Unconfirmed(NatFlow flow, long at, int cpu, int allocatorStateBefore) {
    }

    private final int cpus;
    private final long windowNs;
    private final ArrayDeque<Unconfirmed> recent = new ArrayDeque<>();
    private long insertFailed;
    /** The search {@link #allocate} last made, for {@link #confirm}: its CPU, what it could not see, its start. */
    private int pendingCpu;
    private List<NatFlow> pendingUnconfirmed = List.of();
    private int pendingStateBefore;

    InsertRace(int cpus, long windowNs) {
        this.cpus = cpus;
        this.windowNs = windowNs;
    }

    int cpus() {
        return cpus;
    }

    long insertFailed() {
        return insertFailed;
    }

    /**
     * The allocator's choice for the SYN {@code p} as its CPU sees the table: without the entries other CPUs
     * allocated less than the window ago, and starting from the shared state (the pre-5.0 rover) the earliest of
     * their searches read, since its write-back is not visible either. Null when no port is free. Follow a non-null
     * result with {@link #confirm}.
     */
    NatFlow allocate(PortAllocator allocator, NatFlowTable table, Packet p, long now) {
        pendingCpu = cpuOf(p);
        pendingUnconfirmed = unconfirmedElsewhere(pendingCpu, now);
        pendingStateBefore = allocator.sharedState();
        if (!pendingUnconfirmed.isEmpty()) {
            pendingStateBefore = stateSeenBy(pendingCpu, pendingStateBefore);
            allocator.restoreSharedState(pendingStateBefore);
            pendingUnconfirmed.forEach(table::detach);
        }
        NatFlow f = allocator.allocate(p, now);
        pendingUnconfirmed.forEach(table::insert);
        return f;
    }

    /**
     * __nf_conntrack_confirm() for the flow {@link #allocate} just returned: false (insert_failed) when its reply
     * tuple is one an unconfirmed entry took first; else the flow stays unconfirmed to other CPUs for the window.
     */
    boolean confirm(NatFlow f, long now) {
        for (NatFlow u : pendingUnconfirmed) {
            if (u.publicIp == f.publicIp && u.publicPort == f.publicPort && u.remoteIp == f.remoteIp
                    && u.remotePort == f.remotePort) {
                insertFailed++;
                return false;
            }
        }
        recent.addLast(new Unconfirmed(f, now, pendingCpu, pendingStateBefore));
        return true;
    }

    private int cpuOf(Packet p) {
        long key = ((p.srcIp & 0xffffffffL) << 32) ^ ((long) p.srcPort << 16) ^ p.dstPort ^ ((long) p.dstIp << 7);
        return (int) ((RandomStreams.mix(key) >>> 1) % cpus);
    }

    /** Entries another CPU allocated less than the window ago: not yet visible to {@code cpu}'s tuple search. */
    private List<NatFlow> unconfirmedElsewhere(int cpu, long now) {
        while (!recent.isEmpty() && now - recent.peekFirst().at() >= windowNs) {
            recent.pollFirst();
        }
        if (recent.isEmpty()) {
            return List.of();
        }
        List<NatFlow> out = new ArrayList<>(recent.size());
        for (Unconfirmed u : recent) {
            if (u.cpu() != cpu && !u.flow().gone) {
                out.add(u.flow());
            }
        }
        return out;
    }

    /** What the earliest unconfirmed search of another CPU read as the shared state, else {@code current}. */
    private int stateSeenBy(int cpu, int current) {
        for (Unconfirmed u : recent) {
            if (u.cpu() != cpu) {
                return u.allocatorStateBefore();
            }
        }
        return current;
    }
}
