package io.twlab.nat;

/**
 * When each public (address, port) was last handed out, to sample the shortest reuse age: that age against the
 * servers' TIME_WAIT lifetime is the PAWS margin of seed 000.
 */
final class PortReuseAges {
    private final int[] publicIps;
    /** Last hand-out time + 1 (0 = never), indexed address index * 65536 + port. */
    private final long[] lastAllocatedAt;
    private long minAgeSinceSample = Long.MAX_VALUE;
    private long reusesSinceSample;

    PortReuseAges(int[] publicIps) {
        this.publicIps = publicIps.clone();
        this.lastAllocatedAt = new long[publicIps.length << 16];
    }

    void handedOut(int publicIp, int port, long now) {
        int a = 0;
        while (publicIps[a] != publicIp) {
            a++;
        }
        int slot = a << 16 | port;
        long last = lastAllocatedAt[slot];
        if (last != 0) {
            reusesSinceSample++;
            minAgeSinceSample = Math.min(minAgeSinceSample, now - (last - 1));
        }
        lastAllocatedAt[slot] = now + 1;
    }

    /** The shortest age over the ports handed out again since the last call, in ns, or -1; resets the sample. */
    long takeMinAgeNs() {
        long age = reusesSinceSample == 0 ? -1 : minAgeSinceSample;
        minAgeSinceSample = Long.MAX_VALUE;
        reusesSinceSample = 0;
        return age;
    }
}
