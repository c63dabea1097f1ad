package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;
import io.twlab.report.Finding.Severity;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Bursts of resets (a second with at least 50 RSTs), and how many resets answered stale ACKs (the PAWS pattern). */
final class RstDetector implements Detector {
    private static final int STORM_PER_SECOND = 50;

    private long firstNs = Long.MIN_VALUE;
    private long[] perSecond = new long[64];
    private long total;
    private long toStaleAck;
    private final Evidence evidence = new Evidence();

    @Override
    public void onSegment(Segment s, Flow f, boolean fromClient, int events) {
        if (!s.has(Segment.RST)) {
            return;
        }
        if (firstNs == Long.MIN_VALUE) {
            firstNs = s.timeNs;
        }
        long second = Math.max(0, (s.timeNs - firstNs) / 1_000_000_000L);
        if (second < 10_000_000) {
            if (second >= perSecond.length) {
                perSecond = Arrays.copyOf(perSecond, (int) Math.max(second + 1, perSecond.length * 2L));
            }
            perSecond[(int) second]++;
        }
        total++;
        if ((events & Tracker.RST_TO_STALE_ACK) != 0) {
            toStaleAck++;
            if (!evidence.wants()) {
                return;
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("rstSeq", Integer.toUnsignedLong(s.seq));
            evidence.add(List.of(f.staleAckPacket, s.number), s.timeNs, f, fields);
        }
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        long peak = 0;
        int peakSecond = 0;
        int stormSeconds = 0;
        for (int i = 0; i < perSecond.length; i++) {
            if (perSecond[i] > peak) {
                peak = perSecond[i];
                peakSecond = i;
            }
            if (perSecond[i] >= STORM_PER_SECOND) {
                stormSeconds++;
            }
        }
        if (peak < STORM_PER_SECOND) {
            return;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("rsts", total);
        facts.put("peakPerSecond", peak);
        facts.put("peakAtSecond", peakSecond);
        facts.put("secondsAtOrAbove50", stormSeconds);
        facts.put("answeringStaleAcks", toStaleAck);
        out.add(new AnalysisFinding("rst-storm", Severity.WARNING, total, String.format(Locale.ROOT,
                "%,d RSTs, up to %,d in one second (%d s after the first reset; %d seconds at 50/s or more); %,d of "
                        + "them reset a stale ACK that answered a SYN (the client's answer to a PAWS reject).", total,
                peak, peakSecond, stormSeconds, toStaleAck), evidence.list(), facts));
    }
}
