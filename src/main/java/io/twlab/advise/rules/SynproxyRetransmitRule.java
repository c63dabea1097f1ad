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

/** FullNAT SYNPROXY re-sending its SYN to the real server on a fixed 3 s timer: 3, 6, 9 s stalls (seed 002). */
public final class SynproxyRetransmitRule implements LintRule {
    @Override
    public String id() {
        return "synproxy-fixed-retransmit";
    }

    @Override
    public String appliesTo() {
        return "Alibaba LVS FULLNAT / DPVS with SYNPROXY";
    }

    @Override
    public String mechanism() {
        return "With SYNPROXY the director completes the client's handshake itself and opens the real-server "
                + "connection only on the client's ACK; ip_vs_conn_expire() (net/netfilter/ipvs/ip_vs_conn.c in "
                + "alibaba/LVS) re-sends the kept SYN each time the SYN_SENT timeout (3 s) expires, up to "
                + "synproxy_syn_retry times, instead of TCP's exponential RTO. One lost SYN toward the real server "
                + "stalls the client's request exactly 3 s, two 6 s, three 9 s.";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (HostEvidence d : system.hosts(Role.DIRECTOR)) {
            String retry = d.sysctl("net.ipv4.vs.synproxy_syn_retry");
            boolean fullnat = d.ipvsServices.values().stream().anyMatch(s -> s.forwarding().equalsIgnoreCase("FullNat"));
            boolean flagged = d.ipvsServices.values().stream().anyMatch(s -> s.flags.contains("synproxy"));
            if (!(fullnat && retry != null) && !flagged) {
                continue;
            }
            List<Fact> facts = new ArrayList<>();
            facts.add(Facts.sysctl(d, "net.ipv4.vs.synproxy_syn_retry"));
            for (IpvsService s : d.ipvsServices.values()) {
                facts.add(new Fact("virtual service", s.key() + " " + s.forwarding() + " " + s.flags, s.source()));
            }
            int n = retry == null ? 3 : Integer.parseInt(retry.trim());
            out.add(new AdviceFinding(id(), Severity.WARNING, d.name, d.name + " proxies SYNs for FULLNAT services "
                    + "and re-sends a lost SYN toward the real server on a fixed 3 s timer (" + n + " retries): "
                    + "under load-dependent loss clients stall 3, 6 or 9 s before their request is answered.",
                    facts, appliesTo(), mechanism(), Facts.figures("synRetry", n, "periodSeconds", 3)));
        }
        return out;
    }
}
