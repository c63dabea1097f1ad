package io.twlab.nat;

import io.twlab.net.TupleTable;

/**
 * The gateway's conntrack table: each mapping found by its inside tuple (original direction) and by its public
 * tuple (reply direction). A mapping past its timeout is dropped when a lookup finds it; the periodic sweep only
 * returns memory.
 */
final class NatFlowTable {
    private final TupleTable<NatFlow> byInside = new TupleTable<>();
    private final TupleTable<NatFlow> byOutside = new TupleTable<>();

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

    /** Takes {@code f} out of both indexes without ending it (it is put back with {@link #insert}). */
    void detach(NatFlow f) {
        byInside.remove(TupleTable.key1(f.innerIp, f.innerPort, f.remotePort), f.remoteIp & 0xffffffffL);
        byOutside.remove(TupleTable.key1(f.publicIp, f.publicPort, f.remotePort), f.remoteIp & 0xffffffffL);
    }

    /** Removes the first {@code n} mappings, in table order, that {@code victim} accepts; returns how many went. */
    int removeUpTo(int n, java.util.function.Predicate<NatFlow> victim) {
        int[] left = {n};
        byInside.removeIf(f -> left[0] > 0 && victim.test(f) && left[0]-- > 0, this::remove);
        return n - left[0];
    }

    /** Drops every mapping whose timeout has passed (gc_worker). */
    void removeExpired(long now) {
        byInside.removeIf(f -> f.expiresAt <= now, this::remove);
    }

    private NatFlow live(NatFlow f, long now) {
        if (f != null && f.expiresAt <= now) {
            remove(f);
            return null;
        }
        return f;
    }
}
