package io.twlab.model;

import io.twlab.engine.EventHandler;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.metrics.TimeWaitLifetimes;
import io.twlab.tcp.HostClock;
import io.twlab.tcp.TimeWaitProcessor;
import io.twlab.tcp.TimeWaitReaper;
import io.twlab.tcp.TimeWaitTable;
import io.twlab.tcp.Counters;

/**
 * Runs a kernel's TIME_WAIT reaper alone under a steady stream of new TIME_WAIT sockets, to measure the
 * lifetimes the mechanism produces at a load (the basis of {@code twlab capacity}).
 */
public final class ReaperExperiment implements EventHandler {
    private final Simulator sim = new Simulator();
    private final TimeWaitTable table = new TimeWaitTable();
    private final long gapNs;
    private final long endNs;
    private long nextKey;

    private ReaperExperiment(KernelProfile profile, int hz, long uptimeNs, double ratePerSecond, long endNs) {
        HostClock clock = new HostClock(uptimeNs, hz);
        TimeWaitReaper.create(profile, sim, table, new Counters(), clock);
        this.gapNs = Math.max(1, Math.round(Simulator.NS_PER_SEC / ratePerSecond));
        this.endNs = endNs;
    }

    /** Lifetimes of the TIME_WAITs created in [warmup, warmup + measure) at {@code rate} per second. */
    public static TimeWaitLifetimes measure(KernelProfile profile, int hz, double ratePerSecond, long warmupNs,
                                            long measureNs) {
        ReaperExperiment e = new ReaperExperiment(profile, hz, 86_400L * Simulator.NS_PER_SEC + 123_456_789L,
                ratePerSecond, warmupNs + measureNs);
        TimeWaitLifetimes lifetimes = new WindowedLifetimes(warmupNs, warmupNs + measureNs);
        e.table.setLifetimeListener(lifetimes);
        e.sim.at(0, e, 0, 0, null);
        // Run long enough for every measured entry to die (worst case well under 10 minutes).
        e.sim.runUntil(warmupNs + measureNs + 600 * Simulator.NS_PER_SEC, null);
        return lifetimes;
    }

    /** Fills a table with {@code n} entries at once and returns it (memory figure for the benchmark). */
    public static TimeWaitTable fill(KernelProfile profile, int n) {
        ReaperExperiment e = new ReaperExperiment(profile, profile.defaultHz(), Simulator.NS_PER_SEC, 1, 0);
        for (int i = 0; i < n; i++) {
            e.add();
        }
        return e.table;
    }

    private void add() {
        table.admit(nextKey++, sim.now(), TimeWaitProcessor.TIMEWAIT_LEN_NS);
    }

    @Override
    public void onEvent(Simulator sim, int kind, long arg, Object payload) {
        add();
        long next = sim.now() + gapNs;
        if (next < endNs) {
            sim.at(next, this, 0, 0, null);
        }
    }

    private static final class WindowedLifetimes extends TimeWaitLifetimes {
        private final long toNs;

        WindowedLifetimes(long fromNs, long toNs) {
            super(fromNs);
            this.toNs = toNs;
        }

        @Override
        public void ended(long tupleKey, long createdNs, long lifetimeNs) {
            if (createdNs < toNs) {
                super.ended(tupleKey, createdNs, lifetimeNs);
            }
        }
    }
}
