package io.twlab.report.rules;

import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;

import java.util.Locale;
import java.util.Map;

/** The run's all-clear, given when no other rule found anything above INFO. */
public final class NoFailuresRule {
    public Finding apply(RunFacts run) {
        RunFacts.Clients s = run.clients();
        long inFlight = s.attempts() - s.successes() - s.failed();
        return new Finding("no-failures", Severity.INFO, "clients", -1, -1, s.successes(),
                String.format(Locale.ROOT, "No failures: %,d of %,d requests succeeded%s, and no host rejected or "
                                + "dropped a SYN.", s.successes(), s.attempts(),
                        inFlight > 0 ? String.format(Locale.ROOT, " (%,d still in flight when the run ended)",
                                inFlight) : ""), Map.of());
    }
}
