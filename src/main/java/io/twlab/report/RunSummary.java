package io.twlab.report;

import io.twlab.model.SeriesKey;
import io.twlab.engine.Simulator;
import io.twlab.ipvs.IpvsDirector;
import io.twlab.ipvs.RealServer;
import io.twlab.ipvs.VirtualService;
import io.twlab.metrics.ClientStats;
import io.twlab.metrics.LatencyHistogram;
import io.twlab.metrics.SeriesTable;
import io.twlab.metrics.TimeWaitLifetimes;
import io.twlab.model.Model;
import io.twlab.model.RunResult;
import io.twlab.nat.SnatGateway;
import io.twlab.net.Ipv4;
import io.twlab.scenario.ScenarioSpec;
import io.twlab.tcp.Counter;
import io.twlab.tcp.TcpVerdict;
import io.twlab.nat.NatVerdict;
import io.twlab.ipvs.IpvsVerdict;
import io.twlab.tcp.Counters;
import io.twlab.tcp.TcpHost;
import io.twlab.metrics.FailureCause;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The structured result of a run (the JSON document) and its readable rendering. */
public final class RunSummary {
    private RunSummary() {
    }

    public static Map<String, Object> toMap(RunResult r) {
        return toMap(r, Findings.of(r));
    }

    /** The document with findings already drawn from the run (so a caller printing them too derives them once). */
    public static Map<String, Object> toMap(RunResult r, List<Finding> runFindings) {
        Model m = r.model();
        ScenarioSpec spec = m.spec();
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> scenario = new LinkedHashMap<>();
        scenario.put("name", spec.name());
        scenario.put("durationSeconds", spec.durationNs() / (double) Simulator.NS_PER_SEC);
        scenario.put("seed", spec.seed());
        scenario.put("description", spec.description());
        root.put("scenario", scenario);
        List<Object> findings = new java.util.ArrayList<>();
        for (Finding f : runFindings) {
            findings.add(f.toMap());
        }
        root.put("findings", findings);

        ClientStats s = m.clientStats();
        Map<String, Object> clients = new LinkedHashMap<>();
        clients.put("attempts", s.attempts());
        clients.put("successes", s.successes());
        clients.put("failed", s.failed());
        clients.put("inFlight", s.attempts() - s.successes() - s.failed());
        Map<String, Object> failures = new LinkedHashMap<>();
        for (FailureCause f : FailureCause.values()) {
            failures.put(f.key(), s.failures(f));
        }
        clients.put("failures", failures);
        clients.put("connects", s.connects());
        clients.put("connectsWithSynRetransmission", s.synRetransmittedConnects());
        LatencyHistogram h = s.connectLatency();
        Map<String, Object> connectMs = new LinkedHashMap<>();
        connectMs.put("p50", h.quantile(0.50) / 1000.0);
        connectMs.put("p99", h.quantile(0.99) / 1000.0);
        connectMs.put("max", h.max() / 1000.0);
        clients.put("connectMs", connectMs);
        LatencyHistogram fb = s.firstByteLatency();
        Map<String, Object> firstByteMs = new LinkedHashMap<>();
        firstByteMs.put("p50", fb.quantile(0.50) / 1000.0);
        firstByteMs.put("p99", fb.quantile(0.99) / 1000.0);
        firstByteMs.put("max", fb.max() / 1000.0);
        clients.put("firstByteMs", firstByteMs);
        root.put("clients", clients);

        Map<String, Object> hosts = new LinkedHashMap<>();
        SeriesTable series = r.series();
        Map<TcpHost, String> groupOf = new java.util.IdentityHashMap<>();
        m.hostGroups().forEach((g, members) -> members.forEach(member -> groupOf.put(member, g)));
        for (TcpHost host : m.hosts()) {
            Map<String, Object> hm = new LinkedHashMap<>();
            hm.put("group", groupOf.getOrDefault(host, host.name()));
            hm.put("kernel", host.profile().name());
            hm.put("address", Ipv4.format(host.ip()));
            hm.put("role", m.serverHosts().contains(host) ? "server" : "client");
            hm.put("noRouteDrops", host.noRouteDrops());
            Map<String, Object> tw = new LinkedHashMap<>();
            tw.put("now", host.timeWait().count());
            int col = series.column(SeriesKey.timeWait(host.name()).column());
            if (col >= 0) {
                tw.put("peak", series.rows().stream().mapToDouble(row -> row[col]).max().orElse(0));
            }
            TimeWaitLifetimes tl = m.timeWaitLifetimes().get(host.name());
            if (tl != null && tl.count() > 0) {
                Map<String, Object> life = new LinkedHashMap<>();
                life.put("count", tl.count());
                life.put("minSeconds", tl.minSeconds());
                life.put("maxSeconds", tl.maxSeconds());
                tw.put("lifetime", life);
            }
            hm.put("timeWait", tw);
            Map<String, Object> counters = new LinkedHashMap<>();
            for (Counter c : Counter.values()) {
                counters.put(c.name(), host.counters().get(c));
            }
            hm.put("counters", counters);
            Map<String, Object> drops = new LinkedHashMap<>();
            for (TcpVerdict v : TcpVerdict.values()) {
                if (v.drop() && host.verdicts(v) > 0) {
                    drops.put(v.name(), host.verdicts(v));
                }
            }
            hm.put("drops", drops);
            Map<String, Object> noPort = new LinkedHashMap<>();
            host.noPortFailures().forEach((cause, n) -> noPort.put(cause.key(), n));
            hm.put("eaddrnotavail", noPort);
            hosts.put(host.name(), hm);
        }
        root.put("hosts", hosts);

        Map<String, Object> nats = new LinkedHashMap<>();
        for (SnatGateway n : m.nats()) {
            Map<String, Object> nm = new LinkedHashMap<>();
            nm.put("addresses", java.util.Arrays.stream(n.publicAddresses()).mapToObj(Ipv4::format).toList());
            nm.put("ports", n.portLow() + "-" + n.portHigh());
            nm.put("allocation", n.allocationName());
            nm.put("mappingsCreated", n.flowsCreated());
            nm.put("mappingsReused", n.mappingsReused());
            nm.put("allocationFailures", n.allocationFailures());
            nm.put("evictions", n.evictions());
            nm.put("droppedWithoutMapping", n.droppedNoMapping());
            nm.put("droppedInvalid", n.droppedInvalid());
            nm.put("activeMappings", n.activeMappings());
            if (n.conntrackMax() > 0 || n.cpus() > 1) {
                Map<String, Object> ct = new LinkedHashMap<>();
                ct.put("max", n.conntrackMax());
                ct.put("tableFullDrops", n.verdicts(NatVerdict.TABLE_FULL));
                ct.put("earlyDrops", n.earlyDrops());
                ct.put("gcEarlyDrops", n.gcEarlyDrops());
                ct.put("cpus", n.cpus());
                ct.put("insertFailed", n.insertFailed());
                nm.put("conntrack", ct);
            }
            Map<String, Object> drops = new LinkedHashMap<>();
            for (NatVerdict v : NatVerdict.values()) {
                if (v.drop() && n.verdicts(v) > 0) {
                    drops.put(v.name(), n.verdicts(v));
                }
            }
            nm.put("drops", drops);
            nats.put(n.name(), nm);
        }
        root.put("nats", nats);
        Map<String, Object> directors = new LinkedHashMap<>();
        for (IpvsDirector d : m.directors()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("conns", d.conns());
            dm.put("entries", d.connectionEntries());
            dm.put("synsOnExistingEntries", d.reusedEntries());
            dm.put("droppedWithoutEntry", d.droppedNoEntry());
            dm.put("synsLostTowardServers", d.synsLostTowardServers());
            dm.put("synProxyRetries", d.synProxyRetries());
            dm.put("synsDroppedForConntrack", d.synsDroppedForConntrack());
            dm.put("droppedNoServer", d.droppedNoServer());
            dm.put("droppedNoLocalPort", d.droppedNoLocalPort());
            dm.put("noRouteDrops", d.noRouteDrops());
            Map<String, Object> drops = new LinkedHashMap<>();
            for (IpvsVerdict v : IpvsVerdict.values()) {
                if (v.drop() && d.verdicts(v) > 0) {
                    drops.put(v.name(), d.verdicts(v));
                }
            }
            dm.put("drops", drops);
            Map<String, Object> services = new LinkedHashMap<>();
            for (VirtualService v : d.services()) {
                Map<String, Object> vm = new LinkedHashMap<>();
                vm.put("mode", v.mode().name().toLowerCase(Locale.ROOT));
                vm.put("conns", v.conns());
                vm.put("inPkts", v.inPkts());
                vm.put("outPkts", v.outPkts());
                Map<String, Object> rsMap = new LinkedHashMap<>();
                for (RealServer rs : v.servers()) {
                    Map<String, Object> r1 = new LinkedHashMap<>();
                    r1.put("address", Ipv4.format(rs.ip()));
                    r1.put("weight", rs.weight());
                    r1.put("conns", rs.conns());
                    r1.put("inPkts", rs.inPkts());
                    r1.put("outPkts", rs.outPkts());
                    r1.put("activeConn", rs.activeConns());
                    r1.put("inActConn", rs.inactConns());
                    rsMap.put(rs.name(), r1);
                }
                vm.put("realServers", rsMap);
                services.put(Ipv4.format(v.vip()) + ":" + v.port(), vm);
            }
            dm.put("services", services);
            directors.put(d.name(), dm);
        }
        root.put("directors", directors);
        List<Object> links = new java.util.ArrayList<>();
        for (io.twlab.net.Link l : m.links()) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("a", l.a().name());
            lm.put("b", l.b().name());
            lm.put("delivered", l.delivered());
            lm.put("lost", l.lost());
            links.add(lm);
        }
        root.put("links", links);
        Map<String, Object> engine = new LinkedHashMap<>();
        engine.put("events", r.events());
        root.put("engine", engine);
        return root;
    }

    /**
     * The readable summary: clients first, then the hosts whose counters moved, their counters printed as
     * nstat names or, with {@code netstatStyle}, as the lines of {@code netstat -s}.
     */
    public static String toText(RunResult r, List<Finding> findings, boolean netstatStyle) {
        Model m = r.model();
        StringBuilder sb = new StringBuilder();
        ClientStats s = m.clientStats();
        sb.append(String.format(Locale.ROOT, "Scenario %s (seed %d), %s simulated, %,d events%n", m.spec().name(),
                m.spec().seed(), seconds(m.spec().durationNs()), r.events()));
        sb.append(String.format(Locale.ROOT, "Clients: %,d requests, %,d succeeded, %,d failed, %,d in flight at the end%n",
                s.attempts(), s.successes(), s.failed(), s.attempts() - s.successes() - s.failed()));
        if (s.failed() > 0) {
            sb.append("  failures:");
            for (FailureCause f : FailureCause.values()) {
                if (s.failures(f) > 0) {
                    sb.append(String.format(Locale.ROOT, " %s %,d", f.key(), s.failures(f)));
                }
            }
            sb.append('\n');
        }
        LatencyHistogram h = s.connectLatency();
        sb.append(String.format(Locale.ROOT, "  connect latency: p50 %s, p99 %s, max %s; %,d of %,d connects completed only after a SYN retransmission%n",
                ms(h.quantile(0.5)), ms(h.quantile(0.99)), ms(h.max()), s.synRetransmittedConnects(), s.connects()));
        LatencyHistogram fb = s.firstByteLatency();
        sb.append(String.format(Locale.ROOT, "  time to first byte (request sent to first response byte): p50 %s, p99 %s, max %s%n",
                ms(fb.quantile(0.5)), ms(fb.quantile(0.99)), ms(fb.max())));
        for (Map.Entry<String, List<TcpHost>> group : m.hostGroups().entrySet()) {
            List<TcpHost> members = group.getValue();
            boolean servers = members.stream().anyMatch(m.serverHosts()::contains);
            if (members.size() > 1 && !servers) {
                // A client group prints once, its counters summed over its hosts.
                long[] sum = new long[Counter.values().length];
                for (TcpHost member : members) {
                    for (Counter c : Counter.values()) {
                        sum[c.ordinal()] += member.counters().get(c);
                    }
                }
                TcpHost first = members.get(0);
                sb.append(String.format(Locale.ROOT, "Hosts %s-1..%d (%s, %s..%s), counters summed%n", group.getKey(),
                        members.size(), first.profile().name(), Ipv4.format(first.ip()),
                        Ipv4.format(members.get(members.size() - 1).ip())));
                appendCounters(sb, sum, netstatStyle);
                continue;
            }
            for (TcpHost host : members) {
                sb.append(String.format(Locale.ROOT, "Host %s (%s, %s): TIME_WAIT %,d at the end", host.name(),
                        host.profile().name(), Ipv4.format(host.ip()), host.timeWait().count()));
                TimeWaitLifetimes tl = m.timeWaitLifetimes().get(host.name());
                if (tl != null && tl.count() > 0) {
                    sb.append(String.format(Locale.ROOT, ", lifetimes %.1f-%.1f s", tl.minSeconds(), tl.maxSeconds()));
                }
                sb.append('\n');
                long[] values = new long[Counter.values().length];
                for (Counter c : Counter.values()) {
                    values[c.ordinal()] = host.counters().get(c);
                }
                appendCounters(sb, values, netstatStyle);
            }
        }
        for (SnatGateway n : m.nats()) {
            sb.append(String.format(Locale.ROOT, "NAT %s: %,d mappings created, %,d reused, %,d allocation failures, %,d evictions, %,d packets without mapping dropped%n",
                    n.name(), n.flowsCreated(), n.mappingsReused(), n.allocationFailures(), n.evictions(), n.droppedNoMapping()));
        }
        for (IpvsDirector d : m.directors()) {
            sb.append(String.format(Locale.ROOT, "Director %s: %,d connections scheduled, %,d SYNs reused an existing entry%n",
                    d.name(), d.conns(), d.reusedEntries()));
            for (VirtualService v : d.services()) {
                sb.append(String.format(Locale.ROOT, "  TCP  %s:%d%n", Ipv4.format(v.vip()), v.port()));
                for (RealServer rs : v.servers()) {
                    sb.append(String.format(Locale.ROOT, "    -> %-15s Conns %,10d  InPkts %,12d  OutPkts %,12d  ActiveConn %,7d  InActConn %,7d%n",
                            rs.name(), rs.conns(), rs.inPkts(), rs.outPkts(), rs.activeConns(), rs.inactConns()));
                }
            }
        }
        sb.append("Findings, most severe first:\n");
        for (Finding f : findings) {
            sb.append(wrap("  [" + f.severity().key() + "]", f.text(), 110, "      "));
        }
        return sb.toString();
    }

    /** {@code prefix} and the paragraph, broken at spaces into lines of at most {@code width}; continuations indented. */
    public static String wrap(String prefix, String text, int width, String indent) {
        StringBuilder sb = new StringBuilder();
        StringBuilder line = new StringBuilder(prefix);
        for (String word : text.split(" ")) {
            if (line.length() + 1 + word.length() > width) {
                sb.append(line).append('\n');
                line.setLength(0);
                line.append(indent).append(word);
            } else {
                line.append(' ').append(word);
            }
        }
        return sb.append(line).append('\n').toString();
    }

    /** Counters that moved, as nstat names or netstat -s lines (segment counts left out of the nstat view). */
    private static void appendCounters(StringBuilder sb, long[] values, boolean netstatStyle) {
        if (netstatStyle) {
            Counters view = new Counters();
            for (Counter c : Counter.values()) {
                view.add(c, values[c.ordinal()]);
            }
            view.toNetstat().lines().forEach(l -> sb.append("    ").append(l).append('\n'));
            return;
        }
        for (Counter c : Counter.values()) {
            long v = values[c.ordinal()];
            if (v != 0 && c != Counter.InSegs && c != Counter.OutSegs) {
                sb.append(String.format(Locale.ROOT, "    %-28s %,d%n", c.nstatName(), v));
            }
        }
    }

    private static String ms(long micros) {
        return micros >= 10_000 ? String.format(Locale.ROOT, "%,d ms", micros / 1000)
                : String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }

    private static String seconds(long ns) {
        long s = ns / Simulator.NS_PER_SEC;
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
