package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.AdviceFinding.Fact;
import io.twlab.advise.Observed;
import io.twlab.advise.Role;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.advise.evidence.IpvsService;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The director's connection entries outliving the client's port reuse period: above ports / entry lifetime a SYN
 * finds the old entry, is sent to the same real server and is not counted as a new connection (seed 000's LVS
 * curve flattening at 63487 / 120 ≈ 529/s).
 */
public final class IpvsEntryReuseRule implements LintRule {
    static final long UPSTREAM_TIME_WAIT = 120;
    static final long ALIBABA_TIME_WAIT = 7;

    @Override
    public String id() {
        return "ipvs-entry-reuse";
    }

    @Override
    public String appliesTo() {
        return "all IPVS kernels (TIME_WAIT entry 120 s upstream, 7 s in Alibaba LVS / DPVS)";
    }

    @Override
    public String mechanism() {
        return "ip_vs_in() (net/netfilter/ipvs/ip_vs_core.c) looks a packet's tuple up first and only schedules, and "
                + "counts Conns (ip_vs_conn_stats), when no entry exists; a closed connection's entry stays for the "
                + "TIME_WAIT timeout of ip_vs_proto_tcp.c's tcp_timeouts[] (120 s). When the clients' source ports "
                + "come back sooner, the SYN reuses the entry and its real server, and ipvsadm's new-connection rate "
                + "falls while the real rate does not.";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        long ports = system.hosts(Role.NAT).stream().filter(n -> !n.natRules.isEmpty())
                .mapToLong(n -> (long) n.natRules.get(0).ports() * Math.max(1, n.natRules.get(0).addresses().size()))
                .sum();
        for (HostEvidence d : system.hosts(Role.DIRECTOR)) {
            for (IpvsService s : d.ipvsServices.values()) {
                boolean alibaba = s.forwarding().equalsIgnoreCase("FullNat");
                long entry = alibaba ? ALIBABA_TIME_WAIT : UPSTREAM_TIME_WAIT;
                List<Fact> facts = new ArrayList<>();
                facts.add(new Fact("virtual service", s.key() + " " + s.scheduler + " " + s.forwarding(), s.source()));
                if (d.ipvsTimeouts != null) {
                    long[] t = d.ipvsTimeouts.value();
                    facts.add(new Fact("ipvsadm timeouts tcp/tcpfin/udp", t[0] + " " + t[1] + " " + t[2],
                            d.ipvsTimeouts.source()));
                }
                if (s.cps >= 0) {
                    facts.add(new Fact("ipvsadm --rate CPS", s.cps, s.source()));
                }
                double flatline = ports > 0 ? (double) ports / entry : -1;
                double rate = system.rate;
                boolean understated = s.cps >= 0 && rate > 0 && !system.rateSource.contains("ipvsadm")
                        && s.cps < 0.5 * rate;
                boolean aboveFlatline = flatline > 0 && rate > flatline;
                if (!understated && !aboveFlatline) {
                    continue;
                }
                if (rate > 0) {
                    facts.add(new Fact("new connections per second at the servers", Math.round(rate * 100) / 100.0,
                            system.rateSource));
                }
                String text = String.format(Locale.ROOT, "%s's %s reuses connection entries: %s%s. Reused entries "
                                + "go to the real server of the old connection (affinity), so adding servers does "
                                + "not spread this load, and the director's counters understate it.", d.name, s.key(),
                        understated ? String.format(Locale.ROOT, "ipvsadm shows %s new connections/s while the "
                                + "servers accept %s/s", Facts.rate(s.cps), Facts.rate(rate)) : "",
                        aboveFlatline ? String.format(Locale.ROOT, "%s%s/s exceeds %d client ports / %d s entry "
                                + "lifetime = %s/s", understated ? "; " : "", Facts.rate(rate), ports, entry,
                                Facts.rate(flatline)) : "");
                out.add(new AdviceFinding(id(), Severity.WARNING, d.name, text, facts, appliesTo(), mechanism(),
                        Facts.figures("service", s.key(), "entrySeconds", entry, "flatlineRate", flatline,
                                "cps", s.cps)));
            }
        }
        return out;
    }
}
