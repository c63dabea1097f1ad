package io.twlab.scenario;

import io.twlab.workload.ServiceSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a scenario tree and binds it to {@link ScenarioSpec}, one section class per top-level list (hosts,
 * nats, directors, links, workloads) in the order later sections refer to earlier ones. Every error names its
 * location.
 */
public final class ScenarioBinder {
    private final BindContext ctx = new BindContext();

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
            hosts.add(HostSection.bind(ctx, n, groupIndex++));
        }
        List<NatSpec> nats = new ArrayList<>();
        for (YNode n : s.list("nats", false, "")) {
            nats.add(NatSection.bind(ctx, n, hosts));
        }
        List<String> routers = new ArrayList<>();
        for (YNode n : s.list("routers", false, "")) {
            Section r = new Section(n, "routers[]");
            routers.add(ctx.elementName(r, "internet"));
            r.finish();
        }
        List<DirectorSpec> directors = new ArrayList<>();
        for (YNode n : s.list("directors", false, "")) {
            directors.add(DirectorSection.bind(ctx, n, hosts));
        }
        List<LinkSpec> links = new ArrayList<>();
        List<Location> linkLocations = new ArrayList<>();
        for (YNode n : s.list("links", true, "a links: list joining the elements")) {
            links.add(LinkSection.bind(ctx, n, hosts));
            linkLocations.add(n.location());
        }
        List<WorkloadSpec> workloads = new ArrayList<>();
        Map<String, ServiceSpec> services = new HashMap<>();
        Map<String, String> serviceOwner = new HashMap<>();
        List<YNode> workloadNodes = s.list("workloads", true, "a workloads: list");
        BindContext.requireUniqueNames(workloadNodes, "workloads");
        for (YNode n : workloadNodes) {
            WorkloadSpec w = WorkloadSection.bind(n, hosts, directors, links, duration);
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
}
