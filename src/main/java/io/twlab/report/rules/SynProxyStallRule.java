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

/**
 * Seed 002: SYNPROXY re-sent SYNs toward real servers. The client was already connected by the proxy, so the
 * stall shows in its time to first byte, in steps of the 3 s SYN_SENT timeout.
 */
public final class SynProxyStallRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        long retries = run.directors().stream().mapToLong(RunFacts.Director::synProxyRetries).sum();
        if (retries == 0) {
            return List.of();
        }
        LatencyHistogram fb = run.clients().firstByteLatency();
        Map<String, Object> modes = new LinkedHashMap<>();
        StringBuilder modeText = new StringBuilder();
        for (int sec = 3; sec <= 12; sec += 3) {
            long c = fb.countBetween(sec * 1_000_000L - 50_000, sec * 1_000_000L + 500_000);
            if (c > 0) {
                modes.put(sec + "s", c);
                modeText.append(modeText.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d near %d s",
                        c, sec));
            }
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("synProxyRetries", retries);
        facts.put("firstByteP99Ms", fb.quantile(0.99) / 1000.0);
        facts.put("firstByteMaxMs", fb.max() / 1000.0);
        facts.put("stallModes", modes);
        String where = String.join(", ", run.directors().stream().filter(d -> d.synProxyRetries() > 0)
                .map(RunFacts.Director::name).toList());
        return List.of(new Finding("synproxy-stall", Severity.WARNING, where, -1, -1, retries, String.format(Locale.ROOT,
                "SYNPROXY on %s re-sent %,d SYNs toward real servers after the first was lost, on its fixed 3 s timer "
                        + "(the entry's SYN_SENT timeout), so requests already accepted from connected clients waited "
                        + "3 s, 6 s or 9 s for their first byte%s; time to first byte p99 %s ms, max %s ms.", where,
                retries, modeText.length() == 0 ? "" : " (" + modeText + ")", num(fb.quantile(0.99) / 1000.0),
                num(fb.max() / 1000.0)), facts));
    }
}
