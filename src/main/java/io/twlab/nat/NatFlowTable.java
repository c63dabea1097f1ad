package io.twlab.nat;

import io.twlab.engine.Simulator;
import io.twlab.net.TupleTable;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * The gateway's conntrack table: each mapping found by its inside tuple (original direction) and by its public
 * tuple (reply direction). A mapping past its timeout is dropped when a lookup finds it, or by
 * {@link #removeExpired}, which visits only the mappings filed under the seconds that have come due: each mapping
 * is filed under the whole second its timeout ends in, at the earliest such second it has had (a timeout that
 * grows is refiled when its old second comes; one that shrinks is filed again at once, the old filing going stale).
 */
final class NatFlowTable {
    private static final long NOT_FILED = Long.MAX_VALUE;
    private final TupleTable<NatFlow> byInside = new TupleTable<>();
    private final TupleTable<NatFlow> byOutside = new TupleTable<>();
    private final Long2ObjectOpenHashMap<ArrayList<NatFlow>> dueBySecond = new Long2ObjectOpenHashMap<>();
    private final ArrayDeque<ArrayList<NatFlow>> spareLists = new ArrayDeque<>();
    /** The first second whose filings have not all been visited. */
    private long nextDueSecond;

    int size() {
        return byInside.size();
    }

    /** The live mapping of an inside host's connection to (remoteIp, remotePort), or null. */
    NatFlow fromInside(int innerIp, int innerPort, int remoteIp, int remotePort, long now) {
        return live(byInside.get(TupleTable.key1(innerIp, innerPort, remotePort), remoteIp & 0xffffffffL), now);
    }

    /** The live mapping that holds public (publicIp, publicPort) toward (remoteIp, remotePort), or null. */
    NatFlow fromOutside(int publicIp, int publicPort, int remoteIp, int remotePort, long now) {
        return live(byOutside.get(TupleTable.key1(publicIp, publicPort, remotePort), remoteIp & 0xffffffffL), now);
    }

    void insert(NatFlow f) {
        byInside.put(TupleTable.key1(f.innerIp, f.innerPort, f.remotePort), f.remoteIp & 0xffffffffL, f);
        byOutside.put(TupleTable.key1(f.publicIp, f.publicPort, f.remotePort), f.remoteIp & 0xffffffffL, f);
    }

    void remove(NatFlow f) {
        f.gone = true;
        detach(f);
    }

    /**
     * Takes {@code f} out of both indexes without ending it (it is put back with {@link #insert}); its expiry
     * filing stays, as it is out of the table only for a moment (another CPU's view, {@link InsertRace}).
     */
    void detach(NatFlow f) {
        byInside.remove(TupleTable.key1(f.innerIp, f.innerPort, f.remotePort), f.remoteIp & 0xffffffffL);
        byOutside.remove(TupleTable.key1(f.publicIp, f.publicPort, f.remotePort), f.remoteIp & 0xffffffffL);
    }

    /** Called whenever {@code f.expiresAt} was set: files the mapping again if its timeout now ends sooner. */
    void expiryChanged(NatFlow f) {
        if (f.expiresAt != Long.MAX_VALUE) {
            long second = Math.max(dueSecond(f.expiresAt), nextDueSecond);
            if (second < f.filedSecond) {
                file(f, second);
            }
        }
    }

    private static long dueSecond(long expiresAt) {
        return Math.floorDiv(expiresAt + Simulator.NS_PER_SEC - 1, Simulator.NS_PER_SEC);
    }

    private void file(NatFlow f, long second) {
        f.filedSecond = second;
        ArrayList<NatFlow> due = dueBySecond.get(second);
        if (due == null) {
            due = spareLists.isEmpty() ? new ArrayList<>() : spareLists.pop();
            dueBySecond.put(second, due);
        }
        due.add(f);
    }

    /** Removes the first {@code n} mappings, in table order, that {@code victim} accepts; returns how many went. */
    int removeUpTo(int n, java.util.function.Predicate<NatFlow> victim) {
        int[] left = {n};
        byInside.removeIf(f -> left[0] > 0 && victim.test(f) && left[0]-- > 0, this::remove);
        return n - left[0];
    }

    /** Drops every mapping whose timeout has passed (gc_worker). */
    void removeExpired(long now) {
        long whole = Math.floorDiv(now, Simulator.NS_PER_SEC);
        long first = nextDueSecond;
        nextDueSecond = Math.max(nextDueSecond, whole + 1);
        for (long s = first; s <= whole; s++) {
            ArrayList<NatFlow> due = dueBySecond.remove(s);
            if (due == null) {
                continue;
            }
            for (NatFlow f : due) {
                visit(f, s, now);
            }
            due.clear();
            spareLists.push(due);
        }
        // Within the current second: the mappings due in it whose timeout has already passed.
        ArrayList<NatFlow> due = now == whole * Simulator.NS_PER_SEC ? null : dueBySecond.get(whole + 1);
        if (due != null) {
            due.removeIf(f -> visit(f, whole + 1, now));
        }
    }

    /**
     * Visits {@code f}'s filing under {@code second} at {@code now}: a stale filing or a mapping already gone is
     * passed over, an expired mapping is removed, one whose timeout has grown past that second is refiled.
     * Returns whether the filing leaves the second's list.
     */
    private boolean visit(NatFlow f, long second, long now) {
        if (f.filedSecond != second || f.gone) {
            return true;
        }
        if (f.expiresAt <= now) {
            f.filedSecond = NOT_FILED;
            remove(f);
            return true;
        }
        if (dueSecond(f.expiresAt) > second) {
            f.filedSecond = NOT_FILED;
            expiryChanged(f);
            return true;
        }
        return false;
    }

    private NatFlow live(NatFlow f, long now) {
        if (f != null && f.expiresAt <= now) {
            remove(f);
            return null;
        }
        return f;
    }
}
