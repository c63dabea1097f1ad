package io.twlab.scenario;

import io.twlab.net.Ipv4;

import java.util.ArrayList;
import java.util.List;

/** A {@code directors:} item: virtual services, real servers, forwarding modes, IPVS timeouts and SYNPROXY. */
final class DirectorSection {
    private DirectorSection() {
    }

    static DirectorSpec bind(BindContext ctx, YNode node, List<HostGroupSpec> hosts) {
        Section s0 = new Section(node, "directors[]");
        String name = ctx.elementName(s0, "lvs");
        Section s = new Section(node, "directors." + name);
        s.has("name");
        List<DirectorSpec.VirtualServiceSpec> services = new ArrayList<>();
        List<YNode> serviceNodes = s.list("services", true, "services: [{vip: 30.1.1.1, port: 443, real-servers: nginx}]");
        BindContext.requireUniqueNames(serviceNodes, "directors." + name + ".services");
        for (YNode n : serviceNodes) {
            Section v = new Section(n, "directors." + name + ".services[]");
            v.string("name", ""); // optional, lets --set address the service: directors.NAME.services.SERVICE.KEY
            YNode vipNode = v.required("vip", "vip: 30.1.1.1");
            YNode.YScalar vipText = v.scalar(vipNode, "vip", "an IPv4 address");
            int vip = BindContext.ipv4(vipText, "directors." + name + ".services[].vip", "e.g. vip: 30.1.1.1");
            int port = (int) v.integerOf(v.scalar(v.required("port", "port: 443"), "port", "a port"), "port", 1, 65535);
            if (services.stream().noneMatch(x -> x.vip() == vip)) {
                ctx.claimAddress(vip, name, vipText.location());
            }
            if (services.stream().anyMatch(x -> x.vip() == vip && x.port() == port)) {
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
                ctx.claimAddress((int) ip, name, a.location());
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
                String g = BindContext.hostGroup(v, item, "real-servers", hosts, "directors." + name);
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
            services.add(new DirectorSpec.VirtualServiceSpec(vip, port, scheduler, mode, List.copyOf(group),
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
        YNode kernelNode = s.node("kernel");
        io.twlab.kernel.KernelProfile kernel = kernelNode == null ? null : BindContext.kernelProfile(s, kernelNode);
        s.finish();
        return new DirectorSpec(name, List.copyOf(services), reuse, timeouts, synProxy, conntrack, expireNodest,
                kernel);
    }
}
