package io.twlab.model;

import io.twlab.engine.Simulator;
import io.twlab.ipvs.IpvsDirector;
import io.twlab.metrics.ClientStats;
import io.twlab.metrics.TimeWaitLifetimes;
import io.twlab.nat.SnatGateway;
import io.twlab.net.Link;
import io.twlab.scenario.ScenarioSpec;
import io.twlab.tcp.TcpHost;
import io.twlab.workload.ClientWorkload;

import java.util.List;
import java.util.Map;

/** The network built from a scenario, ready to run. Collections keep scenario order. */
public record Model(
        ScenarioSpec spec,
        Simulator sim,
        Map<String, List<TcpHost>> hostGroups,
        List<TcpHost> hosts,
        List<TcpHost> serverHosts,
        List<SnatGateway> nats,
        List<IpvsDirector> directors,
        List<Link> links,
        List<ClientWorkload> workloads,
        ClientStats clientStats,
        Map<String, TimeWaitLifetimes> timeWaitLifetimes,
        Map<String, List<io.twlab.net.NetNode>> elements) {

    /** The links joining scenario elements {@code a} and {@code b} (every host of a group), in scenario order. */
    public List<Link> linksBetween(String a, String b) {
        List<io.twlab.net.NetNode> as = elements.getOrDefault(a, List.of());
        List<io.twlab.net.NetNode> bs = elements.getOrDefault(b, List.of());
        return links.stream().filter(l -> (as.contains(l.a()) && bs.contains(l.b()))
                || (as.contains(l.b()) && bs.contains(l.a()))).toList();
    }
}
