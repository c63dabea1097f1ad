package io.twlab.engine;

import io.twlab.bench.MicroBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.SplittableRandom;

/**
 * The hold model on the simulator's event queue (delete-min, then insert the removed time plus an exponential
 * increment) beside the same model on the bare heap of primitive longs that {@code twlab bench} compares against:
 * what the queue's handler, kind, argument, payload and tie-break key cost per event. 250 pending events is the
 * flagship's mean; 100,000 is a queue that no longer fits the caches.
 */
public class EventQueueBench extends MicroBenchmark {
    private static final int STEPS = 1000;
    private static final int INCREMENTS = 1 << 16;
    private static final EventHandler IGNORE = (sim, kind, arg, payload) -> { };

    @Param({"250", "100000"})
    int pending;

    private EventQueue queue;
    private HoldModel bare;
    private final long[] increments = new long[INCREMENTS];
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < INCREMENTS; i++) {
            increments[i] = 1 + (long) (-Math.log(1 - random.nextDouble()) * 1_000_000);
        }
        queue = new EventQueue();
        for (int i = 0; i < pending; i++) {
            queue.add(increments[i & (INCREMENTS - 1)] * (1 + random.nextInt(100)), IGNORE, 0, i, null);
        }
        bare = new HoldModel(pending, 1);
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public long eventQueue() {
        long t = 0;
        for (int i = 0; i < STEPS; i++) {
            int slot = queue.poll();
            t = queue.polledTime;
            queue.release(slot);
            queue.add(t + increments[next++ & (INCREMENTS - 1)], IGNORE, 0, i, null);
        }
        return t;
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public long bareHeap() {
        return bare.run(STEPS);
    }
}
