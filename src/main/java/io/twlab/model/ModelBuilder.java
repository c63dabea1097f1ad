package io.twlab.model;

import io.twlab.engine.RandomStreams;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.ipvs.IpvsDirector;
import io.twlab.ipvs.RealServer;
import io.twlab.ipvs.VirtualService;
import io.twlab.metrics.ClientStats;
import io.twlab.metrics.TimeWaitLifetimes;
import io.twlab.kernel.JiffyClock;
import io.twlab.nat.SnatGateway;
import io.twlab.net.Link;
import io.twlab.net.NetNode;
import io.twlab.net.Router;
import io.twlab.net.Routing;
import io.twlab.scenario.DirectorSpec;
import io.twlab.scenario.HostGroupSpec;
import io.twlab.scenario.LinkSpec;
import io.twlab.scenario.NatSpec;
import io.twlab.scenario.ScenarioSpec;
import io.twlab.scenario.WorkloadSpec;
import io.twlab.tcp.HostClock;
import io.twlab.tcp.TcpHost;
import io.twlab.workload.ClientWorkload;
import io.twlab.workload.ServerApp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Scenario → model: hosts, NATs, links, routes, listeners and workloads. Inputs are already validated. */
public final class ModelBuilder {
    private ModelBuilder() {
    }

    public static Model build(ScenarioSpec spec) {
        Simulator sim = new Simulator();
        RandomStreams random = new RandomStreams(spec.seed());
        Map<String, List<TcpHost>> groups = new LinkedHashMap<>();
        Map<String, List<NetNode>> elements = new LinkedHashMap<>();
        List<TcpHost> hosts = new ArrayList<>();
        Map<String, TimeWaitLifetimes> lifetimes = new LinkedHashMap<>();
        for (HostGroupSpec g : spec.hosts()) {
            KernelProfile profile = g.profile();
            List<TcpHost> members = new ArrayList<>();
            for (int i = 0; i < g.count(); i++) {
                String hostName = hostName(g, i);
                SplittableRandom r = random.stream("uptime/" + hostName);
                long uptime = g.uptimeMinNs() + (g.uptimeMaxNs() > g.uptimeMinNs()
                        ? r.nextLong(g.uptimeMaxNs() - g.uptimeMinNs()) : 0);
                TcpHost h = new TcpHost(sim, hostName, g.firstAddress() + i, profile,
                        g.effectiveSysctls(), new HostClock(uptime, g.hz()), random);
                TimeWaitLifetimes tl = new TimeWaitLifetimes(0);
                h.timeWait().setLifetimeListener(tl);
                lifetimes.put(hostName, tl);
                members.add(h);
            }
            groups.put(g.name(), members);
            elements.put(g.name(), new ArrayList<>(members));
            hosts.addAll(members);
        }
        List<SnatGateway> nats = new ArrayList<>();
        for (NatSpec n : spec.nats()) {
            KernelProfile natKernel = n.kernel();
            SnatGateway gw = new SnatGateway(sim, n.name(), n.publicIps(), n.portLow(), n.portHigh(), n.allocation(),
                    natKernel == null ? null : natKernel.natPortAllocation(), n.randomFlag(), n.timeouts(),
                    natKernel == null ? JiffyClock.EXACT : JiffyClock.ofHz(natKernel.defaultHz(),
                            random.stream("nat-clock/" + n.name()).nextLong()),
                    random.stream("nat/" + n.name()));
            gw.setDropInvalid(n.dropInvalid());
            gw.setCpus(n.cpus(), n.clashWindowNs());
            if (n.conntrackMax() > 0) {
                gw.setConntrackMax(n.conntrackMax(), natKernel.conntrackGcEarlyDrop(),
                        random.stream("nat-conntrack/" + n.name()));
            }
            for (String inside : n.inside()) {
                for (TcpHost h : groups.get(inside)) {
                    gw.addInsideAddress(h.ip());
                }
            }
            nats.add(gw);
            elements.put(n.name(), List.of(gw));
        }
        List<NetNode> routers = new ArrayList<>();
        for (String r : spec.routers()) {
            Router router = new Router(r);
            routers.add(router);
            elements.put(r, List.of(router));
        }
        List<IpvsDirector> directors = new ArrayList<>();
        for (DirectorSpec d : spec.directors()) {
            List<VirtualService> services = new ArrayList<>();
            for (DirectorSpec.VirtualServiceSpec v : d.services()) {
                List<RealServer> servers = new ArrayList<>();
                for (TcpHost h : v.realServers().stream().flatMap(g -> groups.get(g).stream()).toList()) {
                    servers.add(new RealServer(h.name(), h.ip(), v.realPort(), v.weight()));
                    if (v.mode() == io.twlab.ipvs.ForwardingMode.DR) {
                        h.addHiddenAddress(v.vip()); // the VIP on lo, not announced (arp_ignore)
                    }
                }
                VirtualService service = new VirtualService(v.vip(), v.port(), v.scheduler(), v.mode(), servers,
                        v.localAddresses(), v.flavor());
                service.setPersistence(v.persistenceNs());
                services.add(service);
            }
            // A director naming its kernel keeps entry timers in that kernel's jiffies (and, 4.8+, on its wheel).
            JiffyClock entryClock = d.kernel() == null ? JiffyClock.EXACT : JiffyClock.ofHz(d.kernel().defaultHz(),
                    random.stream("director-clock/" + d.name()).nextLong(), d.kernel().timerWheelRounding());
            IpvsDirector director = new IpvsDirector(sim, d.name(), services, d.timeouts(), d.connReuseMode(),
                    d.synProxy(), entryClock, random.stream("director/" + d.name()));
            director.setConntrack(d.conntrack());
            director.setExpireNodestConn(d.expireNodestConn());
            for (int i = 0; i < d.services().size(); i++) {
                VirtualService service = services.get(i);
                for (DirectorSpec.WeightChange change : d.services().get(i).weightChanges()) {
                    RealServer target = service.servers().stream().filter(rs -> rs.name().equals(change.server()))
                            .findFirst().orElseThrow();
                    director.scheduleWeightChange(change.atNs(), target, change.weight());
                }
            }
            directors.add(director);
            elements.put(d.name(), List.of(director));
        }
        List<Link> links = new ArrayList<>();
        int linkIndex = 0;
        for (LinkSpec l : spec.links()) {
            List<NetNode> as = elements.get(l.a());
            List<NetNode> bs = elements.get(l.b());
            for (NetNode a : as) {
                for (NetNode b : bs) {
                    links.add(new Link(a, b, l.latencyNs(), l.jitterNs(), l.loss(),
                            random.stream("link/" + (linkIndex++) + "/" + a.name() + "/" + b.name())));
                }
            }
        }
        List<NetNode> all = new ArrayList<>(hosts);
        all.addAll(nats);
        all.addAll(directors);
        all.addAll(routers);
        Routing.build(all);

        ClientStats stats = new ClientStats();
        LinkedHashSet<TcpHost> servers = new LinkedHashSet<>();
        List<ClientWorkload> workloads = new ArrayList<>();
        Map<String, ServerApp> apps = new LinkedHashMap<>();
        for (WorkloadSpec w : spec.workloads()) {
            // A workload targets a host group directly, or a director's virtual service whose real servers listen.
            DirectorSpec director = spec.director(w.to());
            DirectorSpec.VirtualServiceSpec vs = director == null ? null : director.service(w.port());
            List<String> serverGroups = vs == null ? List.of(w.to()) : vs.realServers();
            int listenPort = vs == null ? w.port() : vs.realPort();
            List<TcpHost> targets = serverGroups.stream().flatMap(g -> groups.get(g).stream()).toList();
            int[] serverIps = vs == null ? targets.stream().mapToInt(TcpHost::ip).toArray() : new int[] {vs.vip()};
            for (String groupName : serverGroups) {
                HostGroupSpec serverGroup = spec.host(groupName);
                for (TcpHost server : groups.get(groupName)) {
                    String key = server.name() + ":" + listenPort;
                    if (!apps.containsKey(key)) {
                        ServerApp app = new ServerApp(sim, w.service());
                        apps.put(key, app);
                        server.listen(listenPort, serverGroup.backlog(), c -> app);
                    }
                    servers.add(server);
                }
            }
            ClientWorkload cw = new ClientWorkload(sim, w.name(), groups.get(w.from()).toArray(new TcpHost[0]),
                    serverIps, w.port(), w.rate(), w.arrivals(), w.service(), w.connectTimeoutNs(), w.retries(),
                    w.retryDelayNs(), w.randomHostChoice(), w.startNs(), spec.durationNs(),
                    random.stream("workload/" + w.name()), stats);
            workloads.add(cw);
        }
        return new Model(spec, sim, groups, hosts, new ArrayList<>(servers), nats, directors, links, workloads, stats,
                lifetimes, elements);
    }

    public static String hostName(HostGroupSpec g, int index) {
        return g.count() == 1 ? g.name() : g.name() + "-" + (index + 1);
    }
}
