package io.twlab.nat;

import io.twlab.net.Packet;

/**
 * Picks the public (address, port) of a new mapping for the SYN {@code p}; a pair is free when no live mapping
 * holds it toward the same remote (address, port).
 */
abstract class PortAllocator {
    protected final int[] publicIps;
    protected final int portLow;
    protected final int portHigh;
    protected final NatFlowTable table;

    PortAllocator(int[] publicIps, int portLow, int portHigh, NatFlowTable table) {
        this.publicIps = publicIps.clone();
        this.portLow = portLow;
        this.portHigh = portHigh;
        this.table = table;
    }

    /** The new mapping, not yet in the table, or null when no pair is free. */
    abstract NatFlow allocate(Packet p, long now);

    /** State shared by all CPUs' searches (Linux's rover before 5.0), for {@link InsertRace}; 0 when none. */
    int sharedState() {
        return 0;
    }

    /** Sets the shared state back to what a racing search read. */
    void restoreSharedState(int state) {
    }

    protected final int rangeSize() {
        return portHigh - portLow + 1;
    }

    protected final boolean used(int publicIp, int port, Packet p, long now) {
        return table.fromOutside(publicIp, port, p.dstIp, p.dstPort, now) != null;
    }

    protected static NatFlow flowFor(Packet p, int publicIp, int port) {
        return new NatFlow(p.srcIp, p.srcPort, p.dstIp, p.dstPort, publicIp, port);
    }

    /**
     * Index of the first free (port, address) pair at or after {@code start}, wrapping once around the range
     * (index i is address i mod n, port low + i / n, so addresses alternate fastest); -1 when all are in use.
     */
    protected final long firstFreePair(Packet p, long now, long start) {
        long total = (long) rangeSize() * publicIps.length;
        for (long tries = 0; tries < total; tries++) {
            long i = (start + tries) % total;
            if (!used(publicIps[(int) (i % publicIps.length)], portLow + (int) (i / publicIps.length), p, now)) {
                return i;
            }
        }
        return -1;
    }

    protected final NatFlow flowAtPair(Packet p, long i) {
        return flowFor(p, publicIps[(int) (i % publicIps.length)], portLow + (int) (i / publicIps.length));
    }
}
