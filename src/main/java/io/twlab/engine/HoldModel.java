package io.twlab.engine;

import java.util.SplittableRandom;

/**
 * The classic hold model on a bare 4-ary min-heap of primitive longs: {@code pending} event times, each step
 * removes the earliest (delete-min) and inserts a new time a random increment after it. No handler, no payload, no
 * tie-break: the fastest a comparison-queue simulator with this queue shape can go at that many pending events,
 * which {@code twlab bench} sets beside the simulator's own event rate.
 */
public final class HoldModel {
    /** Increments drawn once, exponential with a 1 ms mean, so the loop measures the heap and not the generator. */
    private static final int INCREMENTS = 1 << 16;

    private final long[] heap;
    private final long[] increments = new long[INCREMENTS];

    /** A heap of {@code pending} times spread as the increments are, from {@code seed}. */
    public HoldModel(int pending, long seed) {
        if (pending < 1) {
            throw new IllegalArgumentException("the hold model needs at least one pending event, got " + pending);
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < INCREMENTS; i++) {
            increments[i] = 1 + (long) (-Math.log(1 - random.nextDouble()) * 1_000_000);
        }
        heap = new long[pending];
        for (int i = 0; i < pending; i++) {
            siftUp(i, increments[i & (INCREMENTS - 1)] * (1 + random.nextInt(100)));
        }
    }

    public int pending() {
        return heap.length;
    }

    /** Runs {@code steps} hold operations; returns the last time removed. */
    public long run(long steps) {
        int last = heap.length - 1;
        long t = 0;
        for (long i = 0; i < steps; i++) {
            t = heap[0];
            siftDown(heap[last]);
            siftUp(last, t + increments[(int) i & (INCREMENTS - 1)]);
        }
        return t;
    }

    /** The earliest pending time. */
    public long earliest() {
        return heap[0];
    }

    private void siftUp(int pos, long time) {
        while (pos > 0) {
            int parent = (pos - 1) >>> 2;
            if (heap[parent] <= time) {
                break;
            }
            heap[pos] = heap[parent];
            pos = parent;
        }
        heap[pos] = time;
    }

    /** Delete-min: {@code time} (the last entry) replaces the root and sinks within the heap minus its last slot. */
    private void siftDown(long time) {
        int n = heap.length - 1;
        int pos = 0;
        while (true) {
            int first = (pos << 2) + 1;
            if (first >= n) {
                break;
            }
            int best = first;
            long bt = heap[first];
            int end = Math.min(first + 4, n);
            for (int c = first + 1; c < end; c++) {
                if (heap[c] < bt) {
                    best = c;
                    bt = heap[c];
                }
            }
            if (time <= bt) {
                break;
            }
            heap[pos] = bt;
            pos = best;
        }
        heap[pos] = time;
    }
}
