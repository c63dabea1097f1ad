package io.twlab.report.rules;

import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.twlab.report.rules.Wording.pct;
import static io.twlab.report.rules.Wording.share;

/** Packets the scenario's lossy links lost: context for the retransmissions, never a cause found. */
public final class LinkLossRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        long lost = run.links().lost();
        long delivered = run.links().delivered();
        if (lost == 0) {
            return List.of();
        }
        return List.of(new Finding("link-loss", Severity.INFO, "links", -1, -1, lost, String.format(Locale.ROOT,
                "The links lost %,d of %,d packets (%s %%), as the scenario's loss settings ask.", lost,
                lost + delivered, pct(share(lost, lost + delivered))), Map.of("lost", lost, "delivered", delivered)));
    }
}
