package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.AdviceFinding.Fact;
import io.twlab.advise.Observed;
import io.twlab.advise.Role;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A client's TIME_WAIT sockets filling its ephemeral port range toward one destination: EADDRNOTAVAIL. */
public final class ClientPortExhaustionRule implements LintRule {
    @Override
    public String id() {
        return "client-port-exhaustion";
    }

    @Override
    public String appliesTo() {
        return "all kernels";
    }

    @Override
    public String mechanism() {
        return "__inet_hash_connect() (net/ipv4/inet_hashtables.c) looks for a local port in ip_local_port_range whose "
                + "4-tuple toward the destination is free; a client that closes first keeps each port in TIME_WAIT "
                + "for 60 s, so above range / 60 connections per second to one destination connect() fails with "
                + "EADDRNOTAVAIL unless tcp_tw_reuse lets it take over its own TIME_WAIT tuples.";
    }

    static long rangeSize(HostEvidence h) {
        String r = h.sysctl("net.ipv4.ip_local_port_range");
        if (r == null) {
            return 60999 - 32768 + 1;
        }
        String[] t = r.trim().split("[\\s-]+");
        try {
            return t.length == 2 ? Long.parseLong(t[1]) - Long.parseLong(t[0]) + 1 : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static long timeWait(HostEvidence h) {
        long listed = h.timeWaitListed == null ? 0 : h.timeWaitListed.value();
        long summary = h.timeWaitSummary == null ? 0 : h.timeWaitSummary.value();
        return Math.max(listed, summary);
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (HostEvidence h : system.hosts(Role.CLIENT)) {
            long range = rangeSize(h);
            long toOnePeer = h.timeWaitByPeer.values().stream().mapToLong(Long::longValue).max().orElse(0);
            long tw = toOnePeer > 0 ? toOnePeer : timeWait(h);
            if (range <= 0 || tw < range / 2) {
                continue;
            }
            String peer = h.timeWaitByPeer.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                    .orElse("its destinations");
            List<Fact> facts = new ArrayList<>();
            facts.add(Facts.sysctl(h, "net.ipv4.ip_local_port_range"));
            facts.add(new Fact("TIME-WAIT sockets", tw, h.timeWaitListed != null ? h.timeWaitListed.source()
                    : h.timeWaitSummary.source()));
            facts.add(Facts.sysctl(h, "net.ipv4.tcp_tw_reuse"));
            out.add(new AdviceFinding(id(), tw >= range * 9 / 10 ? Severity.CRITICAL : Severity.WARNING, h.name,
                    String.format(Locale.ROOT, "%s holds %d TIME_WAIT sockets toward %s with %d ephemeral ports "
                            + "(%.0f%%): new connects to it fail with EADDRNOTAVAIL when the range is used up.",
                            h.name, tw, peer, range, 100.0 * tw / range), facts, appliesTo(), mechanism(),
                    Facts.figures("timeWait", tw, "ports", range)));
        }
        return out;
    }
}
