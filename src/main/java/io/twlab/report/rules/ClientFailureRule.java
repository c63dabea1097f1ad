package io.twlab.report.rules;

import io.twlab.metrics.FailureCause;
import io.twlab.model.SeriesKey;
import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.twlab.report.rules.Wording.between;
import static io.twlab.report.rules.Wording.first;
import static io.twlab.report.rules.Wording.last;
import static io.twlab.report.rules.Wording.pct;

/** Requests the clients gave up on, by cause; critical from one in a thousand. */
public final class ClientFailureRule implements FindingRule {
    static final double CRITICAL_SHARE = 0.001;

    @Override
    public List<Finding> apply(RunFacts run) {
        RunFacts.Clients s = run.clients();
        if (s.failed() == 0) {
            return List.of();
        }
        long[] span = run.series().positiveSpan(SeriesKey.FAILED);
        Map<String, Object> facts = new LinkedHashMap<>();
        StringBuilder causes = new StringBuilder();
        for (FailureCause f : FailureCause.values()) {
            if (s.failures(f) > 0) {
                facts.put(f.key(), s.failures(f));
                causes.append(causes.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %,d", f.key(),
                        s.failures(f)));
            }
        }
        double share = s.failed() / (double) Math.max(1, s.attempts());
        facts.put("share", share);
        return List.of(new Finding("client-failures", share >= CRITICAL_SHARE ? Severity.CRITICAL : Severity.WARNING,
                "clients", first(span), last(span), s.failed(), String.format(Locale.ROOT,
                "%,d of %,d requests failed (%s %%) %s: %s.", s.failed(), s.attempts(), pct(share), between(span),
                causes), facts));
    }
}
