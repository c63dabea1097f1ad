package io.twlab.lab;

import io.twlab.metrics.LatencyHistogram;
import io.twlab.net.Ipv4;
import io.twlab.tcp.Counter;
import io.twlab.workload.Pattern;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Builds a {@link LabPlan} on this machine, drives its workload through the real kernel, collects counters,
 * TIME_WAIT samples, conntrack statistics and a server-side capture, and removes everything it made: on success,
 * on failure and on Ctrl-C (a shutdown hook). Every wait is bounded.
 */
public final class LabRun {
    /** Namespaces of every lab run start with this, so {@code twlab lab --cleanup} can find leftovers. */
    public static final String PREFIX = "twl-";
    private static final int CAPTURE_MAX_PACKETS = 500_000;

    private final LabPlan plan;
    private final Path out;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    /** The router's live TCP conntrack entries (conntrack -L -p tcp), by second of the run. */
    private final Map<Long, Long> conntrackEntries = new TreeMap<>();
    private volatile boolean cleaned;
    private Thread hook;

    private LabRun(LabPlan plan, Path out) {
        this.plan = plan;
        this.out = out;
    }

    /** The plan of {@code spec} with this process's namespace prefix (checks what cannot run here). */
    public static LabPlan plan(io.twlab.scenario.ScenarioSpec spec) {
        return LabPlan.of(spec, PREFIX + ProcessHandle.current().pid() + "-");
    }

    public static void requireRoot() {
        String uid = Shell.ok("id", "-u").strip();
        if (!uid.equals("0")) {
            throw new LabException("twlab lab needs root (it creates network namespaces, veth pairs and nftables "
                    + "rules): run it as root or with sudo");
        }
    }

    /** Removes every namespace whose name starts with {@code prefix}; returns how many. */
    public static int removeNamespaces(String prefix) {
        int removed = 0;
        for (String line : Shell.ok("ip", "netns", "list").split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (!name.isEmpty() && name.startsWith(prefix)) {
                Shell.run(null, "ip", "netns", "del", name);
                removed++;
            }
        }
        return removed;
    }

    /** Runs the plan; {@code progress} gets a line per step. Returns the lab's summary document. */
    public static Map<String, Object> run(LabPlan plan, Path out, java.util.function.Consumer<String> progress) {
        LabRun r = new LabRun(plan, out);
        r.hook = new Thread(r::cleanup, "twlab-lab-cleanup");
        Runtime.getRuntime().addShutdownHook(r.hook);
        try {
            return r.execute(progress);
        } finally {
            r.cleanup();
            try {
                Runtime.getRuntime().removeShutdownHook(r.hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: nothing left to remove
            }
        }
    }

    private synchronized void cleanup() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        for (Process p : processes) {
            p.destroyForcibly();
        }
        removeNamespaces(plan.prefix);
    }

    private Map<String, Object> execute(java.util.function.Consumer<String> progress) {
        progress.accept("building " + plan.namespaces().size() + " namespaces");
        build();
        Path pcap = out.resolve("capture-server.pcap");
        LabPlan.Host server = plan.servers.get(0);
        int port = plan.drivers.get(0).workload().port();
        processes.add(start(Shell.in(server.namespace(), "tcpdump", "-i", "eth0", "-w", pcap.toString(), "-s", "200",
                "-U", "-c", String.valueOf(CAPTURE_MAX_PACKETS), "tcp", "port", String.valueOf(port))));
        Map<String, Map<Counter, Long>> before = new LinkedHashMap<>();
        for (String ns : countedNamespaces()) {
            before.put(ns, Netstat.read(ns));
        }
        long durationMs = plan.spec.durationNs() / 1_000_000L;
        long maxTimeoutMs = plan.drivers.stream().mapToLong(d -> d.workload().connectTimeoutNs() / 1_000_000L)
                .max().orElse(0);
        long startMs = System.currentTimeMillis() + 2_000 + 400L * plan.drivers.size();
        long deadlineMs = startMs + durationMs + maxTimeoutMs + 10_000;
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        for (LabPlan.Host s : plan.servers) {
            io.twlab.workload.ServiceSpec svc = plan.drivers.get(0).workload().service();
            Process p = start(Shell.in(s.namespace(), java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", cp,
                    LabDriver.class.getName(), "server", String.valueOf(port), String.valueOf(svc.requestBytes()),
                    String.valueOf(svc.responseBytes()), svc.pattern() == Pattern.HTTP10 ? "server" : "client",
                    String.valueOf(deadlineMs)));
            processes.add(p);
            awaitLine(p, "READY", 30);
        }
        progress.accept("driving " + plan.drivers.size() + " clients for " + durationMs / 1000 + " s");
        List<Process> clients = new ArrayList<>();
        List<Path> clientCsv = new ArrayList<>();
        for (int i = 0; i < plan.drivers.size(); i++) {
            LabPlan.Client c = plan.drivers.get(i);
            Path csv = out.resolve("lab-client-" + c.host().name() + ".csv");
            clientCsv.add(csv);
            Process p = start(Shell.in(c.host().namespace(), java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", cp,
                    LabDriver.class.getName(), "client", Ipv4.format(c.serverLabIp()),
                    String.valueOf(c.workload().port()), String.valueOf(c.rate()), String.valueOf(durationMs),
                    String.valueOf(startMs), String.valueOf(Math.max(1, c.workload().connectTimeoutNs() / 1_000_000L)),
                    String.valueOf(c.workload().service().requestBytes()),
                    String.valueOf(c.workload().service().responseBytes()),
                    String.valueOf(plan.spec.seed() * 1000 + i),
                    c.workload().arrivals() == io.twlab.workload.Arrivals.POISSON ? "poisson" : "paced", csv.toString(),
                    c.workload().service().pattern() == Pattern.HTTP10 ? "server" : "client"));
            processes.add(p);
            clients.add(p);
        }
        LabBundle bundle = new LabBundle(out, plan);
        sleep(Math.max(0, startMs - 1000 - System.currentTimeMillis()));
        bundle.snapshot(1);
        // TIME_WAIT on each server, once a second, as `ss -tan state time-wait` shows it.
        Map<Long, Long> timeWait = new TreeMap<>();
        long peak = 0;
        while (System.currentTimeMillis() < deadlineMs && clients.stream().anyMatch(Process::isAlive)) {
            sleep(1000);
            long second = (System.currentTimeMillis() - startMs) / 1000;
            if (second < 0) {
                continue;
            }
            long count = 0;
            for (LabPlan.Host s : plan.servers) {
                count += Shell.ok(Shell.in(s.namespace(), "ss", "-Htan", "state", "time-wait")).lines().count();
            }
            timeWait.put(second, count);
            peak = Math.max(peak, count);
            long entries = tcpConntrackEntries();
            if (entries >= 0) {
                conntrackEntries.put(second, entries);
            }
        }
        for (Process p : clients) {
            waitFor(p, 10);
        }
        Map<String, Map<Counter, Long>> deltas = new LinkedHashMap<>();
        for (String ns : countedNamespaces()) {
            deltas.put(ns, Netstat.delta(before.get(ns), Netstat.read(ns)));
        }
        Map<String, Long> conntrack = conntrackStats();
        bundle.snapshot(2);
        bundle.finish();
        sleep(500); // let tcpdump write out what it holds
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroy();
                waitFor(p, 5);
            }
        }
        bundle.capture(pcap, server.name());
        progress.accept("collecting");
        return summary(clientCsv, deltas, timeWait, peak, conntrack);
    }

    private List<String> countedNamespaces() {
        List<String> all = new ArrayList<>();
        plan.clients.forEach(h -> all.add(h.namespace()));
        plan.servers.forEach(h -> all.add(h.namespace()));
        return all;
    }

    private void build() {
        for (String ns : plan.namespaces()) {
            Shell.ok("ip", "netns", "add", ns);
        }
        String r = plan.router;
        Shell.ok("ip", "-n", r, "link", "add", "br-in", "type", "bridge");
        Shell.ok("ip", "-n", r, "link", "add", "br-out", "type", "bridge");
        int k = 0;
        for (LabPlan.Host h : plan.clients) {
            veth(h, "c" + (++k), "br-in");
            Shell.ok("ip", "-n", h.namespace(), "addr", "add", Ipv4.format(h.labIp()) + "/16", "dev", "eth0");
            // The only route out of a client: the router, and only toward the outside network.
            Shell.ok("ip", "-n", h.namespace(), "route", "add", "198.19.0.0/16", "via", "198.18.0.1");
        }
        k = 0;
        for (LabPlan.Host h : plan.servers) {
            veth(h, "s" + (++k), "br-out");
            // A server has its /16 and nothing else: it can answer the NAT addresses and reach nothing beyond.
            Shell.ok("ip", "-n", h.namespace(), "addr", "add", Ipv4.format(h.labIp()) + "/16", "dev", "eth0");
        }
        for (String l : List.of("br-in", "br-out", "lo")) {
            Shell.ok("ip", "-n", r, "link", "set", l, "up");
        }
        Shell.ok("ip", "-n", r, "addr", "add", "198.18.0.1/16", "dev", "br-in");
        for (int ip : plan.natLabIps) {
            Shell.ok("ip", "-n", r, "addr", "add", Ipv4.format(ip) + "/16", "dev", "br-out");
        }
        Shell.ok(Shell.in(r, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"));
        Shell.okWithInput(plan.nftRules(), Shell.in(r, "nft", "-f", "-"));
        for (Map.Entry<String, Long> e : plan.conntrackSysctls().entrySet()) {
            Shell.ok(Shell.in(r, "sysctl", "-q", "-w", e.getKey() + "=" + e.getValue()));
        }
        List<LabPlan.Host> all = new ArrayList<>(plan.clients);
        all.addAll(plan.servers);
        for (LabPlan.Host h : all) {
            for (Map.Entry<String, Long> e : h.group().sysctls().entrySet()) {
                if (!LabPlan.exists(e.getKey())) {
                    continue; // a 0 for a setting this kernel lacks (noted in the plan)
                }
                io.twlab.kernel.Sysctl def = h.group().profile().sysctls().get(e.getKey());
                // A range is held packed; /proc takes its two ends ("40000 40199").
                String value = def != null ? def.procText(e.getValue()) : String.valueOf(e.getValue());
                Shell.ok(Shell.in(h.namespace(), "sysctl", "-q", "-w", e.getKey() + "=" + value));
            }
        }
        netem();
    }

    private void veth(LabPlan.Host h, String routerSide, String bridge) {
        String tmp = h.namespace().length() > 12 ? "t" + Math.abs(h.namespace().hashCode()) : h.namespace() + "x";
        Shell.ok("ip", "link", "add", tmp, "netns", h.namespace(), "type", "veth", "peer", "name", routerSide, "netns",
                plan.router);
        Shell.ok("ip", "-n", h.namespace(), "link", "set", tmp, "name", "eth0");
        Shell.ok("ip", "-n", plan.router, "link", "set", routerSide, "master", bridge);
        Shell.ok("ip", "-n", plan.router, "link", "set", routerSide, "up");
        Shell.ok("ip", "-n", h.namespace(), "link", "set", "eth0", "up");
        Shell.ok("ip", "-n", h.namespace(), "link", "set", "lo", "up");
    }

    /** Link latency and loss with tc netem where the kernel has it; otherwise a warning (veths are ~10 µs). */
    private void netem() {
        for (io.twlab.scenario.LinkSpec l : plan.spec.links()) {
            if (l.latencyNs() < 50_000 && l.loss() == 0) {
                continue;
            }
            for (LabPlan.Host h : plan.clients.size() > 0 ? plan.clients : plan.servers) {
                Shell.Result res = Shell.run(null, Shell.in(h.namespace(), "tc", "qdisc", "add", "dev", "eth0", "root",
                        "netem", "delay", (l.latencyNs() / 1000) + "us", "loss", (l.loss() * 100) + "%"));
                if (res.status() != 0) {
                    warnings.add("links " + l.a() + "-" + l.b() + ": tc netem is not available in this kernel ("
                            + res.err().strip() + "); the link runs at veth speed without the scenario's "
                            + (l.latencyNs() / 1000) + " µs latency and " + l.loss() + " loss");
                    return;
                }
            }
        }
    }

    /**
     * The router's live TCP conntrack entries (conntrack -L -p tcp), or -1 without conntrack-tools. Not
     * nf_conntrack_count: that also counts the IGMP and other entries the namespaces' own interfaces make, which
     * the simulated gateway does not have.
     */
    private long tcpConntrackEntries() {
        Shell.Result res = Shell.run(null, Shell.in(plan.router, "conntrack", "-L", "-p", "tcp"));
        if (res.status() != 0) {
            return -1;
        }
        return res.out().lines().filter(l -> l.startsWith("tcp")).count();
    }

    /** /proc/net/stat/nf_conntrack of the router, summed over CPUs (hex columns). */
    private Map<String, Long> conntrackStats() {
        Map<String, Long> m = new LinkedHashMap<>();
        Shell.Result res = Shell.run(null, Shell.in(plan.router, "cat", "/proc/net/stat/nf_conntrack"));
        String[] lines = res.out().split("\n");
        if (res.status() != 0 || lines.length < 2) {
            return m;
        }
        String[] names = lines[0].trim().split("\\s+");
        for (int i = 1; i < lines.length; i++) {
            String[] v = lines[i].trim().split("\\s+");
            for (int k = 0; k < Math.min(names.length, v.length); k++) {
                long x = Long.parseLong(v[k], 16);
                // "entries" is the table size, the same on every line; the rest are per-CPU event counts.
                m.merge(names[k], x, k == 0 ? (a, b) -> b : Long::sum);
            }
        }
        return m;
    }

    private Process start(String... command) {
        try {
            String[] resolved = command.clone();
            resolved[0] = Shell.resolve(command[0]);
            Process p = new ProcessBuilder(resolved).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return p;
        } catch (IOException e) {
            throw new LabException(command[0] + " cannot be started: " + e.getMessage());
        }
    }

    private static void awaitLine(Process p, String line, int seconds) {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        try {
            while (System.currentTimeMillis() < deadline) {
                if (r.ready()) {
                    String l = r.readLine();
                    if (l == null) {
                        break;
                    }
                    if (l.equals(line)) {
                        return;
                    }
                } else if (!p.isAlive()) {
                    break;
                } else {
                    sleep(50);
                }
            }
        } catch (IOException e) {
            throw new LabException("lab driver output unreadable: " + e.getMessage());
        }
        throw new LabException("the lab server did not start within " + seconds + " s");
    }

    private static void waitFor(Process p, int seconds) {
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
    }

    private Map<String, Object> summary(List<Path> clientCsv, Map<String, Map<Counter, Long>> deltas,
                                        Map<Long, Long> timeWait, long peak, Map<String, Long> conntrack) {
        LatencyHistogram connect = new LatencyHistogram();
        LatencyHistogram firstByte = new LatencyHistogram();
        Map<String, Long> outcomes = new TreeMap<>();
        long attempts = 0;
        long retransmitted = 0;
        TreeMap<Long, long[]> perSecond = new TreeMap<>(); // attempts, successes, failed
        for (Path csv : clientCsv) {
            List<String> rows;
            try {
                rows = Files.exists(csv) ? Files.readAllLines(csv) : List.of();
            } catch (IOException e) {
                throw new LabException("cannot read " + csv + ": " + e.getMessage());
            }
            if (rows.isEmpty()) {
                warnings.add(csv.getFileName() + ": the client wrote nothing");
                continue;
            }
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.split(",");
                long second = (long) (Double.parseDouble(f[0]) / 1000);
                long us = Long.parseLong(f[1]);
                long fb = Long.parseLong(f[2]);
                String outcome = f[4];
                attempts++;
                outcomes.merge(outcome, 1L, Long::sum);
                long[] s = perSecond.computeIfAbsent(second + 1, x -> new long[3]);
                s[0]++;
                s[outcome.equals("ok") ? 1 : 2]++;
                if (us >= 0) {
                    connect.record(us);
                    if (us >= 900_000) {
                        retransmitted++;
                    }
                }
                if (fb >= 0) {
                    firstByte.record(fb);
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> clients = new LinkedHashMap<>();
        long ok = outcomes.getOrDefault("ok", 0L);
        clients.put("attempts", attempts);
        clients.put("successes", ok);
        clients.put("failed", attempts - ok);
        Map<String, Object> failures = new LinkedHashMap<>(outcomes);
        failures.remove("ok");
        clients.put("failures", failures);
        clients.put("connectsSlowerThan900ms", retransmitted);
        clients.put("connectMs", Map.of("p50", connect.quantile(0.5) / 1000.0, "p99", connect.quantile(0.99) / 1000.0,
                "max", connect.max() / 1000.0));
        clients.put("firstByteMs", Map.of("p50", firstByte.quantile(0.5) / 1000.0, "p99",
                firstByte.quantile(0.99) / 1000.0, "max", firstByte.max() / 1000.0));
        m.put("clients", clients);
        Map<String, Object> hosts = new LinkedHashMap<>();
        List<LabPlan.Host> all = new ArrayList<>(plan.clients);
        all.addAll(plan.servers);
        for (LabPlan.Host h : all) {
            Map<String, Object> hm = new LinkedHashMap<>();
            hm.put("role", h.server() ? "server" : "client");
            hm.put("group", h.group().name());
            hm.put("address", Ipv4.format(h.labIp()));
            Map<String, Object> counters = new LinkedHashMap<>();
            deltas.get(h.namespace()).forEach((c, v) -> counters.put(c.name(), v));
            hm.put("counters", counters);
            if (h.server()) {
                hm.put("timeWait", Map.of("peak", peak));
            }
            hosts.put(h.name(), hm);
        }
        m.put("hosts", hosts);
        m.put("conntrack", conntrack);
        m.put("addresses", plan.addressMap);
        List<String> notes = new ArrayList<>(plan.notes);
        notes.addAll(warnings);
        m.put("notes", notes);
        StringBuilder csv = new StringBuilder("time_s,attempts,successes,failed,time_wait,conntrack_entries\n");
        long last = Math.max(perSecond.isEmpty() ? 0 : perSecond.lastKey(), plan.spec.durationNs() / 1_000_000_000L);
        for (long s = 1; s <= last; s++) {
            long[] v = perSecond.getOrDefault(s, new long[3]);
            // A second the sampler missed stays empty (a gap), not a zero.
            Long tw = timeWait.get(s);
            Long ct = conntrackEntries.get(s);
            csv.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%s,%s%n", s, v[0], v[1], v[2], tw == null ? "" : tw,
                    ct == null ? "" : ct));
        }
        m.put("seriesCsv", csv.toString());
        return m;
    }
}
