package io.twlab.report.rules;

import io.twlab.metrics.LatencyHistogram;
import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.twlab.report.rules.Wording.num;
import static io.twlab.report.rules.Wording.pct;
import static io.twlab.report.rules.Wording.share;

/**
 * Connects that completed only after a SYN retransmission, with where their latencies cluster: the usual first
 * RTOs (1 s, 3 s) and their doublings, and SYNPROXY's 3 s steps.
 */
public final class SynRetransmitStallRule implements FindingRule {
    private static final int[] STALL_SECONDS = {1, 2, 3, 6, 7, 9, 15, 21};
    static final double WARNING_SHARE = 0.001;

    @Override
    public List<Finding> apply(RunFacts run) {
        RunFacts.Clients s = run.clients();
        long n = s.synRetransmittedConnects();
        if (n == 0) {
            return List.of();
        }
        LatencyHistogram h = s.connectLatency();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("connects", s.connects());
        facts.put("p99Ms", h.quantile(0.99) / 1000.0);
        facts.put("maxMs", h.max() / 1000.0);
        Map<String, Object> modes = new LinkedHashMap<>();
        StringBuilder modeText = new StringBuilder();
        for (int sec : STALL_SECONDS) {
            long c = h.countBetween(sec * 1_000_000L - 50_000, sec * 1_000_000L + 200_000);
            if (c > 0) {
                modes.put(sec + "s", c);
                modeText.append(modeText.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d near %d s",
                        c, sec));
            }
        }
        facts.put("stallModes", modes);
        String why = " Each stall is a SYN retransmission timeout: the first SYN got no SYN-ACK.";
        return List.of(new Finding("syn-retransmit-stall",
                share(n, s.connects()) >= WARNING_SHARE ? Severity.WARNING : Severity.INFO, "clients", -1, -1, n,
                String.format(Locale.ROOT,
                        "%,d of %,d connects completed only after a SYN retransmission (%s %%); connect p99 %s ms, "
                                + "max %s ms%s.%s", n, s.connects(), pct(share(n, s.connects())),
                        num(h.quantile(0.99) / 1000.0), num(h.max() / 1000.0),
                        modeText.length() == 0 ? "" : "; stalls " + modeText, why), facts));
    }
}
