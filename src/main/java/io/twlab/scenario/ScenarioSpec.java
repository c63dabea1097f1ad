package io.twlab.scenario;

import java.util.List;

/**
 * A validated scenario: pure data, no model objects. A run is a function of (ScenarioSpec, seed).
 */
public record ScenarioSpec(
        String name,
        String description,
        long durationNs,
        long seed,
        List<HostGroupSpec> hosts,
        List<NatSpec> nats,
        List<DirectorSpec> directors,
        List<String> routers,
        List<LinkSpec> links,
        List<WorkloadSpec> workloads) {

    public HostGroupSpec host(String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst().orElse(null);
    }

    public DirectorSpec director(String name) {
        return directors.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }

    public NatSpec nat(String name) {
        return nats.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }
}
