package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.AdviceFinding.Fact;
import io.twlab.advise.Observed;
import io.twlab.advise.evidence.Bundle;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.advise.evidence.Sourced;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Conntrack losing packets: insert clashes, drops, early drops, or a table close to nf_conntrack_max. */
public final class ConntrackPressureRule implements LintRule {
    @Override
    public String id() {
        return "conntrack-pressure";
    }

    @Override
    public String appliesTo() {
        return "all kernels with nf_conntrack";
    }

    @Override
    public String mechanism() {
        return "__nf_conntrack_confirm() (net/netfilter/nf_conntrack_core.c) drops a packet whose new entry clashes "
                + "with one another CPU inserted first (insert_failed; two SYNs NATed to the same port at once), and "
                + "a full table makes __nf_conntrack_alloc() evict an unassured entry (early_drop) or drop the packet "
                + "(drop, 'table full'). Either way the SYN is lost and the client retransmits it after its RTO.";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (HostEvidence h : system.bundle.hosts.values()) {
            HostEvidence.ConntrackStats[] span = Bundle.conntrackSpan(h);
            if (span != null) {
                long seconds = span[1].epochSeconds() - span[0].epochSeconds();
                for (String k : List.of("insert_failed", "drop", "early_drop")) {
                    long a = span[0].values().getOrDefault(k, 0L);
                    long b = span[1].values().getOrDefault(k, 0L);
                    boolean two = span[0] != span[1];
                    long d = two ? b - a : b;
                    if (d <= 0 || !two && k.equals("early_drop")) {
                        continue;
                    }
                    Severity sev = two ? (k.equals("drop") || d >= 10 ? Severity.CRITICAL : Severity.WARNING)
                            : Severity.INFO;
                    List<Fact> facts = List.of(new Fact("conntrack " + k, two
                            ? String.format(Locale.ROOT, "%d -> %d (+%d in %d s)", a, b, d, seconds)
                            : b + " since boot (one reading)", two ? span[0].source() + " -> " + span[1].source()
                            : span[1].source()));
                    String what = switch (k) {
                        case "insert_failed" -> "new entries clashed at insert (two CPUs NATing SYNs to the same "
                                + "tuple; the later SYN is dropped and re-sent after 1 s)";
                        case "drop" -> "packets were dropped because the table was full";
                        default -> "entries were evicted early to make room";
                    };
                    out.add(new AdviceFinding(id(), sev, h.name, String.format(Locale.ROOT, "%s: %d %s%s.", h.name,
                            d, what, two ? " during the observation" : " since boot"), facts, appliesTo(),
                            mechanism(), Facts.figures("counter", k, "delta", d, "seconds", seconds)));
                }
            }
            long max = h.sysctlLong("net.netfilter.nf_conntrack_max", -1);
            Sourced<?> countSource = null;
            long count = -1;
            if (!h.conntrackCounts.isEmpty()) {
                Sourced<Long> c = h.conntrackCounts.get(h.conntrackCounts.size() - 1);
                count = c.value();
                countSource = c;
            } else if (h.sysctls.containsKey("net.netfilter.nf_conntrack_count")) {
                count = h.sysctlLong("net.netfilter.nf_conntrack_count", -1);
                countSource = h.sysctls.get("net.netfilter.nf_conntrack_count");
            }
            if (max > 0 && count >= 0 && count >= 0.75 * max) {
                out.add(new AdviceFinding(id(), count >= 0.9 * max ? Severity.CRITICAL : Severity.WARNING, h.name,
                        String.format(Locale.ROOT, "%s's conntrack table holds %d of %d entries (%.0f%%): past the "
                                + "limit new flows are dropped or evict others; raise nf_conntrack_max or shorten the "
                                + "timeouts that fill it (e.g. kube-proxy's 3600 s CLOSE_WAIT).", h.name, count, max,
                                100.0 * count / max),
                        List.of(new Fact("conntrack entries", count, countSource.source()),
                                Facts.sysctl(h, "net.netfilter.nf_conntrack_max")), appliesTo(), mechanism(),
                        Facts.figures("count", count, "max", max)));
            }
        }
        return out;
    }
}
