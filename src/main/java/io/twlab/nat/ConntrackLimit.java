package io.twlab.nat;

import it.unimi.dsi.fastutil.objects.ObjectArrayList;

import java.util.SplittableRandom;

/**
 * nf_conntrack_max on a Linux gateway (net/netfilter/nf_conntrack_core.c). A new entry when the table is full
 * first tries early_drop(): it looks at the entries of NF_CT_EVICTION_RANGE (8) hash buckets from the new tuple's
 * and evicts one that is not ASSURED (never reached ESTABLISHED); if there is none, __nf_conntrack_alloc() fails,
 * the packet is dropped ("nf_conntrack: table full, dropping packet", conntrack -S drop) and the gc worker is told
 * to early-drop. Its next pass then kills entries gc_worker_can_early_drop() accepts (not assured, or TCP in
 * FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT or CLOSE: tcp_can_early_drop) while the table holds at least 95 % of
 * the maximum (nf_conntrack_max95), on kernels whose profile has that gc behaviour.
 *
 * <p>Modelled apart from the kernel: the buckets' contents are a uniform sample of 8 entries (one entry per bucket
 * is 5.15+'s default sizing, nf_conntrack_buckets = nf_conntrack_max); the entry early_drop() evicts is a random
 * unassured one; the gc pass runs with the gateway's 10 s sweep (6.x adapts the interval between 1 and 60 s);
 * expired entries are reaped before the table counts as full, at most once a second (the gc worker's shortest
 * interval), as they would be met and reaped by early_drop() and the gc worker.
 */
final class ConntrackLimit {
    /** NF_CT_EVICTION_RANGE: early_drop() scans this many buckets (here: entries). */
    private static final int EVICTION_RANGE = 8;
    private static final long REAP_INTERVAL_NS = 1_000_000_000L;

    private final int max;
    private final boolean gcEarlyDrop;
    private final SplittableRandom random;
    /** Entries created and perhaps still unassured; purged of assured and removed ones when the table is full. */
    private final ObjectArrayList<NatFlow> unassured = new ObjectArrayList<>();
    private long lastReapNs = Long.MIN_VALUE;
    private boolean gcEarlyDropPending;
    private long earlyDrops;
    private long gcEarlyDrops;

    ConntrackLimit(int max, boolean gcEarlyDrop, SplittableRandom random) {
        this.max = max;
        this.gcEarlyDrop = gcEarlyDrop;
        this.random = random;
    }

    int max() {
        return max;
    }

    long earlyDrops() {
        return earlyDrops;
    }

    long gcEarlyDrops() {
        return gcEarlyDrops;
    }

    /** Whether a new entry fits: true, possibly after early_drop() evicted an unassured one; false: table full. */
    boolean admit(NatFlowTable table, long now) {
        if (table.size() < max) {
            return true;
        }
        if (now - lastReapNs >= REAP_INTERVAL_NS) {
            lastReapNs = now;
            table.removeExpired(now);
            if (table.size() < max) {
                return true;
            }
        }
        forgetSettled();
        int live = table.size();
        int candidates = unassured.size();
        // P(at least one of 8 sampled entries is unassured) = 1 - (1 - U/N)^8.
        double pFound = 1 - Math.pow(1 - candidates / (double) live, EVICTION_RANGE);
        if (candidates > 0 && random.nextDouble() < pFound) {
            int i = random.nextInt(candidates);
            NatFlow victim = unassured.get(i);
            unassured.set(i, unassured.get(candidates - 1));
            unassured.remove(candidates - 1);
            table.remove(victim);
            earlyDrops++;
            return true;
        }
        gcEarlyDropPending = gcEarlyDrop;
        return false;
    }

    /** A new entry entered the table: unassured until its handshake completes. */
    void added(NatFlow f) {
        unassured.add(f);
    }

    /**
     * The gateway's periodic gc pass, after it reaped the expired: forgets entries that became assured or went,
     * and after a table-full drop kills early-droppable entries until the table is below 95 % of the maximum.
     */
    void gcPass(NatFlowTable table) {
        forgetSettled();
        if (!gcEarlyDropPending) {
            return;
        }
        gcEarlyDropPending = false;
        int max95 = max / 100 * 95;
        if (max95 == 0) {
            return; // the kernel skips the early drop when nf_conntrack_max / 100 * 95 is 0 (a maximum below 100)
        }
        int excess = table.size() - max95 + 1;
        if (excess > 0) {
            gcEarlyDrops += table.removeUpTo(excess, ConntrackLimit::canEarlyDrop);
        }
    }

    /** Drops from the candidates the entries that reached ESTABLISHED or left the table. */
    private void forgetSettled() {
        unassured.removeIf(f -> f.assured || f.gone);
    }

    /** gc_worker_can_early_drop() with tcp_can_early_drop(). */
    private static boolean canEarlyDrop(NatFlow f) {
        return !f.assured || switch (f.state) {
            case FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE -> true;
            default -> false;
        };
    }
}
