package io.twlab.report.rules;

import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;
import io.twlab.report.RunFacts.Host;
import io.twlab.tcp.NoPortCause;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * connect() on a host found no ephemeral port (EADDRNOTAVAIL), with what held the ports and the fix that matches:
 * TIME_WAIT with reuse off is relieved by tcp_tw_reuse=1; too-young TIME_WAIT by a shorter tcp_tw_reuse_delay
 * (6.14+) or a wider range; ports in use only by a wider ip_local_port_range or more source addresses.
 */
public final class ClientPortExhaustionRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        List<Finding> out = new ArrayList<>();
        for (Host h : run.hosts()) {
            long total = h.noPortFailureCount();
            if (total == 0) {
                continue;
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            StringBuilder causes = new StringBuilder();
            NoPortCause main = null;
            for (NoPortCause c : NoPortCause.values()) {
                long n = h.noPortFailures().getOrDefault(c, 0L);
                if (n > 0) {
                    facts.put(c.key(), n);
                    causes.append(causes.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %,d",
                            c.key(), n));
                    if (main == null || n > h.noPortFailures().get(main)) {
                        main = c;
                    }
                }
            }
            out.add(new Finding("client-port-exhaustion", Severity.CRITICAL, h.name(), -1, -1, total,
                    String.format(Locale.ROOT, "%s: connect() found no free local port %,d times (EADDRNOTAVAIL), "
                            + "the ports held by %s. %s", h.name(), total, causes, remedy(main)), facts));
        }
        return out;
    }

    private static String remedy(NoPortCause main) {
        return switch (main) {
            case TIME_WAIT -> "Most were this host's own TIME_WAIT sockets: tcp_tw_reuse=1 lets connect() take them "
                    + "over (timestamps needed), or let the server close first.";
            case TIME_WAIT_TOO_RECENT -> "tcp_tw_reuse is on but the TIME_WAITs were younger than its time rule: "
                    + "widen ip_local_port_range or, on 6.14+, lower tcp_tw_reuse_delay.";
            case TIME_WAIT_NO_TIMESTAMPS -> "tcp_tw_reuse is on but cannot act without timestamps: turn "
                    + "tcp_timestamps back on.";
            case FIN_WAIT2 -> "Orphaned FIN_WAIT2 sockets held them: lower tcp_fin_timeout.";
            case IN_USE -> "Open connections held them: widen ip_local_port_range, add source addresses or "
                    + "pool connections; tcp_tw_reuse cannot help.";
        };
    }
}
