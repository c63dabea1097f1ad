package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.AdviceFinding.Fact;
import io.twlab.advise.KernelMatch;
import io.twlab.advise.Observed;
import io.twlab.advise.Role;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.List;

/** IPVS conn_reuse_mode against the director's kernel: 1 s SYN delays before 5.9, stale real servers with 0. */
public final class IpvsConnReuseModeRule implements LintRule {
    @Override
    public String id() {
        return "ipvs-conn-reuse-mode";
    }

    @Override
    public String appliesTo() {
        return "directors with conn_reuse_mode (4.2+, RHEL 6.7+/7); the conntrack drop before 5.9";
    }

    @Override
    public String mechanism() {
        return "In ip_vs_in() (net/netfilter/ipvs/ip_vs_core.c) a SYN that finds an entry in TIME_WAIT or CLOSE is, "
                + "with conn_reuse_mode=1, expired and scheduled again; before 5.9, when the packet still carries the "
                + "old conntrack (net.ipv4.vs.conntrack=1, as kube-proxy sets it) the SYN is dropped instead, so the "
                + "client waits for its SYN retransmission (1 s). With conn_reuse_mode=0 the SYN keeps the old entry and "
                + "its real server, even one taken out of service (kubernetes/kubernetes#81775).";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (HostEvidence d : system.hosts(Role.DIRECTOR)) {
            KernelMatch k = system.kernel(d);
            String mode = d.sysctl("net.ipv4.vs.conn_reuse_mode");
            String conntrack = d.sysctl("net.ipv4.vs.conntrack");
            List<Fact> facts = new ArrayList<>();
            facts.add(Facts.sysctl(d, "net.ipv4.vs.conn_reuse_mode"));
            facts.add(Facts.sysctl(d, "net.ipv4.vs.conntrack"));
            if (d.kernelRelease != null) {
                facts.add(new Fact("kernel", d.kernelRelease.value(), d.kernelRelease.source()));
            }
            boolean mode1 = mode == null ? !k.before(4, 2) : !mode.equals("0");
            boolean oldKernel = k.before(5, 9);
            if (mode1 && oldKernel && "1".equals(conntrack)) {
                out.add(new AdviceFinding(id(), Severity.WARNING, d.name, d.name + " runs IPVS with conn_reuse_mode=1 "
                        + "and conntrack on a kernel before 5.9 (" + k.release() + "): a client that reuses a source "
                        + "port of a closed connection has its SYN dropped once and waits 1 s for the retransmission "
                        + "(kubernetes/kubernetes#70747). On 5.9+ the same setting reschedules without the drop.",
                        facts, appliesTo(), mechanism(), Facts.figures("mode", 1, "conntrack", 1, "delaySeconds", 1)));
            } else if (!mode1) {
                out.add(new AdviceFinding(id(), Severity.WARNING, d.name, d.name + " runs IPVS with "
                        + "conn_reuse_mode=0: a SYN on a reused client port keeps the old entry and goes to the same "
                        + "real server (the affinity of seed 000), also after that server was removed or set to "
                        + "weight 0, and the director's new-connection counters stop counting those connections.",
                        facts, appliesTo(), mechanism(), Facts.figures("mode", 0)));
            }
        }
        return out;
    }
}
