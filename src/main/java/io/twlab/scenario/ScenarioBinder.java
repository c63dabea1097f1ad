package io.twlab.scenario;

import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.kernel.Sysctl;
import io.twlab.nat.NatTcpState;
import io.twlab.nat.NatTimeouts;
import io.twlab.nat.PortAllocation;
import io.twlab.net.Ipv4;
import io.twlab.workload.Arrivals;
import io.twlab.workload.Pattern;
import io.twlab.workload.RateProfile;
import io.twlab.workload.ServiceSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Validates a scenario tree and binds it to {@link ScenarioSpec}. Every error names its location. */
public final class ScenarioBinder {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final long S = Simulator.NS_PER_SEC;

    private final Map<String, Location> elementNames = new LinkedHashMap<>();
    private final Map<Integer, String> addressOwners = new HashMap<>();

    private ScenarioBinder() {
    }

    public static ScenarioSpec bind(YNode root) {
        return new ScenarioBinder().bindRoot(root);
    }

    private ScenarioSpec bindRoot(YNode root) {
        Section s = new Section(root, "the scenario");
        String name = s.requiredString("name", "name: my-scenario");
        String description = s.string("description", "");
        YNode durationNode = s.required("duration", "duration: 10m");
        long duration = s.durationOf(s.scalar(durationNode, "duration", "a duration"), "duration");
        if (duration <= 0) {
            throw new ScenarioException(durationNode.location(), "duration must be positive", "e.g. duration: 10m");
        }
        long seed = s.integer("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);

        List<HostGroupSpec> hosts = new ArrayList<>();
        int groupIndex = 0;
        for (YNode n : s.list("hosts", true, "a hosts: list with at least a client and a server group")) {
            hosts.add(bindHostGroup(n, groupIndex++));
        }
        List<NatSpec> nats = new ArrayList<>();
        for (YNode n : s.list("nats", false, "")) {
            nats.add(bindNat(n, hosts));
        }
        List<String> routers = new ArrayList<>();
        for (YNode n : s.list("routers", false, "")) {
            Section r = new Section(n, "routers[]");
            routers.add(elementName(r, "internet"));
            r.finish();
        }
        List<DirectorSpec> directors = new ArrayList<>();
        for (YNode n : s.list("directors", false, "")) {
            directors.add(bindDirector(n, hosts));
        }
        List<LinkSpec> links = new ArrayList<>();
        List<Location> linkLocations = new ArrayList<>();
        for (YNode n : s.list("links", true, "a links: list joining the elements")) {
            links.add(bindLink(n, hosts));
            linkLocations.add(n.location());
        }
        List<WorkloadSpec> workloads = new ArrayList<>();
        Map<String, ServiceSpec> services = new HashMap<>();
        Map<String, String> serviceOwner = new HashMap<>();
        List<YNode> workloadNodes = s.list("workloads", true, "a workloads: list");
        requireUniqueNames(workloadNodes, "workloads");
        for (YNode n : workloadNodes) {
            WorkloadSpec w = bindWorkload(n, hosts, directors, links, duration);
            String key = w.to() + ":" + w.port();
            ServiceSpec previous = services.putIfAbsent(key, w.service());
            if (previous != null && !previous.equals(w.service())) {
                throw new ScenarioException(n.location(), "workloads " + serviceOwner.get(key) + " and " + w.name()
                        + " both target " + key + " but describe different exchanges",
                        "give them the same pattern, request, response and think time, or use another port");
            }
            serviceOwner.putIfAbsent(key, w.name());
            workloads.add(w);
        }
        if (workloads.isEmpty()) {
            throw new ScenarioException(s.location(), "the scenario has no workload", "add a workloads: list");
        }
        s.finish();
        return new ScenarioSpec(name, description, duration, seed, List.copyOf(hosts), List.copyOf(nats),
                List.copyOf(directors), List.copyOf(routers), List.copyOf(links), List.copyOf(workloads));
    }

    private String elementName(Section s, String what) {
        YNode n = s.required("name", "name: " + what);
        String name = s.scalar(n, "name", "a name").text;
        if (!NAME.matcher(name).matches()) {
            throw new ScenarioException(n.location(), "invalid name '" + name + "'",
                    "use lower-case letters, digits and '-', starting with a letter");
        }
        Location first = elementNames.putIfAbsent(name, n.location());
        if (first != null) {
            throw new ScenarioException(n.location(), "the name '" + name + "' is used twice",
                    "it is already used at " + first + "; host groups and NATs share one namespace");
        }
        return name;
    }

    private HostGroupSpec bindHostGroup(YNode node, int groupIndex) {
        Section s = new Section(node, "hosts[" + groupIndex + "]");
        String name = elementName(s, "nginx");
        Section named = new Section(node, "hosts." + name);
        named.has("name");
        // About 230 KB per host (a host table, its timers and its counters): 10,000 hosts take some 2.3 GB.
        int count = (int) named.integer("count", 1, 1, 10_000);
        YNode kernelNode = named.required("kernel", "kernel: " + Profiles.names().get(0));
        String kernel = named.scalar(kernelNode, "kernel", "a kernel profile name").text;
        KernelProfile profile = Profiles.get(kernel);
        if (profile == null) {
            throw new ScenarioException(kernelNode.location(), "unknown kernel profile '" + kernel + "'",
                    "valid profiles: " + String.join(", ", Profiles.names()));
        }
        YNode hzNode = named.node("hz");
        int hz = profile.defaultHz();
        if (hzNode != null) {
            hz = (int) named.integerOf(named.scalar(hzNode, "hz", "100, 250 or 1000"), "hz", 100, 1000);
            if (1000 % hz != 0) {
                throw new ScenarioException(hzNode.location(), "hosts." + name + ".hz = " + hz + " is not supported",
                        "use 100, 250 or 1000");
            }
        }
        int first;
        YNode addrNode = named.node("address");
        if (addrNode != null) {
            YNode.YScalar a = named.scalar(addrNode, "address", "an IPv4 address");
            long ip = Ipv4.parse(a.text);
            if (ip < 0) {
                throw new ScenarioException(a.location(), "hosts." + name + ".address: '" + a.text
                        + "' is not an IPv4 address", "write four numbers 0-255 separated by dots, e.g. 10.0.0.1");
            }
            if (ip + count - 1 > 0xFFFFFFFFL) {
                throw new ScenarioException(a.location(), "hosts." + name + ": " + count + " hosts from " + a.text
                        + " run past 255.255.255.255", "start the group at a lower address or give fewer hosts");
            }
            first = (int) ip;
        } else {
            first = (int) Ipv4.parse("10." + (groupIndex + 1) + ".0.1");
        }
        for (int i = 0; i < count; i++) {
            claimAddress(first + i, name, addrNode != null ? addrNode.location() : named.location());
        }
        int backlog = (int) named.integer("backlog", 511, 1, 65535);
        long uptimeMin = 86400 * S;
        long uptimeMax = 40 * 86400 * S;
        YNode upNode = named.node("uptime");
        if (upNode != null) {
            YNode.YScalar u = named.scalar(upNode, "uptime", "a duration or a range MIN..MAX");
            String[] parts = u.text.split("\\.\\.", -1);
            if (parts.length > 2) {
                throw new ScenarioException(u.location(), "hosts." + name + ".uptime: expected D or MIN..MAX",
                        "e.g. uptime: 3d or uptime: 1d..40d");
            }
            uptimeMin = Units.duration(parts[0]);
            uptimeMax = parts.length == 2 ? Units.duration(parts[1]) : uptimeMin;
            if (uptimeMin < 0 || uptimeMax < uptimeMin) {
                throw new ScenarioException(u.location(), "hosts." + name + ".uptime: '" + u.text
                        + "' is not a duration or an ascending range", "e.g. uptime: 3d or uptime: 1d..40d");
            }
        }
        Map<String, Long> sysctls = bindSysctls(named, name, profile);
        named.finish();
        return new HostGroupSpec(name, count, kernel, hz, first, sysctls, backlog, uptimeMin, uptimeMax);
    }

    private void claimAddress(int ip, String owner, Location at) {
        String previous = addressOwners.putIfAbsent(ip, owner);
        if (previous != null) {
            throw new ScenarioException(at, "address " + Ipv4.format(ip) + " of " + owner + " is already used by "
                    + previous, "give each host group and NAT its own addresses");
        }
    }

    private Map<String, Long> bindSysctls(Section host, String hostName, KernelProfile profile) {
        YNode n = host.node("sysctl");
        Map<String, Long> out = new TreeMap<>();
        if (n == null) {
            return out;
        }
        Section s = new Section(n, "hosts." + hostName + ".sysctl");
        for (Map.Entry<String, YNode> e : s.map.entries.entrySet()) {
            String key = e.getKey();
            Location keyLoc = s.map.keyLocations.get(key);
            Sysctl def = profile.sysctls().get(key);
            if (def == null) {
                String removed = key.equals("net.ipv4.tcp_tw_recycle")
                        ? " (tcp_tw_recycle was removed in Linux 4.12)" : "";
                throw new ScenarioException(keyLoc, "sysctl " + key + " does not exist on " + profile.name() + removed,
                        "sysctls of " + profile.name() + ": " + String.join(", ", new TreeMap<>(profile.sysctls()).keySet()));
            }
            YNode.YScalar v = s.scalar(e.getValue(), key, "a value");
            s.has(key);
            if (def.portRange()) {
                int[] r = Units.portRange(v.text);
                if (r == null || r[0] < 1 || r[1] > 65535 || r[0] > r[1]) {
                    throw new ScenarioException(v.location(), key + ": expected a port range LOW-HIGH, found '"
                            + v.text + "'", "e.g. " + key + ": 32768-60999");
                }
                out.put(key, Sysctl.packRange(r[0], r[1]));
            } else {
                out.put(key, s.integerOf(v, key, def.min(), def.max()));
            }
        }
        return out;
    }

    private NatSpec bindNat(YNode node, List<HostGroupSpec> hosts) {
        Section s0 = new Section(node, "nats[]");
        String name = elementName(s0, "partner-nat");
        Section s = new Section(node, "nats." + name);
        s.has("name");
        List<String> inside = new ArrayList<>();
        YNode insideNode = s.required("inside", "inside: [clients]");
        List<YNode> insideItems = insideNode instanceof YNode.YList l ? l.items : List.of(insideNode);
        for (YNode item : insideItems) {
            String g = s.scalar(item, "inside", "a host group name").text;
            if (hosts.stream().noneMatch(h -> h.name().equals(g))) {
                throw new ScenarioException(item.location(), "nats." + name + ".inside: no host group '" + g + "'",
                        "host groups: " + String.join(", ", hosts.stream().map(HostGroupSpec::name).toList()));
            }
            inside.add(g);
        }
        if (inside.isEmpty()) {
            throw new ScenarioException(insideNode.location(), "nats." + name + ".inside is empty: the NAT would "
                    + "translate no host", "name the client groups behind it, e.g. inside: [clients]");
        }
        List<Integer> ips = new ArrayList<>();
        YNode ipsNode = s.node("public-ips");
        List<YNode> ipItems = ipsNode == null ? List.of() : ipsNode instanceof YNode.YList l ? l.items : List.of(ipsNode);
        if (ipItems.isEmpty()) {
            throw new ScenarioException(s.location(), "nats." + name + " has no public-ips",
                    "add public-ips: [20.1.1.1]");
        }
        for (YNode item : ipItems) {
            YNode.YScalar a = s.scalar(item, "public-ips", "an IPv4 address");
            long ip = Ipv4.parse(a.text);
            if (ip < 0) {
                throw new ScenarioException(a.location(), "nats." + name + ".public-ips: '" + a.text
                        + "' is not an IPv4 address", "e.g. 20.1.1.1");
            }
            claimAddress((int) ip, name, a.location());
            ips.add((int) ip);
        }
        int[] ports = {1024, 65535};
        YNode portsNode = s.node("ports");
        if (portsNode != null) {
            YNode.YScalar p = s.scalar(portsNode, "ports", "a port range");
            ports = Units.portRange(p.text);
            if (ports == null || ports[0] < 1 || ports[1] > 65535 || ports[0] > ports[1]) {
                throw new ScenarioException(p.location(), "nats." + name + ".ports: expected LOW-HIGH within 1-65535, found '"
                        + p.text + "'", "e.g. ports: 2048-65535");
            }
        }
        PortAllocation allocation = s.choice("allocation", PortAllocation.LINUX, PortAllocation.class);
        String kernel = null;
        YNode kernelNode = s.node("kernel");
        if (kernelNode != null) {
            kernel = s.scalar(kernelNode, "kernel", "a kernel profile").text;
            if (Profiles.get(kernel) == null) {
                throw new ScenarioException(kernelNode.location(), "unknown kernel profile '" + kernel + "'",
                        "valid profiles: " + String.join(", ", Profiles.names()));
            }
            if (allocation != PortAllocation.LINUX) {
                throw new ScenarioException(kernelNode.location(), "nats." + name + ".kernel only applies to allocation: linux",
                        "remove kernel, or set allocation: linux");
            }
        } else if (allocation == PortAllocation.LINUX) {
            kernel = "linux-6.18";
        }
        String flags = s.string("flags", "none");
        if (!List.of("none", "random", "fully-random").contains(flags)) {
            throw new ScenarioException(s.node("flags").location(), "nats." + name + ".flags: unknown value '" + flags + "'",
                    "valid choices: none, random, fully-random");
        }
        if (!flags.equals("none") && allocation != PortAllocation.LINUX) {
            throw new ScenarioException(s.node("flags").location(), "nats." + name + ".flags: " + flags + " is an "
                    + "nf_nat flag and applies to allocation: linux only", "remove flags, or set allocation: linux");
        }
        NatTimeouts timeouts = allocation == PortAllocation.LINUX ? NatTimeouts.linuxDefaults()
                : NatTimeouts.linuxDefaults().with(NatTcpState.TIME_WAIT, 10 * S).with(NatTcpState.CLOSE, 10 * S);
        YNode tn = s.node("timeouts");
        if (tn != null) {
            Section ts = new Section(tn, "nats." + name + ".timeouts");
            for (NatTcpState st : NatTcpState.values()) {
                String key = Section.yamlName(st);
                if (ts.has(key)) {
                    timeouts = timeouts.with(st, ts.duration(key, 0));
                }
            }
            ts.finish();
        }
        boolean dropInvalid = s.integer("drop-invalid", 0, 0, 1) == 1;
        s.finish();
        return new NatSpec(name, List.copyOf(inside), ips.stream().mapToInt(Integer::intValue).toArray(), ports[0],
                ports[1], allocation, kernel, !flags.equals("none"), timeouts, dropInvalid);
    }

    private LinkSpec bindLink(YNode node, List<HostGroupSpec> hosts) {
        Section s = new Section(node, "links[]");
        YNode between = s.required("between", "between: [clients, router]");
        if (!(between instanceof YNode.YList l) || l.items.size() != 2) {
            throw new ScenarioException(between.location(), "links[].between must list exactly two elements",
                    "e.g. between: [partner, partner-nat]");
        }
        String a = s.scalar(l.items.get(0), "between", "an element name").text;
        String b = s.scalar(l.items.get(1), "between", "an element name").text;
        for (int i = 0; i < 2; i++) {
            String e = i == 0 ? a : b;
            if (!elementNames.containsKey(e)) {
                throw new ScenarioException(l.items.get(i).location(), "links[].between: no host group or NAT named '" + e + "'",
                        "elements: " + String.join(", ", elementNames.keySet()));
            }
        }
        if (a.equals(b)) {
            throw new ScenarioException(between.location(), "a link cannot join '" + a + "' to itself",
                    "name two different elements");
        }
        int countA = hosts.stream().filter(h -> h.name().equals(a)).mapToInt(HostGroupSpec::count).findFirst().orElse(1);
        int countB = hosts.stream().filter(h -> h.name().equals(b)).mapToInt(HostGroupSpec::count).findFirst().orElse(1);
        if (countA > 1 && countB > 1) {
            throw new ScenarioException(between.location(), "a link between two groups of several hosts ('" + a
                    + "' and '" + b + "') is ambiguous", "put a NAT or router element between them");
        }
        long latency = s.duration("latency", 100_000);
        long jitter = s.duration("jitter", 0);
        double loss = s.fraction("loss", 0);
        s.finish();
        return new LinkSpec(a, b, latency, jitter, loss);
    }

    private DirectorSpec bindDirector(YNode node, List<HostGroupSpec> hosts) {
        Section s0 = new Section(node, "directors[]");
        String name = elementName(s0, "lvs");
        Section s = new Section(node, "directors." + name);
        s.has("name");
        List<DirectorSpec.VirtualServiceSpec> services = new ArrayList<>();
        List<YNode> serviceNodes = s.list("services", true, "services: [{vip: 30.1.1.1, port: 443, real-servers: nginx}]");
        requireUniqueNames(serviceNodes, "directors." + name + ".services");
        for (YNode n : serviceNodes) {
            Section v = new Section(n, "directors." + name + ".services[]");
            v.string("name", ""); // optional, lets --set address the service: directors.NAME.services.SERVICE.KEY
            YNode vipNode = v.required("vip", "vip: 30.1.1.1");
            YNode.YScalar vipText = v.scalar(vipNode, "vip", "an IPv4 address");
            long vip = Ipv4.parse(vipText.text());
            if (vip < 0) {
                throw new ScenarioException(vipText.location(), "directors." + name + ".services[].vip: '"
                        + vipText.text() + "' is not an IPv4 address", "e.g. vip: 30.1.1.1");
            }
            int port = (int) v.integerOf(v.scalar(v.required("port", "port: 443"), "port", "a port"), "port", 1, 65535);
            if (services.stream().noneMatch(x -> x.vip() == (int) vip)) {
                claimAddress((int) vip, name, vipText.location());
            }
            if (services.stream().anyMatch(x -> x.vip() == (int) vip && x.port() == port)) {
                throw new ScenarioException(vipNode.location(), "virtual service " + vipText.text() + ":" + port
                        + " is defined twice", "keep one of them");
            }
            io.twlab.ipvs.Scheduler scheduler = v.choice("scheduler", io.twlab.ipvs.Scheduler.WLC,
                    io.twlab.ipvs.Scheduler.class);
            String modeText = v.string("mode", "nat");
            if (!List.of("nat", "dr", "fullnat").contains(modeText)) {
                throw new ScenarioException(v.node("mode").location(), "forwarding mode '" + modeText
                        + "' is not modelled yet", "use mode: nat, dr or fullnat (tun is planned)");
            }
            io.twlab.ipvs.ForwardingMode mode = io.twlab.ipvs.ForwardingMode.valueOf(modeText.toUpperCase(java.util.Locale.ROOT));
            io.twlab.ipvs.FullNatFlavor flavor = v.choice("fullnat-flavor", io.twlab.ipvs.FullNatFlavor.ALIBABA,
                    io.twlab.ipvs.FullNatFlavor.class);
            List<Integer> locals = new ArrayList<>();
            for (YNode item : v.list("local-addresses", false, "")) {
                YNode.YScalar a = v.scalar(item, "local-addresses", "an IPv4 address");
                long ip = Ipv4.parse(a.text());
                if (ip < 0) {
                    throw new ScenarioException(a.location(), "local address '" + a.text() + "' is not an IPv4 address",
                            "e.g. local-addresses: [10.255.0.2]");
                }
                claimAddress((int) ip, name, a.location());
                locals.add((int) ip);
            }
            if ((mode == io.twlab.ipvs.ForwardingMode.FULLNAT) != !locals.isEmpty()) {
                throw new ScenarioException(vipNode.location(), mode == io.twlab.ipvs.ForwardingMode.FULLNAT
                        ? "mode: fullnat needs local-addresses" : "local-addresses only apply to mode: fullnat",
                        "e.g. mode: fullnat with local-addresses: [10.255.0.2]");
            }
            YNode rsNode = v.required("real-servers", "real-servers: nginx");
            List<String> group = new ArrayList<>();
            for (YNode item : rsNode instanceof YNode.YList l ? l.items : List.of(rsNode)) {
                String g = v.scalar(item, "real-servers", "a host group").text();
                if (hosts.stream().noneMatch(h -> h.name().equals(g))) {
                    throw new ScenarioException(item.location(), "directors." + name + ": no host group '" + g + "'",
                            "host groups: " + String.join(", ", hosts.stream().map(HostGroupSpec::name).toList()));
                }
                group.add(g);
            }
            int realPort = (int) v.integer("real-port", port, 1, 65535);
            if (mode == io.twlab.ipvs.ForwardingMode.DR && realPort != port) {
                throw new ScenarioException(v.node("real-port").location(), "DR mode cannot change the port ("
                        + port + " -> " + realPort + ")", "the real server receives the packet unchanged; drop real-port");
            }
            int weight = (int) v.integer("weight", 1, 0, 65535);
            long persistence = v.duration("persistence", 0);
            List<DirectorSpec.WeightChange> changes = new ArrayList<>();
            for (YNode cn : v.list("weight-changes", false, "")) {
                Section c = new Section(cn, "directors." + name + ".services[].weight-changes[]");
                long at = c.durationOf(c.scalar(c.required("at", "at: 30m"), "at", "a duration"), "at");
                YNode serverNode = c.required("real-server", "real-server: nginx-1");
                String server = c.scalar(serverNode, "real-server", "a host name").text();
                List<String> hostsOfService = new ArrayList<>();
                for (String g : group) {
                    HostGroupSpec hg = hosts.stream().filter(h -> h.name().equals(g)).findFirst().orElseThrow();
                    for (int i = 0; i < hg.count(); i++) {
                        hostsOfService.add(hg.count() == 1 ? hg.name() : hg.name() + "-" + (i + 1));
                    }
                }
                if (!hostsOfService.contains(server)) {
                    throw new ScenarioException(serverNode.location(), "'" + server + "' is not a real server of this service",
                            "real servers: " + String.join(", ", hostsOfService));
                }
                int w = (int) c.integer("weight", 0, 0, 65535);
                c.finish();
                changes.add(new DirectorSpec.WeightChange(at, server, w));
            }
            v.finish();
            services.add(new DirectorSpec.VirtualServiceSpec((int) vip, port, scheduler, mode, List.copyOf(group),
                    realPort, weight,
                    locals.stream().mapToInt(Integer::intValue).toArray(), flavor, persistence, List.copyOf(changes)));
        }
        int reuse = (int) s.integer("conn-reuse-mode", 1, 0, 1);
        String table = s.string("timeouts", "upstream");
        io.twlab.ipvs.IpvsTimeouts timeouts = switch (table) {
            case "upstream" -> io.twlab.ipvs.IpvsTimeouts.upstream();
            case "alibaba" -> io.twlab.ipvs.IpvsTimeouts.alibaba();
            default -> throw new ScenarioException(s.node("timeouts").location(), "directors." + name
                    + ".timeouts: unknown table '" + table + "'", "valid choices: upstream, alibaba");
        };
        timeouts = timeouts.withSet(s.duration("tcp-timeout", 0), s.duration("tcpfin-timeout", 0));
        long tw = s.duration("time-wait-timeout", 0);
        if (tw > 0) {
            timeouts = timeouts.with(io.twlab.ipvs.IpvsTcpState.TIME_WAIT, tw);
        }
        io.twlab.ipvs.SynProxy synProxy = io.twlab.ipvs.SynProxy.OFF;
        YNode sp = s.node("synproxy");
        if (sp != null) {
            Section ps = new Section(sp, "directors." + name + ".synproxy");
            boolean enabled = ps.integer("enabled", 1, 0, 1) == 1;
            int retries = (int) ps.integer("syn-retry", 3, 0, 6);
            String backoff = ps.string("backoff", "fixed");
            if (!backoff.equals("fixed") && !backoff.equals("exponential")) {
                throw new ScenarioException(ps.node("backoff").location(), "directors." + name
                        + ".synproxy.backoff: unknown value '" + backoff + "'", "valid choices: fixed, exponential");
            }
            double loss = ps.fraction("rs-syn-loss", 0);
            double lossPerKpps = ps.fraction("rs-syn-loss-per-kpps", 0);
            ps.finish();
            if (enabled && services.stream().noneMatch(v -> v.mode() == io.twlab.ipvs.ForwardingMode.FULLNAT)) {
                throw new ScenarioException(sp.location(), "SYNPROXY needs a fullnat service on " + name,
                        "set mode: fullnat with local-addresses on the service");
            }
            synProxy = new io.twlab.ipvs.SynProxy(enabled, retries, backoff.equals("exponential"), loss, lossPerKpps);
        }
        boolean conntrack = s.integer("conntrack", 0, 0, 1) == 1;
        boolean expireNodest = s.integer("expire-nodest-conn", 0, 0, 1) == 1;
        s.finish();
        return new DirectorSpec(name, List.copyOf(services), reuse, timeouts, synProxy, conntrack, expireNodest);
    }

    private WorkloadSpec bindWorkload(YNode node, List<HostGroupSpec> hosts, List<DirectorSpec> directors,
                                      List<LinkSpec> links, long duration) {
        Section s0 = new Section(node, "workloads[]");
        YNode nameNode = s0.required("name", "name: clients");
        String name = s0.scalar(nameNode, "name", "a name").text;
        Section s = new Section(node, "workloads." + name);
        s.has("name");
        YNode fromNode = s.required("from", "from: clients");
        String from = s.scalar(fromNode, "from", "a host group").text;
        if (hosts.stream().noneMatch(h -> h.name().equals(from))) {
            throw new ScenarioException(fromNode.location(), "workloads." + name + ".from: no host group '" + from + "'",
                    "host groups: " + String.join(", ", hosts.stream().map(HostGroupSpec::name).toList()));
        }
        YNode toNode = s.required("to", "to: nginx:443");
        YNode.YScalar to = s.scalar(toNode, "to", "GROUP:PORT");
        int colon = to.text.lastIndexOf(':');
        String target = colon > 0 ? to.text.substring(0, colon) : "";
        int port = -1;
        try {
            port = colon > 0 ? Integer.parseInt(to.text.substring(colon + 1)) : -1;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        DirectorSpec director = directors.stream().filter(d -> d.name().equals(target)).findFirst().orElse(null);
        if (port < 1 || port > 65535 || (director == null && hosts.stream().noneMatch(h -> h.name().equals(target)))) {
            throw new ScenarioException(to.location(), "workloads." + name + ".to: expected HOSTGROUP:PORT or "
                    + "DIRECTOR:PORT, found '" + to.text + "'", "host groups: "
                    + String.join(", ", hosts.stream().map(HostGroupSpec::name).toList()) + "; directors: "
                    + String.join(", ", directors.stream().map(DirectorSpec::name).toList()) + "; e.g. to: nginx:443");
        }
        if (director != null && director.service(port) == null) {
            throw new ScenarioException(to.location(), "director " + target + " has no service on port " + port,
                    "its ports: " + director.services().stream().map(v -> String.valueOf(v.port())).toList());
        }
        if (target.equals(from)) {
            throw new ScenarioException(to.location(), "workloads." + name + " connects group '" + from + "' to itself",
                    "use separate client and server groups");
        }
        List<String> serverGroups = director != null ? director.service(port).realServers() : List.of(target);
        if (!connected(from, target, links) || serverGroups.stream().anyMatch(g -> !connected(target, g, links))) {
            throw new ScenarioException(to.location(), "no path of links from '" + from + "' to '" + target + "'",
                    "add links joining them (through the NAT if the clients are behind one)");
        }
        RateProfile rate = bindRate(s, name, duration);
        Arrivals arrivals = s.choice("arrivals", Arrivals.PACED, Arrivals.class);
        Pattern pattern = s.choice("pattern", Pattern.HTTP10, Pattern.class);
        int perConnection = (int) s.integer("requests-per-connection", pattern == Pattern.KEEP_ALIVE ? 10 : 1, 1, 1_000_000);
        if (pattern != Pattern.KEEP_ALIVE && perConnection != 1) {
            throw new ScenarioException(s.node("requests-per-connection").location(),
                    "requests-per-connection only applies to pattern: keep-alive", "remove it or set pattern: keep-alive");
        }
        int request = (int) s.size("request", 300);
        int response = (int) s.size("response", 1000);
        if (request < 1 || response < 1) {
            throw new ScenarioException(s.location(), "workloads." + name + ": request and response must be at least 1 byte",
                    "e.g. request: 300B, response: 2KB");
        }
        long think = s.duration("think", 0);
        long connectTimeout = s.duration("connect-timeout", 0);
        int retries = (int) s.integer("retries", 0, 0, 100);
        long retryDelay = s.duration("retry-delay", 0);
        String choice = s.string("host-choice", "random");
        if (!choice.equals("random") && !choice.equals("round-robin")) {
            throw new ScenarioException(s.node("host-choice").location(), "workloads." + name + ".host-choice: unknown value '"
                    + choice + "'", "valid choices: random, round-robin");
        }
        long start = s.duration("start", 0);
        s.finish();
        return new WorkloadSpec(name, from, target, port, rate, arrivals,
                new ServiceSpec(pattern, request, response, perConnection, think), connectTimeout, retries, retryDelay,
                choice.equals("random"), start);
    }

    private RateProfile bindRate(Section s, String workload, long duration) {
        YNode n = s.required("rate", "rate: 500/s");
        if (n instanceof YNode.YScalar sc) {
            double r = Units.rate(sc.text);
            if (Double.isNaN(r) || r < 0) {
                throw new ScenarioException(sc.location(), "workloads." + workload + ".rate: expected a rate, found '"
                        + sc.text + "'", "write 590, 590/s, 35400/min, or a ramp: {ramp: [[0s, 300], [2h, 800]]}");
            }
            if (r == 0) {
                throw new ScenarioException(sc.location(), "workloads." + workload + ".rate is 0: the workload would "
                        + "open no connection", "give a positive rate, or remove the workload");
            }
            return RateProfile.constant(r);
        }
        Section r = new Section(n, "workloads." + workload + ".rate");
        List<YNode> points = r.list("ramp", true, "ramp: [[0s, 300], [2h, 800]]");
        long period = r.duration("repeat", 0);
        r.finish();
        if (points.isEmpty()) {
            throw new ScenarioException(n.location(), "workloads." + workload + ".rate.ramp has no points",
                    "e.g. ramp: [[0s, 300], [2h, 800]]");
        }
        long[] times = new long[points.size()];
        double[] rates = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            YNode p = points.get(i);
            if (!(p instanceof YNode.YList pair) || pair.items.size() != 2
                    || !(pair.items.get(0) instanceof YNode.YScalar t) || !(pair.items.get(1) instanceof YNode.YScalar v)) {
                throw new ScenarioException(p.location(), "a ramp point must be [TIME, RATE]", "e.g. [2h, 800]");
            }
            times[i] = Units.duration(t.text);
            rates[i] = Units.rate(v.text);
            if (times[i] < 0) {
                throw new ScenarioException(t.location(), "ramp time '" + t.text + "' is not a duration", "e.g. 2h, 90m, 30s");
            }
            if (Double.isNaN(rates[i]) || rates[i] < 0) {
                throw new ScenarioException(v.location(), "ramp rate '" + v.text + "' is not a rate", "e.g. 800 or 800/s");
            }
            if (i > 0 && times[i] <= times[i - 1]) {
                throw new ScenarioException(t.location(), "ramp times must increase", "order the points by time");
            }
        }
        YNode repeatNode = r.node("repeat");
        if (repeatNode != null && (period == 0 || period < times[times.length - 1])) {
            throw new ScenarioException(repeatNode.location(), "workloads." + workload + ".rate.repeat must be positive "
                    + "and at least the ramp's last point (" + t(times[times.length - 1]) + ")", period == 0
                    ? "a repeat of 0 would start the ramp over without end; remove repeat to hold the last rate"
                    : "a repeating ramp starts over after repeat, so its points must lie within it, e.g. repeat: 24h");
        }
        if (java.util.Arrays.stream(rates).allMatch(x -> x == 0)) {
            throw new ScenarioException(n.location(), "workloads." + workload + ".rate.ramp is 0 everywhere: the "
                    + "workload would open no connection", "give at least one positive rate");
        }
        return new RateProfile(times, rates, period);
    }

    /** The {@code name}s of a list's items must differ: --set addresses items by them. */
    private static void requireUniqueNames(List<YNode> items, String list) {
        Map<String, Location> seen = new HashMap<>();
        for (YNode item : items) {
            if (item instanceof YNode.YMap m && m.get("name") instanceof YNode.YScalar n && !n.text.isEmpty()) {
                Location first = seen.putIfAbsent(n.text, n.location());
                if (first != null) {
                    throw new ScenarioException(n.location(), list + ": the name '" + n.text + "' is used twice",
                            "it is already used at " + first + "; --set " + list + "." + n.text + "... must name one item");
                }
            }
        }
    }

    private static String t(long ns) {
        return ns % Simulator.NS_PER_SEC == 0 ? ns / Simulator.NS_PER_SEC + "s" : ns / 1e9 + "s";
    }

    private static boolean connected(String from, String to, List<LinkSpec> links) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(from));
        seen.add(from);
        while (!queue.isEmpty()) {
            String e = queue.poll();
            if (e.equals(to)) {
                return true;
            }
            for (LinkSpec l : links) {
                String next = l.a().equals(e) ? l.b() : l.b().equals(e) ? l.a() : null;
                if (next != null && seen.add(next)) {
                    queue.add(next);
                }
            }
        }
        return false;
    }
}
