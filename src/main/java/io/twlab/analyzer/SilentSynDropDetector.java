package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;
import io.twlab.report.Finding.Severity;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Connection attempts whose SYNs got no answer at all, and among them those whose SYN carried a TSval lower than
 * the last one seen from the same source address to the same server within 60 s: tcp_tw_recycle's per-peer
 * timestamp check (tcp_v4_conn_request / tcp_peer_is_proven) drops such SYNs silently, and behind a NAT the
 * "peer" is many hosts with different clocks.
 */
final class SilentSynDropDetector implements Detector {
    private static final long PEER_MEMORY_NS = 60_000_000_000L;
    /** A SYN this close to the end of the capture may have been answered after it. */
    private static final long CUT_OFF_NS = 3_000_000_000L;
    private long lastSeenNs = Long.MIN_VALUE;

    /** Per (source address, server address): the newest TSval seen and when. */
    private final Object2ObjectOpenHashMap<AddressPair, long[]> lastByPeer = new Object2ObjectOpenHashMap<>();
    private final AddressPair probe = new AddressPair();
    private long unanswered;
    private long unansweredRegressed;
    private long answered;
    private long answeredRegressed;
    private final Map<String, Long> bySource = new TreeMap<>();
    private final Evidence evidence = new Evidence();

    @Override
    public void onSegment(Segment s, Flow f, boolean fromClient, int events) {
        lastSeenNs = Math.max(lastSeenNs, s.timeNs);
        if (!fromClient || !s.hasTimestamp) {
            return;
        }
        // One hash lookup per flow, not per packet: the flow keeps its address pair's slot.
        long[] last = f.peerTimestamp;
        if (last == null) {
            last = lastByPeer.get(probe.set(s.srcHi, s.srcLo, s.dstHi, s.dstLo));
            if (last == null) {
                last = new long[]{s.tsVal & 0xffffffffL, s.timeNs};
                lastByPeer.put(probe.copy(), last);
            }
            f.peerTimestamp = last;
        }
        if ((events & Tracker.NEW_GENERATION) != 0 && s.timeNs - last[1] <= PEER_MEMORY_NS
                && (int) (last[0] - s.tsVal) > 0) {
            f.synTsRegressed = true;
        }
        if (s.tsVal - (int) last[0] >= 0) {
            last[0] = s.tsVal & 0xffffffffL;
            last[1] = s.timeNs;
        }
    }

    @Override
    public void onGenerationEnd(Flow f, boolean atCaptureEnd) {
        boolean regressed = f.synTsRegressed;
        if (f.serverAnswered || f.synAcked || f.staleAckPacket != 0) {
            answered++;
            if (regressed) {
                answeredRegressed++;
            }
            return;
        }
        // One SYN and nothing more, or SYNs until the capture stopped: the answer may simply not be in the file.
        if (f.synTries < 2 || (atCaptureEnd && lastSeenNs - f.lastSynTimeNs < CUT_OFF_NS)) {
            return;
        }
        unanswered++;
        if (regressed) {
            unansweredRegressed++;
            bySource.merge(Segment.address(f.clientHi, f.clientLo), 1L, Long::sum);
            if (!evidence.wants()) {
                return;
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("synTries", f.synTries);
            fields.put("synTsVal", Integer.toUnsignedLong(f.synTsVal));
            evidence.add(List.of(f.firstSynPacket), f.firstSynTimeNs, f, fields);
        }
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        if (unanswered == 0) {
            return;
        }
        double share = unansweredRegressed / (double) unanswered;
        double baseline = answeredRegressed / (double) Math.max(1, answered + answeredRegressed);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("unansweredAttempts", unanswered);
        facts.put("withTsValRegression", unansweredRegressed);
        facts.put("answeredWithTsValRegression", answeredRegressed);
        facts.put("sources", bySource);
        // tw_recycle drops exactly the regressed SYNs: most silent drops regressed while answered SYNs rarely did.
        boolean recycle = unansweredRegressed >= 3 && share >= 0.5 && share > 3 * baseline;
        facts.put("twRecycleSignature", recycle);
        String text = recycle
                ? String.format(java.util.Locale.ROOT, "%,d connection attempts got no answer to any of their SYNs, and "
                        + "%,d of them (%.0f %%) carried a TSval lower than the last one seen from the same address to "
                        + "the same server within 60 s, against %.1f %% of answered attempts: the signature of "
                        + "net.ipv4.tcp_tw_recycle=1 on the server (a per-peer timestamp check that drops such SYNs "
                        + "without a reply) with several hosts behind one address (NAT). Sources: %s.", unanswered,
                unansweredRegressed, share * 100, baseline * 100, bySource)
                : String.format(java.util.Locale.ROOT, "%,d connection attempts got no answer to any of their SYNs "
                        + "(retransmitted, never a SYN-ACK, ACK or RST): lost on the way, dropped by a firewall, or a "
                        + "full accept queue. Their TSvals do not point at tcp_tw_recycle (%,d regressed).",
                unanswered, unansweredRegressed);
        Severity severity = recycle ? Severity.CRITICAL : unanswered >= 10 ? Severity.WARNING : Severity.INFO;
        out.add(new AnalysisFinding("silent-syn-drop", severity, unanswered,
                text, evidence.list(), facts));
    }
}
