package io.twlab.analyzer;

import io.twlab.report.Finding.Severity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Connections that waited for a SYN retransmission, classified by their retransmission schedule (which names the
 * sending stack: 1 s or 3 s initial RTO, doubling or linear, a fixed 3 s re-send by an IPVS SYNPROXY, or an
 * immediate re-send after resetting a stale ACK), and requests whose first response byte came exactly 3, 6 or 9 s
 * late (the SYNPROXY stall of seed 002 seen from the client side).
 */
final class SynStallDetector implements ConnectionDetector {
    private final Map<String, Long> schedules = new TreeMap<>();
    private final Map<String, Long> firstByteStalls = new TreeMap<>();
    private long stalled;
    private long connections;
    private long stallTotalNs;
    private long stallMaxNs;
    private final Evidence evidence = new Evidence();

    static boolean near(double value, double target, double tolerance) {
        return Math.abs(value - target) <= tolerance;
    }

    /** Names the schedule of retransmission gaps (seconds), as far as the gaps seen tell. */
    static String classify(double[] gaps, int n) {
        double g1 = gaps[0];
        if (g1 < 0.2) {
            return "immediate re-send (after resetting a stale ACK: one RTT plus a couple of jiffies)";
        }
        if (near(g1, 1, 0.3)) {
            if (n >= 2 && near(gaps[1], 1, 0.3)) {
                return "1 s linear steps (tcp_syn_linear_timeouts, Linux 6.5+)";
            }
            return "1 s initial RTO, doubling (Linux 2.6.39 and later)";
        }
        if (near(g1, 3, 0.4)) {
            if (n >= 2 && near(gaps[1], 3, 0.4)) {
                return "fixed 3 s steps (IPVS SYNPROXY re-sending toward a real server)";
            }
            if (n >= 2 && near(gaps[1], 6, 0.8)) {
                return "3 s initial RTO, doubling (Linux 2.6.38 and older, RFC 2988)";
            }
            return "3 s first re-send (2.6.x initial RTO or a SYNPROXY)";
        }
        return "other (" + Math.round(g1 * 1000) + " ms first gap)";
    }

    @Override
    public void onGenerationEnd(Flow f, boolean atCaptureEnd) {
        connections++;
        if (f.clientFirstDataNs >= 0 && f.serverFirstDataNs > f.clientFirstDataNs) {
            double ttfb = (f.serverFirstDataNs - f.clientFirstDataNs) / 1e9;
            for (int k = 3; k <= 12; k += 3) {
                if (near(ttfb, k, 0.25)) {
                    firstByteStalls.merge(k + "s", 1L, Long::sum);
                }
            }
        }
        if (f.synTries < 2) {
            return;
        }
        int n = Math.min(f.synTries - 1, f.synGaps.length);
        double[] gaps = new double[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            gaps[i] = f.synGaps[i] / 1e9;
            total += f.synGaps[i];
        }
        stalled++;
        stallTotalNs += total;
        stallMaxNs = Math.max(stallMaxNs, total);
        String schedule = classify(gaps, n);
        schedules.merge(schedule, 1L, Long::sum);
        if (!evidence.wants()) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("synTries", f.synTries);
        fields.put("gapsSeconds", java.util.Arrays.stream(gaps).map(g -> Math.round(g * 1000) / 1000.0).boxed().toList());
        fields.put("answered", f.synAcked);
        evidence.add(List.of(f.firstSynPacket), f.firstSynTimeNs, f, fields);
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        long ttfbStalls = firstByteStalls.values().stream().mapToLong(Long::longValue).sum();
        if (stalled == 0 && ttfbStalls < 3) {
            return;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("connections", connections);
        facts.put("withSynRetransmission", stalled);
        facts.put("schedules", schedules);
        facts.put("meanWaitSeconds", stalled == 0 ? 0 : Math.round(stallTotalNs / (double) stalled / 1e6) / 1e3);
        facts.put("maxWaitSeconds", Math.round(stallMaxNs / 1e6) / 1e3);
        facts.put("firstByteStalls", firstByteStalls);
        double share = stalled / (double) Math.max(1, connections);
        StringBuilder text = new StringBuilder();
        if (stalled > 0) {
            text.append(String.format(Locale.ROOT, "%,d of %,d connections (%.1f %%) waited for a SYN retransmission, "
                            + "up to %.1f s; schedules: %s.", stalled, connections, share * 100, stallMaxNs / 1e9,
                    schedules));
        }
        if (ttfbStalls >= 3) {
            text.append(text.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%,d requests got their first "
                    + "response byte exactly 3, 6 or 9 s after sending (%s): the signature of an LVS SYNPROXY whose "
                    + "SYN toward the real server was lost and re-sent on its fixed 3 s timer.", ttfbStalls,
                    firstByteStalls));
        }
        out.add(new AnalysisFinding("syn-retransmit-stall", share >= 0.01 || ttfbStalls >= 3 ? Severity.WARNING
                : Severity.INFO, stalled + ttfbStalls, text.toString(), evidence.list(), facts));
    }
}
