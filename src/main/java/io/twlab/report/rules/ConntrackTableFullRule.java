package io.twlab.report.rules;

import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;
import io.twlab.report.RunFacts.Nat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A gateway's conntrack table reached nf_conntrack_max and early_drop() found nothing to evict: new connections'
 * SYNs were dropped ("nf_conntrack: table full, dropping packet") and the clients re-sent them on their RTO.
 */
public final class ConntrackTableFullRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        List<Finding> out = new ArrayList<>();
        for (Nat n : run.nats()) {
            if (n.tableFullDrops() == 0) {
                continue;
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("conntrackMax", n.conntrackMax());
            facts.put("tableFullDrops", n.tableFullDrops());
            facts.put("earlyDrops", n.earlyDrops());
            facts.put("gcEarlyDrops", n.gcEarlyDrops());
            out.add(new Finding("conntrack-table-full", Severity.CRITICAL, n.name(), -1, -1, n.tableFullDrops(),
                    String.format(Locale.ROOT, "%s's conntrack table was full (nf_conntrack_max %,d): %,d SYNs were "
                                    + "dropped (\"nf_conntrack: table full, dropping packet\") and re-sent by their "
                                    + "clients after their RTO; early_drop evicted %,d unreplied entries and the gc "
                                    + "worker %,d closing ones. Entries live as long as their state's timeout: raise "
                                    + "nf_conntrack_max or shorten the timeouts that hold most entries (time_wait, "
                                    + "close_wait, established).", n.name(), n.conntrackMax(), n.tableFullDrops(),
                            n.earlyDrops(), n.gcEarlyDrops()), facts));
        }
        return out;
    }
}
