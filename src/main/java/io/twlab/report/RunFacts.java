package io.twlab.report;

import io.twlab.ipvs.IpvsDirector;
import io.twlab.metrics.ClientStats;
import io.twlab.metrics.FailureCause;
import io.twlab.metrics.LatencyHistogram;
import io.twlab.metrics.TimeWaitLifetimes;
import io.twlab.model.Model;
import io.twlab.model.RunResult;
import io.twlab.net.Link;
import io.twlab.nat.NatVerdict;
import io.twlab.tcp.Counter;
import io.twlab.tcp.NoPortCause;
import io.twlab.tcp.TcpHost;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The facts of a finished run that findings are drawn from, copied out of the model once so that the rules read
 * plain values (and tests can build a run's facts by hand). Lists keep scenario order.
 *
 * @param hosts      every TCP host; the servers are those with {@code server} set
 * @param hostGroups scenario host groups with more than one host, by group name, members in order
 */
public record RunFacts(Clients clients, List<Host> hosts, Map<String, List<String>> hostGroups, List<Nat> nats,
                       List<Director> directors, Links links, Series series) {

    public RunFacts {
        hosts = List.copyOf(hosts);
        hostGroups = Collections.unmodifiableMap(new LinkedHashMap<>(hostGroups));
        nats = List.copyOf(nats);
        directors = List.copyOf(directors);
    }

    /** What the clients saw; the histograms are copies, in microseconds. */
    public record Clients(long attempts, long successes, Map<FailureCause, Long> failures, long connects,
                          long synRetransmittedConnects, LatencyHistogram connectLatency,
                          LatencyHistogram firstByteLatency) {
        public Clients {
            failures = failures.isEmpty() ? Map.of() : new EnumMap<>(failures);
        }

        public long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }

        public long failures(FailureCause cause) {
            return failures.getOrDefault(cause, 0L);
        }
    }

    /**
     * One TCP host: its kernel profile's name, its counters at the end, and the longest TIME_WAIT it held in
     * seconds (-1 when it held none or was not measured).
     */
    public record Host(String name, String kernel, boolean server, Map<Counter, Long> counters,
                       double timeWaitMaxSeconds, Map<NoPortCause, Long> noPortFailures) {
        public Host {
            counters = counters.isEmpty() ? Map.of() : new EnumMap<>(counters);
            noPortFailures = noPortFailures.isEmpty() ? Map.of() : new EnumMap<>(noPortFailures);
        }

        public Host(String name, String kernel, boolean server, Map<Counter, Long> counters,
                    double timeWaitMaxSeconds) {
            this(name, kernel, server, counters, timeWaitMaxSeconds, Map.of());
        }

        /** connect() calls that failed with EADDRNOTAVAIL, over all causes. */
        public long noPortFailureCount() {
            return noPortFailures.values().stream().mapToLong(Long::longValue).sum();
        }

        public long counter(Counter c) {
            return counters.getOrDefault(c, 0L);
        }
    }

    /** One gateway; conntrackMax 0 when its table is unbounded. */
    public record Nat(String name, long allocationFailures, long droppedInvalid, int portLow, int portHigh,
                      int addresses, int conntrackMax, long tableFullDrops, long earlyDrops, long gcEarlyDrops,
                      int cpus, long insertFailed) {
        public Nat(String name, long allocationFailures, long droppedInvalid, int portLow, int portHigh,
                   int addresses) {
            this(name, allocationFailures, droppedInvalid, portLow, portHigh, addresses, 0, 0, 0, 0, 1, 0);
        }
    }

    public record Director(String name, long reusedEntries, long conns, long droppedNoEntry,
                           long synsDroppedForConntrack, long droppedNoServer, long droppedNoLocalPort,
                           long synProxyRetries) {
        /** Every packet the director dropped. */
        public long drops() {
            return droppedNoEntry + synsDroppedForConntrack + droppedNoServer + droppedNoLocalPort;
        }
    }

    /** Packets the scenario's links lost and delivered, over all links. */
    public record Links(long lost, long delivered) {
    }

    public List<Host> servers() {
        return hosts.stream().filter(Host::server).toList();
    }

    public static RunFacts of(RunResult run) {
        Model m = run.model();
        ClientStats s = m.clientStats();
        Map<FailureCause, Long> failures = new EnumMap<>(FailureCause.class);
        for (FailureCause f : FailureCause.values()) {
            if (s.failures(f) > 0) {
                failures.put(f, s.failures(f));
            }
        }
        Clients clients = new Clients(s.attempts(), s.successes(), failures, s.connects(),
                s.synRetransmittedConnects(), s.connectLatency().copy(), s.firstByteLatency().copy());
        List<Host> hosts = new ArrayList<>();
        Set<TcpHost> servers = Collections.newSetFromMap(new IdentityHashMap<>());
        servers.addAll(m.serverHosts());
        for (TcpHost h : m.hosts()) {
            Map<Counter, Long> counters = new EnumMap<>(Counter.class);
            for (Counter c : Counter.values()) {
                if (h.counters().get(c) != 0) {
                    counters.put(c, h.counters().get(c));
                }
            }
            TimeWaitLifetimes tl = m.timeWaitLifetimes().get(h.name());
            hosts.add(new Host(h.name(), h.profile().name(), servers.contains(h), counters,
                    tl != null && tl.count() > 0 ? tl.maxSeconds() : -1, h.noPortFailures()));
        }
        Map<String, List<String>> groups = new LinkedHashMap<>();
        m.hostGroups().forEach((name, members) -> {
            if (members.size() > 1) {
                groups.put(name, members.stream().map(TcpHost::name).toList());
            }
        });
        List<Nat> nats = m.nats().stream().map(n -> new Nat(n.name(), n.allocationFailures(), n.droppedInvalid(),
                n.portLow(), n.portHigh(), n.publicAddresses().length, n.conntrackMax(),
                n.verdicts(NatVerdict.TABLE_FULL), n.earlyDrops(), n.gcEarlyDrops(), n.cpus(), n.insertFailed())).toList();
        List<Director> directors = m.directors().stream().map((IpvsDirector d) -> new Director(d.name(),
                d.reusedEntries(), d.conns(), d.droppedNoEntry(), d.synsDroppedForConntrack(), d.droppedNoServer(),
                d.droppedNoLocalPort(), d.synProxyRetries())).toList();
        long lost = 0;
        long delivered = 0;
        for (Link l : m.links()) {
            lost += l.lost();
            delivered += l.delivered();
        }
        return new RunFacts(clients, hosts, groups, nats, directors, new Links(lost, delivered),
                Series.of(run.series()));
    }
}
