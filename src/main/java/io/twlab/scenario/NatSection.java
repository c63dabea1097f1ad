package io.twlab.scenario;

import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.nat.NatRandomFlag;
import io.twlab.nat.NatTcpState;
import io.twlab.nat.NatTimeouts;
import io.twlab.nat.PortAllocation;

import java.util.ArrayList;
import java.util.List;

/** A {@code nats:} item: inside groups, public addresses, port range, allocator, flags and conntrack timeouts. */
final class NatSection {
    private static final long S = Simulator.NS_PER_SEC;
    /** The gateway kernel when a linux NAT names none. */
    private static final String DEFAULT_KERNEL = "linux-6.18";
    /** How long a new entry stays unconfirmed to other CPUs: its trip from nf_nat to nf_confirm, a few µs. */
    private static final long DEFAULT_CLASH_WINDOW_NS = 5_000;

    private NatSection() {
    }

    /** A key that models nf_nat itself: an error at {@code at} unless the NAT is {@code allocation: linux}. */
    private static void linuxOnly(PortAllocation allocation, YNode at, String message, String key) {
        if (allocation != PortAllocation.LINUX) {
            throw new ScenarioException(at.location(), message, "remove " + key + ", or set allocation: linux");
        }
    }

    static NatSpec bind(BindContext ctx, YNode node, List<HostGroupSpec> hosts) {
        Section s0 = new Section(node, "nats[]");
        String name = ctx.elementName(s0, "partner-nat");
        Section s = new Section(node, "nats." + name);
        s.has("name");
        List<String> inside = new ArrayList<>();
        YNode insideNode = s.required("inside", "inside: [clients]");
        List<YNode> insideItems = insideNode instanceof YNode.YList l ? l.items : List.of(insideNode);
        for (YNode item : insideItems) {
            inside.add(BindContext.hostGroup(s, item, "inside", hosts, "nats." + name + ".inside"));
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
            int ip = BindContext.ipv4(a, "nats." + name + ".public-ips", "e.g. 20.1.1.1");
            ctx.claimAddress(ip, name, a.location());
            ips.add(ip);
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
        KernelProfile kernel = null;
        YNode kernelNode = s.node("kernel");
        if (kernelNode != null) {
            kernel = BindContext.kernelProfile(s, kernelNode);
            linuxOnly(allocation, kernelNode, "nats." + name + ".kernel only applies to allocation: linux", "kernel");
        } else if (allocation == PortAllocation.LINUX) {
            kernel = Profiles.get(DEFAULT_KERNEL);
        }
        NatRandomFlag flags = s.choice("flags", NatRandomFlag.NONE, NatRandomFlag.class);
        if (flags != NatRandomFlag.NONE) {
            linuxOnly(allocation, s.node("flags"), "nats." + name + ".flags: " + flags.key() + " is an nf_nat flag and "
                    + "applies to allocation: linux only", "flags");
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
        int conntrackMax = 0;
        if (s.has("conntrack-max")) {
            linuxOnly(allocation, s.node("conntrack-max"), "nats." + name + ".conntrack-max is nf_conntrack_max and "
                    + "applies to allocation: linux only", "conntrack-max");
            conntrackMax = (int) s.integer("conntrack-max", 0, 1, Integer.MAX_VALUE);
        }
        int cpus = 1;
        long clashWindow = DEFAULT_CLASH_WINDOW_NS;
        if (s.has("cpus") || s.has("clash-window")) {
            String key = s.has("cpus") ? "cpus" : "clash-window";
            linuxOnly(allocation, s.node(key), "nats." + name + ": cpus and clash-window model nf_nat's insert race "
                    + "and apply to allocation: linux only", key);
            cpus = (int) s.integer("cpus", 1, 1, 4096);
            clashWindow = s.duration("clash-window", DEFAULT_CLASH_WINDOW_NS);
        }
        s.finish();
        return new NatSpec(name, List.copyOf(inside), ips.stream().mapToInt(Integer::intValue).toArray(), ports[0],
                ports[1], allocation, kernel, flags, timeouts, dropInvalid, conntrackMax, cpus,
                clashWindow);
    }
}
