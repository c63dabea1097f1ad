package io.twlab.scenario;

import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.net.Ipv4;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the sections of one scenario share while it is bound: the element names and addresses taken so far (one
 * namespace for host groups, NATs, routers and directors), and the checks every section makes on them.
 */
final class BindContext {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,62}");

    final Map<String, Location> elementNames = new LinkedHashMap<>();
    private final Map<Integer, String> addressOwners = new HashMap<>();

    String elementName(Section s, String what) {
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

    void claimAddress(int ip, String owner, Location at) {
        String previous = addressOwners.putIfAbsent(ip, owner);
        if (previous != null) {
            throw new ScenarioException(at, "address " + Ipv4.format(ip) + " of " + owner + " is already used by "
                    + previous, "give each host group and NAT its own addresses");
        }
    }

    /** The {@code name}s of a list's items must differ: --set addresses items by them. */
    static void requireUniqueNames(List<YNode> items, String list) {
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

    /** The kernel profile a {@code kernel:} value names, resolved here once for the whole run. */
    static KernelProfile kernelProfile(Section s, YNode node) {
        String name = s.scalar(node, "kernel", "a kernel profile name").text;
        KernelProfile profile = Profiles.get(name);
        if (profile == null) {
            throw new ScenarioException(node.location(), "unknown kernel profile '" + name + "'",
                    "valid profiles: " + String.join(", ", Profiles.names()));
        }
        return profile;
    }

    /** The host group {@code node} names, which must be one of {@code hosts}; {@code where} starts the message. */
    static String hostGroup(Section s, YNode node, String key, List<HostGroupSpec> hosts, String where) {
        String g = s.scalar(node, key, "a host group name").text;
        if (hosts.stream().noneMatch(h -> h.name().equals(g))) {
            throw new ScenarioException(node.location(), where + ": no host group '" + g + "'", hostGroupNames(hosts));
        }
        return g;
    }

    /** "host groups: a, b", for a hint. */
    static String hostGroupNames(List<HostGroupSpec> hosts) {
        return "host groups: " + String.join(", ", hosts.stream().map(HostGroupSpec::name).toList());
    }

    /** An IPv4 address as an int, or an error at the value naming {@code where} with an example. */
    static int ipv4(YNode.YScalar a, String where, String example) {
        long ip = Ipv4.parse(a.text);
        if (ip < 0) {
            throw new ScenarioException(a.location(), where + ": '" + a.text + "' is not an IPv4 address", example);
        }
        return (int) ip;
    }

    /** A duration for a message: whole seconds as "90s", else decimal seconds. */
    static String seconds(long ns) {
        return ns % Simulator.NS_PER_SEC == 0 ? ns / Simulator.NS_PER_SEC + "s" : ns / 1e9 + "s";
    }

    /** Whether a path of links joins {@code from} to {@code to}. */
    static boolean connected(String from, String to, List<LinkSpec> links) {
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
