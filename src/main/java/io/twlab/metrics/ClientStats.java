package io.twlab.metrics;

import io.twlab.metrics.FailureCause;

/** What the clients of a run experienced: totals, failures by cause, connect and first-byte latency. */
public final class ClientStats {
    private final LatencyHistogram connectLatency = new LatencyHistogram();
    private final LatencyHistogram firstByteLatency = new LatencyHistogram();
    /** Connect latency since the series last sampled it (the per-second percentiles). */
    private final LatencyHistogram recentConnectLatency = new LatencyHistogram();
    private long attempts;
    private long successes;
    private long connects;
    private long synRetransmittedConnects;
    private final long[] failures = new long[FailureCause.values().length];

    public void attempt() {
        attempts++;
    }

    public void connectStarted() {
        connects++;
    }

    public void connected(long latencyNs, int synRetransmissions) {
        connectLatency.record(latencyNs / 1000);
        recentConnectLatency.record(latencyNs / 1000);
        if (synRetransmissions > 0) {
            synRetransmittedConnects++;
        }
    }

    /** Time from sending a request to the first byte of its response (curl's time_starttransfer after connect). */
    public void firstByte(long latencyNs) {
        firstByteLatency.record(latencyNs / 1000);
    }

    public LatencyHistogram firstByteLatency() {
        return firstByteLatency;
    }

    public void success() {
        successes++;
    }

    public void failure(FailureCause cause) {
        failures[cause.ordinal()]++;
    }

    public long attempts() {
        return attempts;
    }

    public long successes() {
        return successes;
    }

    public long connects() {
        return connects;
    }

    public long synRetransmittedConnects() {
        return synRetransmittedConnects;
    }

    public long failures(FailureCause cause) {
        return failures[cause.ordinal()];
    }

    public long failed() {
        long n = 0;
        for (long f : failures) {
            n += f;
        }
        return n;
    }

    /** Connect latencies since the last {@code clear()} of this histogram, which the per-second sampler does. */
    public LatencyHistogram recentConnectLatency() {
        return recentConnectLatency;
    }

    public LatencyHistogram connectLatency() {
        return connectLatency;
    }
}
