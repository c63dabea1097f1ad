package io.twlab.analyzer;

import io.twlab.report.Finding.Severity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * SYNs on a 4-tuple used less than 2 minutes before that got no answer at all on the first try, were re-sent after
 * the initial RTO (1 s) and then answered, with a TSval newer than the previous connection's (the same client, so not
 * PAWS or tcp_tw_recycle), while SYNs on fresh tuples rarely needed a re-send. That is IPVS with
 * net.ipv4.vs.conn_reuse_mode=1 on kernels before 5.9: the SYN finds the old connection entry (kept 2 min in
 * TIME_WAIT by the director), which ip_vs_in expires and drops the packet to reschedule; the client's retransmission
 * then gets a new entry (kubernetes/kubernetes#70747; 5.9's "ipvs: allow connection reuse for unconfirmed conntrack").
 */
final class IpvsConnReuseDetector implements ConnectionDetector {
    private static final long RECENT_NS = 120_000_000_000L;

    private long reusedRecently;
    private long reusedDropped;
    private long fresh;
    private long freshDropped;
    private final Map<String, Long> byService = new TreeMap<>();
    private final Evidence evidence = new Evidence();

    @Override
    public void onGenerationEnd(Flow f, boolean atCaptureEnd) {
        long since = f.previousEndNs();
        boolean recent = since >= 0 && f.firstSynTimeNs - since <= RECENT_NS;
        boolean dropped = f.firstSynLostThenAnswered();
        if (!recent) {
            fresh++;
            if (dropped) {
                freshDropped++;
            }
            return;
        }
        reusedRecently++;
        boolean newer = !f.synHasTs || !f.previousClientHasTs || f.synTsVal - f.previousLastClientTsVal >= 0;
        if (!dropped || !newer) {
            return;
        }
        reusedDropped++;
        byService.merge(Evidence.server(f), 1L, Long::sum);
        if (!evidence.wants()) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("secondsSincePreviousConnection", Math.round((f.firstSynTimeNs - since) / 1e6) / 1e3);
        fields.put("resentAfterSeconds", Math.round(f.synGaps[0] / 1e6) / 1e3);
        evidence.add(List.of(f.firstSynPacket), f.firstSynTimeNs, f, fields);
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        double reusedShare = reusedDropped / (double) Math.max(1, reusedRecently);
        double freshShare = freshDropped / (double) Math.max(1, fresh);
        if (reusedDropped < 3 || reusedShare < 0.5 || reusedShare <= 3 * freshShare) {
            return;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("services", byService);
        facts.put("reusedWithin120s", reusedRecently);
        facts.put("reusedDroppedShare", Math.round(reusedShare * 1000) / 1000.0);
        facts.put("freshDroppedShare", Math.round(freshShare * 1000) / 1000.0);
        out.add(new AnalysisFinding("ipvs-conn-reuse-drop", Severity.CRITICAL, reusedDropped, String.format(Locale.ROOT,
                "%,d of %,d SYNs on a 4-tuple used in the previous 2 minutes got no answer to the first try, were "
                        + "re-sent 1 s later and then answered (%.0f %%, against %.1f %% of SYNs on fresh tuples), with "
                        + "TSvals newer than the previous connection's: the signature of IPVS conn_reuse_mode=1 on a "
                        + "kernel before 5.9, where a SYN meeting the old connection entry is dropped while that entry "
                        + "is expired (kube-proxy IPVS; kubernetes/kubernetes#70747). Each such connect waits 1 s. "
                        + "Services: %s.", reusedDropped, reusedRecently, reusedShare * 100, freshShare * 100, byService),
                evidence.list(), facts));
    }
}
