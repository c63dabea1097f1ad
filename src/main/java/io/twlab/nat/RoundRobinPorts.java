package io.twlab.nat;

import io.twlab.net.Packet;

/**
 * The firewall of seed 000 (2048-65535): a cursor walks the whole (port, address) range in order and wraps,
 * skipping pairs in use, so a port comes back after one lap of the range whatever the rate.
 */
final class RoundRobinPorts extends PortAllocator {
    private long cursor;

    RoundRobinPorts(int[] publicIps, int portLow, int portHigh, NatFlowTable table) {
        super(publicIps, portLow, portHigh, table);
    }

    @Override
    NatFlow allocate(Packet p, long now) {
        long i = firstFreePair(p, now, cursor);
        if (i < 0) {
            return null;
        }
        cursor = (i + 1) % ((long) rangeSize() * publicIps.length);
        return flowAtPair(p, i);
    }
}
