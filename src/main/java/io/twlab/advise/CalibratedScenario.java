package io.twlab.advise;

import io.twlab.advise.evidence.HostEvidence;
import io.twlab.advise.evidence.IpvsService;
import io.twlab.advise.evidence.NatRule;
import io.twlab.advise.evidence.Sourced;
import io.twlab.analyzer.Analysis;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.report.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A twlab scenario of the system a bundle shows, each value commented with where it came from: the hosts and
 * their kernels and sysctls, the SNAT's addresses, ports, flags and conntrack timeouts, the IPVS service, the rate
 * from counter deltas. Where the bundle is silent a default is used and {@link #defaults} says how to supply it.
 * The names it gives (client, server, nat, lvs, the workload "clients") are what the fixes' --set paths address.
 */
public final class CalibratedScenario {
    public static final String CLIENTS = "client";
    public static final String SERVERS = "server";
    public static final String NAT = "nat";
    public static final String DIRECTOR = "lvs";
    public static final String WORKLOAD = "clients";
    private static final List<String> SERVER_SYSCTLS = List.of("net.ipv4.tcp_timestamps", "net.ipv4.tcp_tw_reuse",
            "net.ipv4.tcp_tw_recycle", "net.ipv4.tcp_max_tw_buckets", "net.ipv4.tcp_rfc1337", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_max_syn_backlog", "net.core.somaxconn", "net.ipv4.tcp_synack_retries");
    private static final List<String> CLIENT_SYSCTLS = List.of("net.ipv4.tcp_timestamps", "net.ipv4.tcp_tw_reuse",
            "net.ipv4.tcp_syn_retries", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syn_linear_timeouts");

    public final String yaml;
    public final List<String> defaults;
    public final boolean hasNat;
    public final boolean hasDirector;
    public final double rate;
    public final String serverKernel;
    public final long durationSeconds;

    private CalibratedScenario(String yaml, List<String> defaults, boolean hasNat, boolean hasDirector, double rate,
                               String serverKernel, long durationSeconds) {
        this.yaml = yaml;
        this.defaults = defaults;
        this.hasNat = hasNat;
        this.hasDirector = hasDirector;
        this.rate = rate;
        this.serverKernel = serverKernel;
        this.durationSeconds = durationSeconds;
    }

    public static CalibratedScenario of(Observed o) {
        List<String> defaults = new ArrayList<>();
        StringBuilder y = new StringBuilder();
        List<HostEvidence> servers = o.hosts(Role.SERVER);
        List<HostEvidence> clients = o.hosts(Role.CLIENT);
        List<HostEvidence> nats = o.hosts(Role.NAT);
        List<HostEvidence> directors = o.hosts(Role.DIRECTOR);
        HostEvidence server = servers.isEmpty() ? null : servers.get(0);
        HostEvidence client = clients.isEmpty() ? null : clients.get(0);
        HostEvidence nat = nats.stream().filter(n -> !n.natRules.isEmpty()).findFirst().orElse(null);
        HostEvidence director = directors.isEmpty() ? null : directors.get(0);
        IpvsService service = director == null ? null : director.ipvsServices.values().stream()
                .filter(s -> s.protocol.equals("TCP") && !s.realServers.isEmpty()).findFirst().orElse(null);
        if (service == null) {
            director = null;
        }

        long duration = o.observedSeconds > 0 ? Math.max(10, Math.round(o.observedSeconds)) : 60;
        double rate = o.rate > 0 ? o.rate : 10;
        y.append("# Calibrated by twlab advise from the bundle: ").append(String.join(", ", o.bundle.hosts.keySet()))
                .append(".\n# Every value says where it came from; 'default' marks what the bundle did not show.\n");
        y.append("name: calibrated\n");
        y.append("description: twlab advise - the system of the bundle\n");
        y.append("duration: ").append(duration).append("s").append(comment(o.observedSeconds > 0
                ? "the interval between the counter readings" : "default: no two counter readings", defaults,
                o.observedSeconds > 0 ? null : "duration=10m")).append('\n');
        y.append("seed: 1\n");
        y.append("hosts:\n");

        int clientCount = clients.size();
        String clientWhy = clientCount + " client host(s) in the bundle";
        Integer sharedHosts = sharedHostsFromCaptures(o);
        if (clientCount == 0) {
            clientCount = sharedHosts != null ? sharedHosts : 4;
            clientWhy = sharedHosts != null ? "hosts counted behind one address in the capture (twlab analyze)"
                    : "default: no client host in the bundle";
            if (sharedHosts == null) {
                defaults.add("client hosts: 4 assumed; give their bundles, a capture at the server, or --set "
                        + "hosts." + CLIENTS + ".count=N");
            }
        }
        String clientKernel = client != null ? o.kernel(client).profile() : perConnectionOffsets(o) ? "linux-6.18"
                : server != null ? o.kernel(server).profile() : "linux-6.18";
        y.append("  - name: ").append(CLIENTS).append('\n');
        y.append("    count: ").append(clientCount).append(comment(clientWhy, defaults, null)).append('\n');
        y.append("    kernel: ").append(clientKernel).append(comment(client != null ? kernelWhy(o, client)
                : perConnectionOffsets(o) ? "the capture shows per-connection TS offsets (Linux 4.10+)"
                : "default: the server's kernel", defaults, client == null && !perConnectionOffsets(o)
                ? "hosts." + CLIENTS + ".kernel=linux-X" : null)).append('\n');
        y.append("    address: 10.1.0.1\n");
        if (client != null) {
            sysctls(y, client, Profiles.get(clientKernel), CLIENT_SYSCTLS);
        }

        String serverKernel = server != null ? o.kernel(server).profile() : "linux-6.18";
        int servers0 = Math.max(1, servers.size());
        y.append("  - name: ").append(SERVERS).append('\n');
        y.append("    count: ").append(servers0).append(comment(servers.size() + " server host(s) in the bundle",
                defaults, null)).append('\n');
        y.append("    kernel: ").append(serverKernel).append(comment(server != null ? kernelWhy(o, server)
                : "default: no server in the bundle", defaults, server == null ? "hosts." + SERVERS
                + ".kernel=linux-X" : null)).append('\n');
        if (server != null && server.configHz != null) {
            y.append("    hz: ").append(server.configHz.value()).append("  # ").append(server.configHz.source())
                    .append('\n');
        }
        y.append("    address: 10.2.0.1\n");
        if (server != null) {
            sysctls(y, server, Profiles.get(serverKernel), SERVER_SYSCTLS);
        }

        if (nat != null) {
            NatRule r = nat.natRules.get(0);
            y.append("nats:\n");
            y.append("  - name: ").append(NAT).append(comment("host " + nat.name, defaults, null)).append('\n');
            y.append("    inside: [").append(CLIENTS).append("]\n");
            List<String> addrs = r.addresses().isEmpty() ? List.of("203.0.113.1") : r.addresses();
            y.append("    public-ips: [").append(String.join(", ", addrs)).append("]").append(comment(
                    r.addresses().isEmpty() ? "masquerade: the outgoing interface's address (one assumed)"
                            : r.source(), defaults, null)).append('\n');
            y.append("    ports: ").append(r.portLow() == 0 ? "1024-65535" : r.portLow() + "-" + r.portHigh())
                    .append(comment(r.portLow() == 0 ? r.source() + " gives no range: nf_nat's 1024-65535"
                            : r.source(), defaults, null)).append('\n');
            y.append("    allocation: linux\n");
            y.append("    kernel: ").append(o.kernel(nat).profile()).append(comment(kernelWhy(o, nat), defaults, null))
                    .append('\n');
            if (!r.flags().equals("none")) {
                y.append("    flags: ").append(r.flags()).append("  # ").append(r.source()).append('\n');
            }
            StringBuilder t = new StringBuilder();
            for (String[] k : new String[][]{{"time_wait", "time-wait"}, {"close", "close"}, {"syn_sent", "syn-sent"},
                    {"fin_wait", "fin-wait"}, {"close_wait", "close-wait"}, {"established", "established"}}) {
                Sourced<String> s = nat.sysctls.get("net.netfilter.nf_conntrack_tcp_timeout_" + k[0]);
                if (s != null && s.value().matches("\\d+")) {
                    t.append("      ").append(k[1]).append(": ").append(s.value()).append("s  # ").append(s.source())
                            .append('\n');
                }
            }
            if (t.length() > 0) {
                y.append("    timeouts:\n").append(t);
            }
            Sourced<String> max = nat.sysctls.get("net.netfilter.nf_conntrack_max");
            if (max != null && max.value().matches("\\d+") && Long.parseLong(max.value()) > 0) {
                y.append("    conntrack-max: ").append(max.value()).append("  # ").append(max.source()).append('\n');
            }
            if (!nat.conntrackStats.isEmpty() && nat.conntrackStats.get(0).cpus() > 1) {
                HostEvidence.ConntrackStats st = nat.conntrackStats.get(0);
                y.append("    cpus: ").append(st.cpus()).append("  # ").append(st.source())
                        .append(": one conntrack -S row per CPU (the insert race)\n");
            }
        } else if (sharedHosts != null && sharedHosts > 1) {
            defaults.add("the capture shows " + sharedHosts + " hosts behind one address but the bundle has no NAT "
                    + "host: its allocator and ports are unknown, so none is modelled; add the NAT box's bundle");
        }

        if (director != null) {
            y.append("directors:\n");
            y.append("  - name: ").append(DIRECTOR).append(comment("host " + director.name, defaults, null)).append('\n');
            String mode = director.sysctl("net.ipv4.vs.conn_reuse_mode");
            if (mode != null) {
                y.append("    conn-reuse-mode: ").append(mode.equals("0") ? 0 : 1).append("  # ")
                        .append(director.sysctls.get("net.ipv4.vs.conn_reuse_mode").source()).append('\n');
            }
            String expire = director.sysctl("net.ipv4.vs.expire_nodest_conn");
            if (expire != null) {
                y.append("    expire-nodest-conn: ").append(expire.equals("0") ? 0 : 1).append("  # ")
                        .append(director.sysctls.get("net.ipv4.vs.expire_nodest_conn").source()).append('\n');
            }
            if ("1".equals(director.sysctl("net.ipv4.vs.conntrack"))) {
                y.append("    conntrack: 1  # ").append(director.sysctls.get("net.ipv4.vs.conntrack").source())
                        .append('\n');
            }
            if (director.ipvsTimeouts != null) {
                long[] t = director.ipvsTimeouts.value();
                y.append("    tcp-timeout: ").append(t[0]).append("s  # ").append(director.ipvsTimeouts.source())
                        .append('\n');
                y.append("    tcpfin-timeout: ").append(t[1]).append("s  # ").append(director.ipvsTimeouts.source())
                        .append('\n');
            }
            y.append("    services:\n");
            y.append("      - name: web\n");
            y.append("        vip: ").append(service.vip).append("  # ").append(service.source()).append('\n');
            y.append("        port: ").append(service.port).append('\n');
            y.append("        scheduler: ").append(scheduler(service.scheduler)).append('\n');
            String fw = service.forwarding();
            if (!fw.equalsIgnoreCase("Masq")) {
                defaults.add("the service forwards by " + fw + "; modelled as NAT (masquerade) mode, the one twlab "
                        + "advise calibrates today");
            }
            y.append("        mode: nat\n");
            y.append("        real-servers: [").append(SERVERS).append("]\n");
        }

        int port = director != null ? service.port : servicePort(server);
        y.append("links:\n");
        String front = nat != null ? NAT : director != null ? DIRECTOR : SERVERS;
        y.append("  - between: [").append(CLIENTS).append(", ").append(front).append("]\n");
        if (nat != null) {
            y.append("  - between: [").append(NAT).append(", ").append(director != null ? DIRECTOR : SERVERS)
                    .append("]\n");
        }
        if (director != null) {
            y.append("  - between: [").append(DIRECTOR).append(", ").append(SERVERS).append("]\n");
        }
        defaults.add("link latency: twlab's default 100 µs per link (the bundle does not show RTTs); edit the links' "
                + "latency in calibrated.yaml to change it");

        y.append("workloads:\n");
        y.append("  - name: ").append(WORKLOAD).append('\n');
        y.append("    from: ").append(CLIENTS).append('\n');
        y.append("    to: ").append(director != null ? DIRECTOR : SERVERS).append(':').append(port).append('\n');
        y.append("    rate: ").append(String.format(Locale.ROOT, "%.3f", rate)).append(comment(o.rate > 0
                ? o.rateSource : "default: no counter deltas", defaults, o.rate > 0 ? null
                : "workloads." + WORKLOAD + ".rate=R (or collect two readings)")).append('\n');
        y.append("    arrivals: poisson  # independent clients\n");
        boolean serverCloses = server == null || !server.timeWaitByLocalPort.isEmpty() || client == null
                || client.timeWaitByLocalPort.isEmpty();
        y.append("    pattern: ").append(serverCloses ? "http10" : "client-close").append(comment(server != null
                && !server.timeWaitByLocalPort.isEmpty() ? "TIME-WAIT sockets on the server's port "
                + port + ": the server closes first" : serverCloses ? "default: server closes first"
                : "TIME-WAIT on the clients: they close first", defaults, null)).append('\n');
        defaults.add("request and response sizes, server think time and the clients' connect timeout: twlab's "
                + "defaults (300 B, 1000 B, 0, none); --set workloads." + WORKLOAD + ".connect-timeout=... etc.");
        return new CalibratedScenario(y.toString(), defaults, nat != null, director != null, rate, serverKernel,
                duration);
    }

    private static String comment(String why, List<String> defaults, String how) {
        if (how != null) {
            defaults.add(why + " (--set " + how + ")");
        }
        return "  # " + why.replace('\n', ' ');
    }

    private static String kernelWhy(Observed o, HostEvidence h) {
        KernelMatch k = o.kernel(h);
        return (h.kernelRelease != null ? h.kernelRelease.value() + " at " + h.kernelRelease.source() + ": " : "")
                + k.why();
    }

    private static void sysctls(StringBuilder y, HostEvidence h, KernelProfile p, List<String> keys) {
        StringBuilder s = new StringBuilder();
        for (String k : keys) {
            Sourced<String> v = h.sysctls.get(k);
            if (v == null || !p.hasSysctl(k)) {
                continue;
            }
            String value = v.value().trim();
            if (k.equals("net.ipv4.ip_local_port_range")) {
                String[] t = value.split("\\s+");
                if (t.length != 2) {
                    continue;
                }
                value = t[0] + "-" + t[1];
            } else if (!value.matches("\\d+")) {
                continue;
            }
            var def = p.sysctls().get(k);
            if (!k.equals("net.ipv4.ip_local_port_range") && (Long.parseLong(value) < def.min()
                    || Long.parseLong(value) > def.max())) {
                continue;
            }
            s.append("      ").append(k).append(": ").append(value).append("  # ").append(v.source()).append('\n');
        }
        if (s.length() > 0) {
            y.append("    sysctl:\n").append(s);
        }
    }

    private static String scheduler(String s) {
        return switch (s) {
            case "rr", "wrr", "lc", "wlc", "sh" -> s;
            default -> "wlc";
        };
    }

    /** The server's service port: its listening port holding TIME_WAIT sockets, else its first listener, else 443. */
    private static int servicePort(HostEvidence server) {
        if (server != null) {
            for (Map.Entry<Integer, Long> e : server.timeWaitByLocalPort.entrySet()) {
                if (server.listening.isEmpty() || server.listening.containsKey(e.getKey())) {
                    return e.getKey();
                }
            }
            if (!server.listening.isEmpty()) {
                return server.listening.keySet().iterator().next();
            }
        }
        return 443;
    }

    private static Integer sharedHostsFromCaptures(Observed o) {
        Integer best = null;
        for (List<Analysis> as : o.captures.values()) {
            for (Analysis a : as) {
                for (Object s : (List<?>) a.toMap().get("sources")) {
                    Object hosts = Json.object(s).get("hosts");
                    if (hosts instanceof Number n && (best == null || n.intValue() > best)) {
                        best = n.intValue();
                    }
                }
            }
        }
        return best;
    }

    private static boolean perConnectionOffsets(Observed o) {
        for (List<Analysis> as : o.captures.values()) {
            for (Analysis a : as) {
                for (Object s : (List<?>) a.toMap().get("sources")) {
                    if (Boolean.TRUE.equals(Json.object(s).get("perConnectionOffsets"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
