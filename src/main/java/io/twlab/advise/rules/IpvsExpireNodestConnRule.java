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

/** expire_nodest_conn=0 while a real server is quiesced: its existing entries keep sending to it. */
public final class IpvsExpireNodestConnRule implements LintRule {
    @Override
    public String id() {
        return "ipvs-expire-nodest-conn";
    }

    @Override
    public String appliesTo() {
        return "all IPVS kernels";
    }

    @Override
    public String mechanism() {
        return "ip_vs_in() (net/netfilter/ipvs/ip_vs_core.c) expires an entry whose real server is gone or has weight "
                + "0 only when net.ipv4.vs.expire_nodest_conn=1; with the default 0 the entry and every packet of its "
                + "client tuple keep going to that server until the entry times out (ESTABLISHED: 900 s), which "
                + "blackholes clients of a removed backend (kubernetes/kubernetes#71358).";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (HostEvidence d : system.hosts(Role.DIRECTOR)) {
            if ("1".equals(d.sysctl("net.ipv4.vs.expire_nodest_conn"))) {
                continue;
            }
            for (IpvsService s : d.ipvsServices.values()) {
                for (IpvsService.RealServer rs : s.realServers) {
                    if (rs.weight() != 0) {
                        continue;
                    }
                    List<Fact> facts = List.of(Facts.sysctl(d, "net.ipv4.vs.expire_nodest_conn"),
                            new Fact("real server weight", rs.address() + ":" + rs.port() + " weight 0, "
                                    + rs.activeConns() + " active, " + rs.inactiveConns() + " inactive",
                                    rs.file() + ":" + rs.line()));
                    out.add(new AdviceFinding(id(), Severity.WARNING, d.name, "Real server " + rs.address() + ":"
                            + rs.port() + " of " + s.key() + " has weight 0 but " + (rs.activeConns()
                            + rs.inactiveConns()) + " entries still point at it, and expire_nodest_conn=0 keeps them "
                            + "there until they time out: clients whose tuple has an entry keep reaching the "
                            + "drained server.", facts, appliesTo(), mechanism(),
                            Facts.figures("service", s.key(), "realServer", rs.address() + ":" + rs.port())));
                }
            }
        }
        return out;
    }
}
