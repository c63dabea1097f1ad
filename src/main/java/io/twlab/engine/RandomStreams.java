package io.twlab.engine;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Independent random streams derived from (scenario seed, component name), so adding a host or a workload
 * never shifts the draws of the others.
 */
public final class RandomStreams {
    private final long seed;

    public RandomStreams(long seed) {
        this.seed = seed;
    }

    public SplittableRandom stream(String component) {
        return new SplittableRandom(mix(seed ^ fnv1a(component)));
    }

    /** A deterministic 64-bit value for a component, e.g. a host's secret key for ISN/offset hashing. */
    public long secret(String component) {
        return mix(mix(seed) ^ fnv1a(component) ^ 0x5DEECE66DL);
    }

    static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64 finaliser: a good bijective 64-bit mixer. */
    public static long mix(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
