package io.twlab.scenario;

import java.util.List;

/** A {@code links:} item: two elements joined, with latency, jitter and loss. */
final class LinkSection {
    private LinkSection() {
    }

    static LinkSpec bind(BindContext ctx, YNode node, List<HostGroupSpec> hosts) {
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
            if (!ctx.elementNames.containsKey(e)) {
                throw new ScenarioException(l.items.get(i).location(), "links[].between: no host group or NAT named '" + e + "'",
                        "elements: " + String.join(", ", ctx.elementNames.keySet()));
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
}
