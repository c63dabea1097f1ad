package io.twlab.lab;

import io.twlab.nat.NatTcpState;
import io.twlab.net.Ipv4;
import io.twlab.scenario.HostGroupSpec;
import io.twlab.scenario.LinkSpec;
import io.twlab.scenario.NatSpec;
import io.twlab.scenario.ScenarioSpec;
import io.twlab.scenario.WorkloadSpec;
import io.twlab.workload.Pattern;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a scenario becomes in network namespaces: one namespace per client host, per server host and for the NAT
 * (the router, holding two bridges), addresses renumbered into the benchmarking range 198.18.0.0/15 (inside
 * 198.18.0.0/16, outside 198.19.0.0/16: never public or private addresses), the nftables SNAT rule and the
 * sysctls. Checks first what this kernel and this lab cannot do, and says so.
 */
public final class LabPlan {
    static final int MAX_NAMESPACES = 64;

    /** One lab host: its namespace, scenario name and group, the address it gets here. */
    record Host(String namespace, String name, HostGroupSpec group, int labIp, boolean server) {
    }

    /** One client driver: which host, toward which server address, at which rate. */
    record Client(Host host, WorkloadSpec workload, int serverLabIp, double rate) {
    }

    final String prefix;
    final String router;
    final NatSpec nat;
    final List<Host> clients = new ArrayList<>();
    final List<Host> servers = new ArrayList<>();
    final List<Client> drivers = new ArrayList<>();
    final Map<String, String> addressMap = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();
    final int[] natLabIps;
    final ScenarioSpec spec;

    private LabPlan(ScenarioSpec spec, String prefix, NatSpec nat) {
        this.spec = spec;
        this.prefix = prefix;
        this.router = prefix + "r";
        this.nat = nat;
        this.natLabIps = new int[nat.publicIps().length];
    }

    static int inside(int i) {
        return (int) Ipv4.parse("198.18.0.0") + (1 + i / 250) * 256 + 1 + i % 250;
    }

    static int outside(int i) {
        return (int) Ipv4.parse("198.19.1.0") + (i / 250) * 256 + 1 + i % 250;
    }

    static LabPlan of(ScenarioSpec spec, String prefix) {
        if (!spec.directors().isEmpty()) {
            throw new LabException("the scenario has an IPVS director (" + spec.directors().get(0).name() + "), and this "
                    + "kernel has no IPVS (no ip_vs module). A lab run would need a kernel with CONFIG_IP_VS, "
                    + "modprobe ip_vs and ipvsadm in a director namespace; `twlab simulate` runs it.");
        }
        if (!spec.routers().isEmpty()) {
            throw new LabException("the scenario has routers (" + spec.routers() + "); the lab builds clients -> one "
                    + "NAT -> servers only");
        }
        if (spec.nats().size() != 1) {
            throw new LabException("the lab needs exactly one NAT between the clients and the servers; the scenario "
                    + "has " + spec.nats().size());
        }
        NatSpec nat = spec.nats().get(0);
        LabPlan plan = new LabPlan(spec, prefix, nat);
        for (int i = 0; i < nat.publicIps().length; i++) {
            plan.natLabIps[i] = (int) Ipv4.parse("198.19.0.0") + 1 + i;
            plan.addressMap.put(Ipv4.format(nat.publicIps()[i]), Ipv4.format(plan.natLabIps[i]));
        }
        List<String> serverGroups = spec.workloads().stream().map(WorkloadSpec::to).distinct().toList();
        for (HostGroupSpec g : spec.hosts()) {
            boolean server = serverGroups.contains(g.name());
            if (!server && !nat.inside().contains(g.name())) {
                throw new LabException("hosts." + g.name() + " is neither inside the NAT " + nat.name()
                        + " nor a workload's server; the lab builds clients -> NAT -> servers only");
            }
            for (int k = 0; k < g.count(); k++) {
                String name = g.count() == 1 ? g.name() : g.name() + "-" + (k + 1);
                List<Host> list = server ? plan.servers : plan.clients;
                int index = list.size();
                int labIp = server ? outside(index) : inside(index);
                Host h = new Host(prefix + (server ? "s" : "c") + (index + 1), name, g, labIp, server);
                list.add(h);
                plan.addressMap.put(Ipv4.format(g.firstAddress() + k), Ipv4.format(labIp));
            }
            plan.checkSysctls(g);
        }
        if (plan.clients.size() + plan.servers.size() + 1 > MAX_NAMESPACES) {
            throw new LabException("the scenario needs " + (plan.clients.size() + plan.servers.size() + 1)
                    + " namespaces; the lab builds at most " + MAX_NAMESPACES + " (lower hosts.*.count)");
        }
        for (WorkloadSpec w : spec.workloads()) {
            if (!w.rate().isConstant()) {
                throw new LabException("workloads." + w.name() + ": the lab drives constant rates only; this one changes "
                        + "over time (use `twlab simulate`, or --set workloads." + w.name() + ".rate=R)");
            }
            if (w.service().pattern() == Pattern.KEEP_ALIVE) {
                throw new LabException("workloads." + w.name() + ": keep-alive is not driven in the lab yet; use "
                        + "pattern http10 or client-close");
            }
            if (w.arrivals() == io.twlab.workload.Arrivals.PACED) {
                plan.notes.add("workloads." + w.name() + ": paced arrivals run per client namespace at its share "
                        + "from one start (the simulation's paced-per-host); the simulation beside it replays them");
            }
            if (w.retries() > 0) {
                plan.notes.add("workloads." + w.name() + ".retries is ignored in the lab: each arrival is one connect");
            }
            List<Host> from = plan.clients.stream().filter(h -> h.group().name().equals(w.from())).toList();
            List<Host> to = plan.servers.stream().filter(h -> h.group().name().equals(w.to())).toList();
            double rate = w.rate().rateAt(0) / from.size();
            for (int i = 0; i < from.size(); i++) {
                // Round-robin over the servers, one server per client host (a host-level split of the workload).
                plan.drivers.add(new Client(from.get(i), w, to.get(i % to.size()).labIp(), rate));
            }
        }
        if (nat.conntrackMax() > 0) {
            plan.notes.add("nats." + nat.name() + ".conntrack-max is not applied in the lab: nf_conntrack_max is one "
                    + "setting for the whole machine and read-only inside a namespace");
        }
        if (nat.allocation() == io.twlab.nat.PortAllocation.ROUND_ROBIN) {
            plan.notes.add("nats." + nat.name() + ".allocation round-robin has no nftables equivalent: the lab uses "
                    + "nf_nat's default search");
        }
        for (LinkSpec l : spec.links()) {
            if (l.jitterNs() > 0) {
                plan.notes.add("links " + l.a() + "-" + l.b() + ": jitter is not applied in the lab");
            }
        }
        return plan;
    }

    /** Whether this kernel has the sysctl {@code key}. */
    static boolean exists(String key) {
        return Files.exists(Path.of("/proc/sys", key.replace('.', '/')));
    }

    /**
     * The connects the drivers are scheduled to make in {@code seconds}: a paced driver at rate r opens at 0, 1/r,
     * ... while before the end, ceil(r x seconds); a Poisson one r x seconds on average.
     */
    public double scheduledConnects(double seconds) {
        double n = 0;
        for (Client c : drivers) {
            n += c.workload().arrivals() == io.twlab.workload.Arrivals.POISSON ? c.rate() * seconds
                    : Math.ceil(c.rate() * seconds - 1e-9);
        }
        return n;
    }

    /**
     * Refuses sysctls this kernel does not have (e.g. tcp_tw_recycle, gone since 4.12) unless set to 0, which is
     * what their absence means; those are noted and skipped.
     */
    private void checkSysctls(HostGroupSpec g) {
        for (Map.Entry<String, Long> e : g.sysctls().entrySet()) {
            String key = e.getKey();
            Path p = Path.of("/proc/sys", key.replace('.', '/'));
            if (!Files.exists(p) && e.getValue() == 0) {
                notes.add("hosts." + g.name() + ".sysctl." + key + "=0 skipped: this kernel has no such setting, "
                        + "which behaves as 0");
            } else if (!Files.exists(p)) {
                throw new LabException("hosts." + g.name() + ".sysctl." + key + ": this kernel (" + System.getProperty(
                        "os.version") + ") has no " + p + (key.endsWith("tcp_tw_recycle") ? " (tcp_tw_recycle was "
                        + "removed in Linux 4.12)" : "") + "; remove it for a lab run, or simulate it");
            }
        }
    }

    /** The nftables ruleset of the router: SNAT of the inside network to the public addresses and port range. */
    String nftRules() {
        String to = natLabIps.length == 1 ? Ipv4.format(natLabIps[0])
                : Ipv4.format(natLabIps[0]) + "-" + Ipv4.format(natLabIps[natLabIps.length - 1]);
        // The scenario's uniform "allocation: random" is nearest to nf_nat's fully-random.
        String flags = nat.allocation() == io.twlab.nat.PortAllocation.RANDOM ? " fully-random"
                : nat.randomFlag() == io.twlab.nat.NatRandomFlag.NONE ? "" : " " + nat.randomFlag().key();
        return String.format(Locale.ROOT, "table ip %s {%n  chain postrouting {%n    type nat hook postrouting priority "
                        + "srcnat; policy accept;%n    ip saddr 198.18.0.0/16 oifname \"br-out\" ip protocol tcp snat to "
                        + "%s:%d-%d%s%n  }%n}%n", tableName(), to, nat.portLow(), nat.portHigh(), flags);
    }

    String tableName() {
        return prefix.replace('-', '_') + "nat";
    }

    /** Conntrack timeouts of the router, as sysctl key/value pairs. */
    Map<String, Long> conntrackSysctls() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("net.netfilter.nf_conntrack_tcp_timeout_time_wait", nat.timeouts().of(NatTcpState.TIME_WAIT) / 1_000_000_000L);
        m.put("net.netfilter.nf_conntrack_tcp_timeout_close", nat.timeouts().of(NatTcpState.CLOSE) / 1_000_000_000L);
        m.put("net.netfilter.nf_conntrack_tcp_timeout_syn_sent", nat.timeouts().of(NatTcpState.SYN_SENT) / 1_000_000_000L);
        m.put("net.netfilter.nf_conntrack_tcp_timeout_fin_wait", nat.timeouts().of(NatTcpState.FIN_WAIT) / 1_000_000_000L);
        return m;
    }

    List<String> namespaces() {
        List<String> all = new ArrayList<>();
        all.add(router);
        clients.forEach(h -> all.add(h.namespace()));
        servers.forEach(h -> all.add(h.namespace()));
        return all;
    }
}
