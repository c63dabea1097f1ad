package io.twlab.model;

import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.metrics.TimeWaitLifetimes;

/**
 * The highest steady rate of short connections over a fixed set of 4-tuples before a tuple comes back while
 * the server still holds it in TIME_WAIT. With tuples reused in round-robin order a tuple returns after
 * tuples/rate seconds; the TIME_WAIT lifetime at that rate comes from running the kernel's reaper, so the
 * answer is the fixed point of rate = tuples / maxLifetime(rate).
 */
public final class Capacity {
    private static final long WARMUP_NS = 240 * Simulator.NS_PER_SEC;
    private static final long MEASURE_NS = 240 * Simulator.NS_PER_SEC;

    private Capacity() {
    }

    public record Result(String kernel, int hz, long tuples, double maxRate, double minLifetimeSeconds,
                         double maxLifetimeSeconds, double idleLifetimeSeconds) {
    }

    public static Result compute(KernelProfile profile, int hz, long tuples) {
        double idle = ReaperExperiment.measure(profile, hz, 0.01, 0, 1000 * Simulator.NS_PER_SEC).maxSeconds();
        double lo = 0.1;
        double hi = tuples / Math.max(1.0, idle * 0.5);
        TimeWaitLifetimes atLo = lifetimes(profile, hz, lo);
        for (int i = 0; i < 40 && hi - lo > 0.05; i++) {
            double mid = (lo + hi) / 2;
            TimeWaitLifetimes l = lifetimes(profile, hz, mid);
            if (tuples / mid > l.maxSeconds()) {
                lo = mid;
                atLo = l;
            } else {
                hi = mid;
            }
        }
        return new Result(profile.name(), hz, tuples, Math.floor(lo * 10) / 10, atLo.minSeconds(),
                atLo.maxSeconds(), idle);
    }

    static TimeWaitLifetimes lifetimes(KernelProfile profile, int hz, double rate) {
        return ReaperExperiment.measure(profile, hz, rate, WARMUP_NS, MEASURE_NS);
    }
}
