package io.twlab.advise;

import io.twlab.advise.evidence.Bundle;
import io.twlab.advise.evidence.CounterChange;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.analyzer.Analysis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The system a bundle shows: each host's role (from what its files show, or --role) and nearest kernel profile,
 * its captures analyzed, and the measured new-connection rate with where it came from.
 */
public final class Observed {
    public final Bundle bundle;
    public final Map<String, Role> roles = new LinkedHashMap<>();
    public final Map<String, String> roleReasons = new LinkedHashMap<>();
    public final Map<String, KernelMatch> kernels = new LinkedHashMap<>();
    public final Map<String, List<Analysis>> captures = new LinkedHashMap<>();
    public final List<String> notes = new ArrayList<>();
    /** New connections per second reaching the servers, and the evidence it comes from. */
    public double rate = -1;
    public String rateSource = "";
    /** Seconds the counters were observed over (0 without two readings). */
    public double observedSeconds;

    private Observed(Bundle bundle) {
        this.bundle = bundle;
    }

    public static Observed of(Bundle bundle, Map<String, Role> overrides) {
        Observed o = new Observed(bundle);
        o.notes.addAll(bundle.notes);
        for (HostEvidence h : bundle.hosts.values()) {
            o.kernels.put(h.name, KernelMatch.of(h.kernelRelease == null ? null : h.kernelRelease.value()));
            Role forced = overrides.get(h.name);
            if (forced != null) {
                o.roles.put(h.name, forced);
                o.roleReasons.put(h.name, "--role " + h.name + "=" + forced.key());
            } else {
                o.infer(h);
            }
            for (Path p : h.captures) {
                try {
                    o.captures.computeIfAbsent(h.name, k -> new ArrayList<>()).add(Analysis.run(p));
                } catch (Exception e) {
                    o.notes.add(p + ": not analyzed (" + e.getMessage() + ")");
                }
            }
        }
        for (String forced : overrides.keySet()) {
            if (!bundle.hosts.containsKey(forced)) {
                throw new Bundle.BundleException("--role " + forced + "=...: the bundle has no host named '" + forced
                        + "'; hosts: " + String.join(", ", bundle.hosts.keySet()));
            }
        }
        o.measureRate();
        return o;
    }

    private void infer(HostEvidence h) {
        CounterChange active = bundle.change(h, "TcpActiveOpens");
        CounterChange passive = bundle.change(h, "TcpPassiveOpens");
        long a = active == null ? 0 : active.delta();
        long p = passive == null ? 0 : passive.delta();
        boolean timeWaitOnListener = h.timeWaitByLocalPort.keySet().stream().anyMatch(h.listening::containsKey);
        if (!h.ipvsServices.isEmpty()) {
            put(h, Role.DIRECTOR, "ipvsadm lists " + h.ipvsServices.size() + " virtual service(s)");
        } else if (!h.natRules.isEmpty()) {
            put(h, Role.NAT, "source-NAT rule at " + h.natRules.get(0).source());
        } else if (h.conntrackSnatEntries > 0) {
            put(h, Role.NAT, h.conntrackSnatEntries + " source-NATed conntrack entries (" + h.conntrackListSource
                    .source() + ")");
        } else if (timeWaitOnListener || p > 2 * a && p > 0) {
            put(h, Role.SERVER, timeWaitOnListener ? "TIME-WAIT sockets on its listening port "
                    + h.timeWaitByLocalPort.keySet().stream().filter(h.listening::containsKey).findFirst().orElse(0)
                    : "passive opens (" + p + ") outnumber active opens (" + a + ")");
        } else if (a > 2 * p && a > 0) {
            put(h, Role.CLIENT, "active opens (" + a + ") outnumber passive opens (" + p + ")");
        } else if (!h.timeWaitByLocalPort.isEmpty() && h.listening.isEmpty()) {
            put(h, Role.CLIENT, "TIME-WAIT sockets on ephemeral ports, nothing listening");
        } else {
            put(h, Role.UNKNOWN, "its files show no NAT rule, virtual service, listener or connection counts; "
                    + "name it with --role " + h.name + "=server|client|nat|director");
        }
    }

    private void put(HostEvidence h, Role r, String why) {
        roles.put(h.name, r);
        roleReasons.put(h.name, why);
    }

    public List<HostEvidence> hosts(Role r) {
        List<HostEvidence> out = new ArrayList<>();
        roles.forEach((name, role) -> {
            if (role == r) {
                out.add(bundle.hosts.get(name));
            }
        });
        return out;
    }

    public KernelMatch kernel(HostEvidence h) {
        return kernels.get(h.name);
    }

    /** Rate from the servers' passive opens, else the clients' active opens, else the director's CPS. */
    private void measureRate() {
        double sum = 0;
        List<String> src = new ArrayList<>();
        for (HostEvidence s : hosts(Role.SERVER)) {
            CounterChange c = bundle.change(s, "TcpPassiveOpens");
            if (c != null && c.seconds() > 0) {
                sum += c.perSecond();
                src.add(s.name + " TcpPassiveOpens " + c.sources());
                observedSeconds = Math.max(observedSeconds, c.seconds());
            }
        }
        if (src.isEmpty()) {
            for (HostEvidence s : hosts(Role.CLIENT)) {
                CounterChange c = bundle.change(s, "TcpActiveOpens");
                if (c != null && c.seconds() > 0) {
                    sum += c.perSecond();
                    src.add(s.name + " TcpActiveOpens " + c.sources());
                    observedSeconds = Math.max(observedSeconds, c.seconds());
                }
            }
        }
        if (src.isEmpty()) {
            for (HostEvidence d : hosts(Role.DIRECTOR)) {
                for (var svc : d.ipvsServices.values()) {
                    if (svc.cps >= 0) {
                        sum += svc.cps;
                        src.add(d.name + " ipvsadm --rate CPS " + svc.key() + " (" + svc.source() + "; counts only "
                                + "new IPVS entries, so it understates a rate with reused ports)");
                    }
                }
            }
        }
        if (!src.isEmpty()) {
            rate = sum;
            rateSource = String.join("; ", src);
        }
    }
}
