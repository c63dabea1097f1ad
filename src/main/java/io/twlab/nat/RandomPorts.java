package io.twlab.nat;

import io.twlab.net.Packet;

import java.util.SplittableRandom;

/** A uniformly random start in the (port, address) range, then the first free pair from there. */
final class RandomPorts extends PortAllocator {
    private final SplittableRandom random;

    RandomPorts(int[] publicIps, int portLow, int portHigh, NatFlowTable table, SplittableRandom random) {
        super(publicIps, portLow, portHigh, table);
        this.random = random;
    }

    @Override
    NatFlow allocate(Packet p, long now) {
        long i = firstFreePair(p, now, random.nextLong((long) rangeSize() * publicIps.length));
        return i < 0 ? null : flowAtPair(p, i);
    }
}
