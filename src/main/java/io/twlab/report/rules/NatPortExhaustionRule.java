package io.twlab.report.rules;

import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;
import io.twlab.report.RunFacts.Nat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A NAT found no free public port for a new connection: the SYN was dropped. */
public final class NatPortExhaustionRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        List<Finding> out = new ArrayList<>();
        for (Nat n : run.nats()) {
            if (n.allocationFailures() > 0) {
                out.add(new Finding("nat-port-exhaustion", Severity.CRITICAL, n.name(), -1, -1, n.allocationFailures(),
                        String.format(Locale.ROOT, "%s found no free port %,d times (range %d-%d on %d address(es)): "
                                        + "those SYNs were dropped.", n.name(), n.allocationFailures(), n.portLow(),
                                n.portHigh(), n.addresses()), Map.of("allocationFailures", n.allocationFailures())));
            }
        }
        return out;
    }
}
