package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;

import java.util.Arrays;
import java.util.List;

/** Per-second counts for the report's timeline: new connections, SYN retransmissions, stale ACKs to SYNs, RSTs. */
final class TimelineDetector implements Detector {
    static final String[] NAMES = {"new connections", "SYN retransmissions", "SYNs answered by a stale ACK", "RSTs"};
    private static final int MAX_SECONDS = 10_000_000;

    private long firstNs = Long.MIN_VALUE;
    private long[][] counts = new long[NAMES.length][64];
    private int seconds;

    @Override
    public void onSegment(Segment s, Flow flow, boolean fromClient, int events) {
        if (firstNs == Long.MIN_VALUE) {
            firstNs = s.timeNs;
        }
        long second = (s.timeNs - firstNs) / 1_000_000_000L;
        if (second < 0 || second >= MAX_SECONDS) {
            return;
        }
        int i = (int) second;
        if (i >= counts[0].length) {
            int n = Math.max(i + 1, counts[0].length * 2);
            for (int k = 0; k < counts.length; k++) {
                counts[k] = Arrays.copyOf(counts[k], n);
            }
        }
        seconds = Math.max(seconds, i + 1);
        if ((events & Tracker.NEW_GENERATION) != 0) {
            counts[0][i]++;
        }
        if ((events & Tracker.SYN_RETRANSMISSION) != 0) {
            counts[1][i]++;
        }
        if ((events & Tracker.STALE_ACK) != 0) {
            counts[2][i]++;
        }
        if (s.has(Segment.RST)) {
            counts[3][i]++;
        }
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
    }

    int seconds() {
        return seconds;
    }

    long[] counts(int series) {
        return Arrays.copyOf(counts[series], seconds);
    }
}
