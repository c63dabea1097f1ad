package io.twlab.scenario;

import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.kernel.Sysctl;
import io.twlab.kernel.Sysctls;
import io.twlab.net.Ipv4;

import java.util.Map;
import java.util.TreeMap;

/** A {@code hosts:} item: a group of hosts on one kernel profile, their addresses, clocks and sysctls. */
final class HostSection {
    private static final long S = Simulator.NS_PER_SEC;

    private HostSection() {
    }

    static HostGroupSpec bind(BindContext ctx, YNode node, int groupIndex) {
        Section s = new Section(node, "hosts[" + groupIndex + "]");
        String name = ctx.elementName(s, "nginx");
        Section named = new Section(node, "hosts." + name);
        named.has("name");
        // About 230 KB per host (a host table, its timers and its counters): 10,000 hosts take some 2.3 GB.
        int count = (int) named.integer("count", 1, 1, 10_000);
        YNode kernelNode = named.required("kernel", "kernel: " + Profiles.names().get(0));
        KernelProfile profile = BindContext.kernelProfile(named, kernelNode);
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
            long ip = BindContext.ipv4(a, "hosts." + name + ".address",
                    "write four numbers 0-255 separated by dots, e.g. 10.0.0.1") & 0xffffffffL;
            if (ip + count - 1 > 0xFFFFFFFFL) {
                throw new ScenarioException(a.location(), "hosts." + name + ": " + count + " hosts from " + a.text
                        + " run past 255.255.255.255", "start the group at a lower address or give fewer hosts");
            }
            first = (int) ip;
        } else {
            first = (int) Ipv4.parse("10." + (groupIndex + 1) + ".0.1");
        }
        for (int i = 0; i < count; i++) {
            ctx.claimAddress(first + i, name, addrNode != null ? addrNode.location() : named.location());
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
        Map<String, Long> sysctls = sysctls(named, name, profile);
        named.finish();
        return new HostGroupSpec(name, count, profile, hz, first, sysctls, new Sysctls(profile, sysctls), backlog,
                uptimeMin, uptimeMax);
    }

    private static Map<String, Long> sysctls(Section host, String hostName, KernelProfile profile) {
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
}
