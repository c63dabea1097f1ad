package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.Observed;
import io.twlab.advise.Role;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.List;

/** tcp_tw_reuse set where it does nothing (a server) or unset where it would help (a client short of ports). */
public final class TwReuseRoleRule implements LintRule {
    @Override
    public String id() {
        return "tw-reuse-role";
    }

    @Override
    public String appliesTo() {
        return "all kernels (time rule: > 1 s before 4.19, seconds advanced 4.19-6.13, tcp_tw_reuse_delay from 6.14)";
    }

    @Override
    public String mechanism() {
        return "tcp_tw_reuse is consulted only by connect(): __inet_check_established() calls tcp_twsk_unique() "
                + "(net/ipv4/tcp_ipv4.c) to let an outgoing connection take over its own TIME_WAIT 4-tuple when "
                + "timestamps were used and the TIME_WAIT is old enough. A SYN arriving at a server never looks at it.";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (HostEvidence h : system.hosts(Role.SERVER)) {
            if ("1".equals(h.sysctl("net.ipv4.tcp_tw_reuse")) && !h.timeWaitByLocalPort.isEmpty()
                    && h.timeWaitByLocalPort.keySet().stream().allMatch(h.listening::containsKey)) {
                out.add(new AdviceFinding(id(), Severity.INFO, h.name, h.name + " sets tcp_tw_reuse=1, but its "
                        + "TIME_WAIT sockets are on its listening ports (incoming connections): tw_reuse does not "
                        + "apply to them, so it neither helps nor hurts here.",
                        List.of(Facts.sysctl(h, "net.ipv4.tcp_tw_reuse")), appliesTo(), mechanism(),
                        Facts.figures("value", 1)));
            }
        }
        for (HostEvidence h : system.hosts(Role.CLIENT)) {
            String v = h.sysctl("net.ipv4.tcp_tw_reuse");
            long range = ClientPortExhaustionRule.rangeSize(h);
            long tw = ClientPortExhaustionRule.timeWait(h);
            if (!"1".equals(v) && range > 0 && tw >= range / 2) {
                out.add(new AdviceFinding(id(), Severity.WARNING, h.name, h.name + " holds " + tw + " TIME_WAIT "
                        + "sockets for " + range + " ephemeral ports with tcp_tw_reuse=" + (v == null ? "default" : v)
                        + ": connect() cannot take over its own TIME_WAIT tuples, so ports run out "
                        + "(EADDRNOTAVAIL); tcp_tw_reuse=1 lets it.",
                        List.of(Facts.sysctl(h, "net.ipv4.tcp_tw_reuse"), Facts.sysctl(h, "net.ipv4.ip_local_port_range")),
                        appliesTo(), mechanism(), Facts.figures("timeWait", tw, "ports", range)));
            }
        }
        return out;
    }
}
