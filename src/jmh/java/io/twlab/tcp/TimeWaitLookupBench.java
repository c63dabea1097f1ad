package io.twlab.tcp;

import io.twlab.bench.MicroBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.SplittableRandom;

/**
 * TIME_WAIT table lookups, as every segment without a connection and every candidate port of a connect() makes
 * them: tuples that are in the table (a SYN reusing a tuple) and tuples that are not (a port search). 100,000
 * entries is a loaded 2.6.32 server (about 800 connections/s held up to 112.5 s); keys are random tuples.
 */
public class TimeWaitLookupBench extends MicroBenchmark {
    private static final int LOOKUPS = 1024;

    @Param({"100000"})
    int entries;

    private final TimeWaitTable table = new TimeWaitTable();
    private final long[] present = new long[LOOKUPS];
    private final long[] absent = new long[LOOKUPS];

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        long[] keys = new long[entries];
        for (int i = 0; i < entries; i++) {
            keys[i] = random.nextLong();
            table.allocate(keys[i], 0);
        }
        for (int i = 0; i < LOOKUPS; i++) {
            present[i] = keys[random.nextInt(entries)];
            absent[i] = random.nextLong();
        }
    }

    @Benchmark
    @OperationsPerInvocation(LOOKUPS)
    public int findPresent() {
        return findAll(present);
    }

    @Benchmark
    @OperationsPerInvocation(LOOKUPS)
    public int findAbsent() {
        return findAll(absent);
    }

    private int findAll(long[] keys) {
        int sum = 0;
        for (long k : keys) {
            sum += table.find(k);
        }
        return sum;
    }
}
