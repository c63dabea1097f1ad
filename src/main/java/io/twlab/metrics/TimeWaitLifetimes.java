package io.twlab.metrics;

import io.twlab.tcp.TimeWaitTable;

/** Lifetimes of TIME_WAIT entries ended by their timer, for entries created at or after {@code fromNs}. */
public class TimeWaitLifetimes implements TimeWaitTable.LifetimeListener {
    private final long fromNs;
    private final LatencyHistogram histogramMicros = new LatencyHistogram();

    public TimeWaitLifetimes(long fromNs) {
        this.fromNs = fromNs;
    }

    @Override
    public void ended(long tupleKey, long createdNs, long lifetimeNs) {
        if (createdNs >= fromNs) {
            histogramMicros.record(lifetimeNs / 1000);
        }
    }

    public long count() {
        return histogramMicros.count();
    }

    public double minSeconds() {
        return histogramMicros.min() / 1e6;
    }

    public double maxSeconds() {
        return histogramMicros.max() / 1e6;
    }

    public LatencyHistogram histogramMicros() {
        return histogramMicros;
    }
}
