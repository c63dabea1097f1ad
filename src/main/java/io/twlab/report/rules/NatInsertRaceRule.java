package io.twlab.report.rules;

import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;
import io.twlab.report.RunFacts.Nat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** SYNs a multi-CPU gateway dropped at confirm because another CPU took the same public tuple (insert_failed). */
public final class NatInsertRaceRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        List<Finding> out = new ArrayList<>();
        for (Nat n : run.nats()) {
            if (n.insertFailed() > 0) {
                out.add(new Finding("nat-insert-race", Severity.WARNING, n.name(), -1, -1, n.insertFailed(),
                        String.format(Locale.ROOT, "%s dropped %,d SYNs at conntrack confirm (insert_failed): two of "
                                + "its %d CPUs chose the same public port for simultaneous connections and the second "
                                + "lost; each costs its client a SYN retransmission timeout. fully-random SNAT "
                                + "(--random-fully) makes a shared source port no longer lead to the same choice; a "
                                + "wider port range makes any collision rarer.", n.name(), n.insertFailed(), n.cpus()),
                        Map.of("insertFailed", n.insertFailed(), "cpus", n.cpus())));
            }
        }
        return out;
    }
}
