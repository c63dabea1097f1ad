package io.twlab.analyzer;

import io.twlab.report.Finding.Severity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Seed 000's signature: a SYN on a 4-tuple whose previous connection closed less than 2 minutes before (so the
 * server may still hold it in TIME_WAIT), answered not with a SYN-ACK but with a bare ACK carrying another ack
 * number (the old connection's: tcp_timewait_state_process found the SYN's TSval older than the one it
 * remembered, a PAWS reject, and re-sent its last ACK), usually followed by the client's RST with that number.
 */
final class PawsRejectDetector implements ConnectionDetector {
    private static final long WINDOW_NS = 120_000_000_000L;

    private long count;
    private long withRst;
    private long withTs;
    private long regressed;
    private long regressionMin = Long.MAX_VALUE;
    private long regressionMax;
    private double ageMin = Double.MAX_VALUE;
    private double ageMax;
    private final Map<String, Long> byServer = new TreeMap<>();
    private final Evidence evidence = new Evidence();

    @Override
    public void onGenerationEnd(Flow f, boolean atCaptureEnd) {
        if (f.staleAckPacket == 0 || !f.hasPrevious || !f.previousClosed || f.previousCloseTimeNs < 0) {
            return;
        }
        long age = f.firstSynTimeNs - f.previousCloseTimeNs;
        if (age < 0 || age > WINDOW_NS) {
            return;
        }
        count++;
        byServer.merge(Evidence.server(f), 1L, Long::sum);
        ageMin = Math.min(ageMin, age / 1e9);
        ageMax = Math.max(ageMax, age / 1e9);
        int behind = 0;
        if (f.synHasTs && f.previousClientHasTs) {
            withTs++;
            behind = f.previousLastClientTsVal - f.synTsVal;
            if (behind > 0) {
                regressed++;
                regressionMin = Math.min(regressionMin, behind);
                regressionMax = Math.max(regressionMax, behind);
            }
        }
        if (f.staleRstPacket != 0) {
            withRst++;
        }
        if (!evidence.wants()) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("secondsSincePreviousClose", Math.round(age / 1e6) / 1e3);
        fields.put("staleAck", Integer.toUnsignedLong(f.staleAckNumber));
        fields.put("synSeq", Integer.toUnsignedLong(f.isn));
        if (f.synHasTs && f.previousClientHasTs) {
            fields.put("synTsVal", Integer.toUnsignedLong(f.synTsVal));
            fields.put("previousTsVal", Integer.toUnsignedLong(f.previousLastClientTsVal));
            if (behind > 0) {
                fields.put("tsValBehindBy", (long) behind);
            }
        }
        evidence.add(Evidence.synAnsweredByStaleAck(f), f.firstSynTimeNs, f, fields);
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        if (count == 0) {
            return;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("servers", byServer);
        facts.put("answeredByClientRst", withRst);
        facts.put("withTimestamps", withTs);
        facts.put("tsValRegressed", regressed);
        if (regressed > 0) {
            facts.put("tsValBehindByMin", regressionMin);
            facts.put("tsValBehindByMax", regressionMax);
        }
        facts.put("secondsSincePreviousCloseMin", Math.round(ageMin * 1000) / 1000.0);
        facts.put("secondsSincePreviousCloseMax", Math.round(ageMax * 1000) / 1000.0);
        String ts = withTs == 0 ? " The capture has no TCP timestamps to compare."
                : String.format(java.util.Locale.ROOT, " In %,d of the %,d with timestamps the SYN's TSval was older than "
                        + "the last one of the previous connection (by %,d to %,d ticks): the signature of different "
                        + "hosts' clocks behind one NAT address, or of per-4-tuple timestamp offsets (Linux 4.10+).",
                regressed, withTs, regressed > 0 ? regressionMin : 0, regressed > 0 ? regressionMax : 0);
        out.add(new AnalysisFinding("paws-timewait-reject", Severity.CRITICAL, count, String.format(
                java.util.Locale.ROOT, "%,d SYNs reopened a 4-tuple %.1f-%.1f s after its previous connection closed "
                        + "and were answered with a bare ACK for the old connection instead of a SYN-ACK (%,d then reset "
                        + "by the client): the server still held the tuple in TIME_WAIT and PAWS rejected the SYN's "
                        + "timestamp (tcp_timewait_state_process), so the client waited for a SYN retransmission.%s "
                        + "Servers: %s.", count, ageMin, ageMax, withRst, ts, byServer), evidence.list(), facts));
    }
}
