package io.twlab.report;

import io.twlab.model.RunResult;
import io.twlab.report.Finding.Severity;
import io.twlab.report.rules.ClientFailureRule;
import io.twlab.report.rules.ClientPortExhaustionRule;
import io.twlab.report.rules.ConntrackTableFullRule;
import io.twlab.report.rules.DirectorDropRule;
import io.twlab.report.rules.FindingRule;
import io.twlab.report.rules.IpvsEntryReuseRule;
import io.twlab.report.rules.LinkLossRule;
import io.twlab.report.rules.NatInsertRaceRule;
import io.twlab.report.rules.NatInvalidDropRule;
import io.twlab.report.rules.NatPortExhaustionRule;
import io.twlab.report.rules.NoFailuresRule;
import io.twlab.report.rules.PawsRejectRule;
import io.twlab.report.rules.SynProxyStallRule;
import io.twlab.report.rules.SynRetransmitStallRule;
import io.twlab.report.rules.TimeWaitOverflowRule;
import io.twlab.report.rules.TwRecycleRule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a finished run into findings: the failures it shows, when they started and stopped, and the mechanism
 * behind each, with the figures that support it. Each kind is one rule over the run's frozen facts; most severe
 * first (rule order within a severity); a run with no trouble gives the all-clear first.
 */
public final class Findings {
    /** The rules, in the order their findings are listed within one severity. */
    static final List<FindingRule> RULES = List.of(new PawsRejectRule(), new TwRecycleRule(), new ClientFailureRule(),
            new SynRetransmitStallRule(), new SynProxyStallRule(), new IpvsEntryReuseRule(), new DirectorDropRule(),
            new TimeWaitOverflowRule(), new ClientPortExhaustionRule(), new NatPortExhaustionRule(), new ConntrackTableFullRule(), new NatInsertRaceRule(), new NatInvalidDropRule(), new LinkLossRule());

    private Findings() {
    }

    public static List<Finding> of(RunResult run) {
        return of(RunFacts.of(run));
    }

    public static List<Finding> of(RunFacts run) {
        List<Finding> out = new ArrayList<>();
        for (FindingRule rule : RULES) {
            out.addAll(rule.apply(run));
        }
        if (out.stream().allMatch(f -> f.severity() == Severity.INFO)) {
            out.add(0, new NoFailuresRule().apply(run));
        }
        out.sort(Comparator.comparing(Finding::severity));
        return List.copyOf(out);
    }
}
