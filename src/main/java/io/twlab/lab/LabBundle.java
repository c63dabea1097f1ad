package io.twlab.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evidence of a lab run in twlab collect's layout, one folder per namespace named as its scenario host
 * (DIR/bundle/&lt;host&gt;/...), each file with the collect header, so {@code twlab advise DIR/bundle} reads a real
 * kernel's outputs. The counters are read when the clients start and when they are done; the rest at the end.
 * A tool this machine lacks (conntrack) is noted in the host's notes.txt, as the collect script does; netstat -s
 * (net-tools) is written beside nstat where installed, so its reader is tried on the real kernel's counters.
 */
final class LabBundle {
    private final Path dir;
    private final Map<String, String> hosts = new LinkedHashMap<>(); // namespace -> host name

    LabBundle(Path out, LabPlan plan) {
        this.dir = out.resolve("bundle");
        hosts.put(plan.router, plan.nat.name());
        plan.clients.forEach(h -> hosts.put(h.namespace(), h.name()));
        plan.servers.forEach(h -> hosts.put(h.namespace(), h.name()));
    }

    /** Counter readings (1 at the start, 2 at the end): /proc/net/netstat and snmp, nstat, conntrack -S/-C. */
    void snapshot(int n) {
        for (Map.Entry<String, String> e : hosts.entrySet()) {
            String ns = e.getKey();
            write(ns, "proc-net-netstat-" + n + ".txt", "cat /proc/net/netstat", "cat", "/proc/net/netstat");
            write(ns, "proc-net-snmp-" + n + ".txt", "cat /proc/net/snmp", "cat", "/proc/net/snmp");
            write(ns, "nstat-" + n + ".txt", "nstat -asz", "nstat", "-asz");
            if (tool("netstat")) {
                write(ns, "netstat-s-" + n + ".txt", "netstat -s", "netstat", "-s");
            }
            if (ns.equals(routerNamespace())) {
                if (tool("conntrack")) {
                    write(ns, "conntrack-S-" + n + ".txt", "conntrack -S", "conntrack", "-S");
                    write(ns, "conntrack-C-" + n + ".txt", "conntrack -C", "conntrack", "-C");
                } else {
                    write(ns, "conntrack-S-" + n + ".txt", "cat /proc/net/stat/nf_conntrack", "cat",
                            "/proc/net/stat/nf_conntrack");
                }
            }
        }
    }

    /** What does not change during the run, and the sockets and conntrack entries left at its end. */
    void finish() {
        for (Map.Entry<String, String> e : hosts.entrySet()) {
            String ns = e.getKey();
            List<String> notes = new ArrayList<>();
            write(ns, "uname.txt", "uname -a", "uname", "-a");
            write(ns, "uptime.txt", "cat /proc/uptime", "cat", "/proc/uptime");
            write(ns, "sysctl.txt", "sysctl -a", "sysctl", "-a");
            write(ns, "ss-s.txt", "ss -s", "ss", "-s");
            write(ns, "ss-listen.txt", "ss -tln", "ss", "-tln");
            write(ns, "ss-time-wait.txt", "ss -tan state time-wait", "ss", "-tan", "state", "time-wait");
            if (ns.equals(routerNamespace())) {
                write(ns, "nft-ruleset.txt", "nft list ruleset", "nft", "list", "ruleset");
                if (tool("conntrack")) {
                    write(ns, "conntrack-L.txt", "conntrack -L -p tcp", "conntrack", "-L", "-p", "tcp");
                } else {
                    notes.add("# twlab-collect: skipped conntrack -S/-C/-L (conntrack is not installed)");
                }
            }
            notes.add(0, header("notes", e.getValue()));
            put(e.getValue(), "notes.txt", String.join("\n", notes) + "\n");
        }
    }

    /** The server-side capture, beside the server's other files (advise reads it through the analyzer). */
    void capture(Path pcap, String host) {
        try {
            Files.createDirectories(dir.resolve(host));
            if (Files.exists(pcap)) {
                Files.copy(pcap, dir.resolve(host).resolve("capture.pcap"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new LabException("cannot copy the capture into the bundle: " + e.getMessage());
        }
    }

    private String routerNamespace() {
        return hosts.keySet().iterator().next();
    }

    private static boolean tool(String name) {
        return !Shell.resolve(name).equals(name);
    }

    private void write(String ns, String file, String label, String... command) {
        Shell.Result r = Shell.run(null, Shell.in(ns, command));
        String host = hosts.get(ns);
        put(host, file, header(label, host) + "\n" + r.out() + (r.status() != 0 ? r.err() : ""));
    }

    private static String header(String label, String host) {
        return "# twlab-collect " + label + " " + System.currentTimeMillis() / 1000 + " " + host;
    }

    private void put(String host, String file, String text) {
        try {
            Files.createDirectories(dir.resolve(host));
            Files.writeString(dir.resolve(host).resolve(file), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot write the bundle file " + dir.resolve(host).resolve(file) + ": "
                    + e.getMessage());
        }
    }
}
