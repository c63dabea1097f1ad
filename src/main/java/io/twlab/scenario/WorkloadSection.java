package io.twlab.scenario;

import io.twlab.workload.Arrivals;
import io.twlab.workload.Pattern;
import io.twlab.workload.RateProfile;
import io.twlab.workload.ServiceSpec;

import java.util.List;

/** A {@code workloads:} item: who connects to what, at which rate, with which exchange and client behaviour. */
final class WorkloadSection {
    private WorkloadSection() {
    }

    static WorkloadSpec bind(YNode node, List<HostGroupSpec> hosts, List<DirectorSpec> directors,
                             List<LinkSpec> links, long duration) {
        Section s0 = new Section(node, "workloads[]");
        YNode nameNode = s0.required("name", "name: clients");
        String name = s0.scalar(nameNode, "name", "a name").text;
        Section s = new Section(node, "workloads." + name);
        s.has("name");
        YNode fromNode = s.required("from", "from: clients");
        String from = BindContext.hostGroup(s, fromNode, "from", hosts, "workloads." + name + ".from");
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
                    + "DIRECTOR:PORT, found '" + to.text + "'", BindContext.hostGroupNames(hosts) + "; directors: "
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
        if (!BindContext.connected(from, target, links) || serverGroups.stream().anyMatch(g -> !BindContext.connected(target, g, links))) {
            throw new ScenarioException(to.location(), "no path of links from '" + from + "' to '" + target + "'",
                    "add links joining them (through the NAT if the clients are behind one)");
        }
        RateProfile rate = rate(s, name, duration);
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

    private static RateProfile rate(Section s, String workload, long duration) {
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
                    + "and at least the ramp's last point (" + BindContext.seconds(times[times.length - 1]) + ")", period == 0
                    ? "a repeat of 0 would start the ramp over without end; remove repeat to hold the last rate"
                    : "a repeating ramp starts over after repeat, so its points must lie within it, e.g. repeat: 24h");
        }
        if (java.util.Arrays.stream(rates).allMatch(x -> x == 0)) {
            throw new ScenarioException(n.location(), "workloads." + workload + ".rate.ramp is 0 everywhere: the "
                    + "workload would open no connection", "give at least one positive rate");
        }
        return new RateProfile(times, rates, period);
    }
}
