package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.AdviceFinding.Fact;
import io.twlab.advise.Observed;
import io.twlab.advise.Role;
import io.twlab.advise.evidence.CounterChange;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** tcp_tw_recycle=1 on a host whose peers arrive through NAT: SYNs dropped silently per peer address. */
public final class TwRecycleBehindNatRule implements LintRule {
    @Override
    public String id() {
        return "tw-recycle-behind-nat";
    }

    @Override
    public String appliesTo() {
        return "< 4.12 (tcp_tw_recycle was removed by commit 4396e46187ca)";
    }

    @Override
    public String mechanism() {
        return "With tcp_tw_recycle=1 the kernel remembers the last TSval per peer address (inet_peer up to 3.4, "
                + "tcp_metrics from 3.5) and tcp_v4_conn_request()/tcp_conn_request() drop, without an answer, a SYN "
                + "whose TSval is more than 1 below it within 60 s, counting PAWSPassive. Behind a NAT many hosts "
                + "share one address and their clocks differ, so every host but the one with the fastest clock is "
                + "refused in turn; with LVS DR the server sees each client's own address and is not affected.";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        boolean natInPath = !system.hosts(Role.NAT).isEmpty() || system.hosts(Role.DIRECTOR).stream()
                .flatMap(d -> d.ipvsServices.values().stream()).anyMatch(s -> !s.forwarding().equals("Route"));
        for (HostEvidence h : system.bundle.hosts.values()) {
            if (!"1".equals(h.sysctl("net.ipv4.tcp_tw_recycle"))) {
                continue;
            }
            CounterChange passive = system.bundle.change(h, "TcpExtPAWSPassive");
            boolean dropping = passive != null && (passive.rising() || passive.seconds() == 0 && passive.last() > 0);
            List<Fact> facts = new ArrayList<>();
            facts.add(Facts.sysctl(h, "net.ipv4.tcp_tw_recycle"));
            facts.add(Facts.sysctl(h, "net.ipv4.tcp_timestamps"));
            if (passive != null) {
                facts.add(Facts.counter(passive));
            }
            long sharedPeers = h.timeWaitByPeer.values().stream().filter(v -> v > 1).count();
            Severity sev = dropping ? Severity.CRITICAL : natInPath ? Severity.WARNING : Severity.INFO;
            String text = dropping
                    ? String.format(Locale.ROOT, "%s has tcp_tw_recycle=1 and drops SYNs silently (PAWSPassive %s): "
                    + "peers behind a NAT share an address whose remembered timestamp is ahead of their clocks, so "
                    + "their SYNs get no answer and connect() waits for SYN retransmissions.", h.name,
                    passive.seconds() > 0 ? "+" + passive.delta() + " in " + Math.round(passive.seconds()) + " s"
                            : passive.last() + " since boot")
                    : natInPath
                    ? h.name + " has tcp_tw_recycle=1 and the bundle shows a NAT or a NAT-mode director in front "
                    + "of it: as soon as two clients share an address, the one with the slower timestamp clock is "
                    + "dropped silently for 60 s after each TIME_WAIT (PAWSPassive)."
                    : h.name + " has tcp_tw_recycle=1: harmless only while every peer has an address of its own "
                    + "(e.g. LVS DR); any NAT in front of it makes SYNs vanish.";
            out.add(new AdviceFinding(id(), sev, h.name, text, facts, appliesTo(), mechanism(),
                    Facts.figures("natInPath", natInPath, "sharedPeers", sharedPeers)));
        }
        return out;
    }
}
