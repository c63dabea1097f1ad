package io.twlab.report.rules;

import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;
import io.twlab.report.RunFacts.Nat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A NAT dropping conntrack INVALID: the stale ACK never reaches the client, which then waits for its SYN RTO. */
public final class NatInvalidDropRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        List<Finding> out = new ArrayList<>();
        for (Nat n : run.nats()) {
            if (n.droppedInvalid() > 0) {
                out.add(new Finding("nat-invalid-drop", Severity.WARNING, n.name(), -1, -1, n.droppedInvalid(),
                        String.format(Locale.ROOT, "%s dropped %,d packets that conntrack marks INVALID (a reply ACK "
                                        + "to a SYN): the client never sees the stale ACK, so it does not reset and "
                                        + "waits for its SYN retransmission instead.", n.name(), n.droppedInvalid()),
                        Map.of("droppedInvalid", n.droppedInvalid())));
            }
        }
        return out;
    }
}
