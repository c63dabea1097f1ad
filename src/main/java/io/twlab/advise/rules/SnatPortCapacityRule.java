package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.AdviceFinding.Fact;
import io.twlab.advise.Observed;
import io.twlab.advise.Role;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.advise.evidence.NatRule;
import io.twlab.kernel.Profiles;
import io.twlab.model.Capacity;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Linux SNAT's port range against the measured new-connection rate: a port is held while conntrack keeps the
 * closed flow (TIME_WAIT, 120 s by default), and the server keeps its TIME_WAIT for its kernel's lifetime; above
 * ports / max(both) per second a port returns while the server still holds the old 4-tuple.
 */
public final class SnatPortCapacityRule implements LintRule {
    static final long DEFAULT_CONNTRACK_TIME_WAIT = 120;
    /** NF_NAT_HARDER_THRESH (net/netfilter/nf_nat_core.c, 6.x). */
    static final int HARDER_THRESH = 32;

    @Override
    public String id() {
        return "snat-port-capacity";
    }

    @Override
    public String appliesTo() {
        return "all kernels (nf_nat; the server's TIME_WAIT lifetime by its kernel)";
    }

    @Override
    public String mechanism() {
        return "nf_nat_l4proto_unique_tuple() (net/netfilter/nf_nat_proto.c; nf_nat_proto_common.c before 5.0) only "
                + "gives out a port whose conntrack entry is gone, and a closed TCP flow stays in conntrack for "
                + "nf_conntrack_tcp_timeout_time_wait (120 s); when every port is taken, 6.x evicts TIME_WAIT entries "
                + "for a newer SYN (nf_nat_used_tuple_harder) and reuses ports seconds after close. The server keeps "
                + "the old 4-tuple for its TIME_WAIT lifetime (60 s, up to 112.5 s on a loaded 2.6.32 death row), so "
                + "the safe rate through one address is ports / max(conntrack TIME_WAIT, server TIME_WAIT). A range "
                + "of 32 ports or fewer is searched within NF_NAT_HARDER_THRESH tries, so 6.x evicts at the first "
                + "try and no rate is safe.";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (HostEvidence nat : system.hosts(Role.NAT)) {
            if (nat.natRules.isEmpty()) {
                continue;
            }
            NatRule rule = nat.natRules.get(0);
            int addresses = Math.max(1, rule.addresses().size());
            long tuples = (long) rule.ports() * addresses;
            long hold = nat.sysctlLong("net.netfilter.nf_conntrack_tcp_timeout_time_wait", DEFAULT_CONNTRACK_TIME_WAIT);
            ServerLifetime tw = ServerLifetime.of(system, tuples);
            // nf_nat_used_tuple_harder() evicts closed entries in the last NF_NAT_HARDER_THRESH (32) tries; a range
            // of at most 32 ports is searched in 32 tries or fewer, so from the first try: conntrack holds nothing.
            var natProfile = Profiles.get(system.kernel(nat).profile());
            boolean evictsAtOnce = natProfile.natPortAllocation()
                    == io.twlab.kernel.NatPortAllocation.RANDOM_BOUNDED_EVICT_TIME_WAIT && rule.ports() <= HARDER_THRESH;
            double limitSeconds = evictsAtOnce ? tw.maxSeconds : Math.max(hold, tw.maxSeconds);
            double safeRate = evictsAtOnce ? 0 : tuples / limitSeconds;
            List<Fact> facts = new ArrayList<>();
            facts.add(new Fact("SNAT rule", rule.text(), rule.source()));
            facts.add(Facts.sysctl(nat, "net.netfilter.nf_conntrack_tcp_timeout_time_wait"));
            facts.add(new Fact("server TIME_WAIT lifetime (s)", Math.round(tw.maxSeconds * 10) / 10.0, tw.why));
            if (system.rate >= 0) {
                facts.add(new Fact("new connections per second", Math.round(system.rate * 100) / 100.0,
                        system.rateSource));
            }
            double rate = system.rate;
            double holdForFix = Math.max(hold, tw.maxSeconds);
            long neededPorts = rate > 0 ? Math.max(HARDER_THRESH + 1, (long) Math.ceil(rate * holdForFix * 1.25)) : 0;
            // Share of SYNs landing on a port used within the server's TIME_WAIT when ports are picked at random.
            double atRisk = evictsAtOnce && rate > 0 ? 1 - Math.exp(-rate * tw.maxSeconds / tuples) : 0;
            Severity sev = rate < 0 ? (evictsAtOnce ? Severity.WARNING : Severity.INFO)
                    : evictsAtOnce ? (atRisk >= 0.01 ? Severity.CRITICAL : Severity.WARNING)
                    : rate > safeRate ? Severity.CRITICAL : rate > safeRate / 2 ? Severity.WARNING : Severity.INFO;
            String ports = (rule.portLow() == 0 ? "the default 1024-65535" : rule.portLow() + "-" + rule.portHigh())
                    + (addresses > 1 ? " on " + addresses + " addresses" : "");
            String text = evictsAtOnce
                    ? String.format(Locale.ROOT, "%s source-NATs %s new connections/s through only %d ports (%s): "
                    + "with at most %d ports nf_nat (%s) evicts a closed conntrack entry at the first try instead of "
                    + "looking for a free port, so a port can come back seconds after close while the server keeps "
                    + "its TIME_WAIT up to %.1f s%s. At least %d ports are needed (more than %d, and ≥ rate × %.0f s "
                    + "× 1.25).", nat.name, rate < 0 ? "an unknown number of" : Facts.rate(rate), tuples, ports,
                    HARDER_THRESH, system.kernel(nat).profile(), tw.maxSeconds, rate > 0 ? String.format(Locale.ROOT,
                    "; about %.0f%% of SYNs land on such a port", 100 * atRisk) : "", neededPorts, HARDER_THRESH,
                    holdForFix)
                    : rate < 0
                    ? String.format(Locale.ROOT, "%s source-NATs with %d ports (%s); with conntrack holding a port %d s "
                    + "and the server's TIME_WAIT up to %.1f s, it is safe up to %s new connections/s. The bundle "
                    + "has no two counter readings to measure the rate: collect with twlab collect.", nat.name, tuples,
                    ports, hold, tw.maxSeconds, Facts.rate(safeRate))
                    : String.format(Locale.ROOT, "%s source-NATs %s new connections/s through %d ports (%s): with "
                    + "conntrack holding a port %d s and the server's TIME_WAIT up to %.1f s, the range is safe up to "
                    + "%s/s (%d ports / %.0f s)%s", nat.name, Facts.rate(rate), tuples, ports, hold, tw.maxSeconds,
                    Facts.rate(safeRate), tuples, limitSeconds, rate > safeRate
                            ? String.format(Locale.ROOT, "; at %.1f× that, ports come back while the server still "
                            + "holds the old 4-tuple. At least %d ports are needed (rate × %.0f s × 1.25).",
                            rate / safeRate, neededPorts, limitSeconds)
                            : String.format(Locale.ROOT, "; %.0f%% of it is in use.", 100 * rate / safeRate));
            out.add(new AdviceFinding(id(), sev, nat.name, text, facts, appliesTo(), mechanism(),
                    Facts.figures("ports", tuples, "portLow", rule.portLow() == 0 ? 1024 : rule.portLow(),
                            "portHigh", rule.portLow() == 0 ? 65535 : rule.portHigh(), "addresses", addresses,
                            "holdSeconds", hold, "serverTimeWaitSeconds", tw.maxSeconds, "safeRate", safeRate,
                            "rate", rate, "neededPorts", neededPorts, "flags", rule.flags(),
                            "evictsAtFirstTry", evictsAtOnce, "atRiskShare", atRisk)));
        }
        return out;
    }

    /** The longest TIME_WAIT the servers keep at the load of {@code tuples} reused round-robin. */
    record ServerLifetime(double maxSeconds, double maxRate, String why) {
        static ServerLifetime of(Observed system, long tuples) {
            double max = 0;
            double rate = Double.MAX_VALUE;
            String why = "no server in the bundle: assumed 60 s";
            for (HostEvidence s : system.hosts(Role.SERVER)) {
                var k = system.kernel(s);
                var p = Profiles.get(k.profile());
                int hz = s.configHz != null ? s.configHz.value() : p.defaultHz();
                Capacity.Result r = Capacity.compute(p, hz, tuples);
                if (r.maxLifetimeSeconds() > max) {
                    max = r.maxLifetimeSeconds();
                    rate = r.maxRate();
                    why = s.name + " on " + k.profile() + " (twlab capacity --kernel " + k.profile() + " --ports "
                            + tuples + ")";
                }
            }
            return new ServerLifetime(max > 0 ? max : 60, rate, why);
        }
    }
}
