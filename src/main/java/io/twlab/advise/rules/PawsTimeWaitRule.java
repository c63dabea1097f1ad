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
import java.util.Map;

/** PAWS rejects at a server's TIME_WAIT sockets: the SYN of a reused 4-tuple carries an older timestamp. */
public final class PawsTimeWaitRule implements LintRule {
    @Override
    public String id() {
        return "paws-timewait-reject";
    }

    @Override
    public String appliesTo() {
        return "all kernels with tcp_timestamps=1 (PAWSEstab before 6.16, PAWSTimewait from 6.16)";
    }

    @Override
    public String mechanism() {
        return "tcp_timewait_state_process() (net/ipv4/tcp_minisocks.c) refuses a SYN whose TSval is older than the "
                + "ts_recent the TIME_WAIT socket kept, whatever its sequence number, and answers with the old "
                + "connection's ACK; the client answers that with an RST and re-sends its SYN after its RTO. The reject "
                + "is counted in LINUX_MIB_PAWSESTABREJECTED (PAWSEstab) before 6.16 and LINUX_MIB_PAWS_TW_REJECTED "
                + "(PAWSTimewait) from 6.16.";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (HostEvidence h : system.bundle.hosts.values()) {
            if (system.roles.get(h.name) != Role.SERVER && system.roles.get(h.name) != Role.UNKNOWN) {
                continue;
            }
            CounterChange c = system.bundle.change(h, "TcpExtPAWSTimewait", "TcpExtPAWSEstab");
            if (c == null || !c.showsEvents()) {
                continue;
            }
            List<Fact> facts = new ArrayList<>();
            facts.add(Facts.counter(c));
            facts.add(Facts.sysctl(h, "net.ipv4.tcp_timestamps"));
            if (h.timeWaitListed != null) {
                facts.add(new Fact("TIME-WAIT sockets listed", h.timeWaitListed.value(), h.timeWaitListed.source()));
            }
            String topPeer = h.timeWaitByPeer.entrySet().stream().max(Map.Entry.comparingByValue())
                    .map(e -> e.getKey() + " (" + e.getValue() + " of them)").orElse(null);
            if (topPeer != null) {
                facts.add(new Fact("peer holding most TIME-WAIT sockets", topPeer, h.timeWaitListed.source()));
            }
            boolean rising = c.rising();
            Severity sev = rising ? (c.delta() >= 10 || c.perSecond() >= 0.05 ? Severity.CRITICAL : Severity.WARNING)
                    : Severity.WARNING;
            String name = c.counter().replace("TcpExt", "");
            String text = rising
                    ? String.format(Locale.ROOT, "%s rejected %d SYNs at TIME_WAIT sockets in %.0f s (%.2f/s, %s): "
                    + "clients reuse a 4-tuple while %s still holds it, and their SYN's timestamp is older than the "
                    + "one remembered, so the server answers with the old ACK and each connect costs an RST and a SYN "
                    + "retransmission.", h.name, c.delta(), c.seconds(), c.perSecond(), name, h.name)
                    : String.format(Locale.ROOT, "%s has counted %d %s since boot (one reading, so no rate): PAWS "
                    + "rejects happened at some time; collect two readings (twlab collect) to see whether they still "
                    + "happen.", h.name, c.last(), name);
            out.add(new AdviceFinding(id(), sev, h.name, text, facts, appliesTo(), mechanism(),
                    Facts.figures("counter", name, "rejects", c.delta(), "seconds", c.seconds(),
                            "perSecond", c.perSecond())));
        }
        return out;
    }
}
