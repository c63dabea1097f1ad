package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.Observed;
import io.twlab.advise.evidence.CounterChange;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A listener's accept queue overflowing: SYNs and handshake ACKs dropped. */
public final class ListenOverflowRule implements LintRule {
    @Override
    public String id() {
        return "listen-overflow";
    }

    @Override
    public String appliesTo() {
        return "all kernels";
    }

    @Override
    public String mechanism() {
        return "tcp_conn_request() and tcp_v4_syn_recv_sock() (net/ipv4/tcp_input.c, tcp_ipv4.c) drop a SYN or the "
                + "handshake's last ACK when the listener's accept queue (min(backlog, net.core.somaxconn)) is full, "
                + "counting ListenOverflows and ListenDrops; the client retransmits after its RTO (1 s, 3 s before "
                + "3.1). The application does not accept() fast enough, or its backlog is too small.";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (HostEvidence h : system.bundle.hosts.values()) {
            CounterChange over = system.bundle.change(h, "TcpExtListenOverflows");
            CounterChange drops = system.bundle.change(h, "TcpExtListenDrops");
            CounterChange c = over != null && over.last() > 0 ? over : drops;
            if (c == null || !c.showsEvents()) {
                continue;
            }
            Severity sev = c.rising() ? (c.perSecond() >= 1 ? Severity.CRITICAL : Severity.WARNING) : Severity.INFO;
            List<AdviceFinding.Fact> facts = new ArrayList<>();
            facts.add(Facts.counter(c));
            if (drops != null && c != drops) {
                facts.add(Facts.counter(drops));
            }
            facts.add(Facts.sysctl(h, "net.core.somaxconn"));
            facts.add(Facts.sysctl(h, "net.ipv4.tcp_max_syn_backlog"));
            out.add(new AdviceFinding(id(), sev, h.name, c.rising()
                    ? String.format(Locale.ROOT, "%s's listen queue overflowed %d times in %.0f s (%s): handshakes "
                    + "are dropped and clients wait for SYN retransmissions.", h.name, c.delta(), c.seconds(),
                    c.counter().replace("TcpExt", ""))
                    : String.format(Locale.ROOT, "%s's listen queue has overflowed %d times since boot (%s).", h.name,
                    c.last(), c.counter().replace("TcpExt", "")),
                    facts, appliesTo(), mechanism(), Facts.figures("delta", c.delta(), "perSecond", c.perSecond())));
        }
        return out;
    }
}
