package io.twlab.model;

import io.twlab.engine.EventHandler;
import io.twlab.engine.Simulator;
import io.twlab.ipvs.IpvsDirector;
import io.twlab.ipvs.RealServer;
import io.twlab.ipvs.VirtualService;
import io.twlab.metrics.ClientStats;
import io.twlab.metrics.SeriesTable;
import io.twlab.nat.SnatGateway;
import io.twlab.tcp.Counter;
import io.twlab.tcp.TcpHost;
import io.twlab.workload.ClientWorkload;
import io.twlab.metrics.FailureCause;

import java.util.ArrayList;
import java.util.List;

/** Samples the run once per simulated second into a {@link SeriesTable}. */
public final class SeriesRecorder implements EventHandler {
    /** Server counters whose per-second deltas go into the series. */
    public static final Counter[] SERIES_COUNTERS = {
            Counter.PassiveOpens, Counter.PAWSEstab, Counter.PAWSTimewait, Counter.PAWSPassive, Counter.TW,
            Counter.TWKilled, Counter.TWRecycled, Counter.TCPTimeWaitOverflow, Counter.TCPACKSkippedTimeWait,
            Counter.OutRsts, Counter.ListenDrops};

    private final Model model;
    private final SeriesTable table;
    private final long[][] lastCounters;
    private long lastAttempts;
    private long lastSuccesses;
    private final long[] lastFailures = new long[FailureCause.values().length];
    private final java.util.Map<Object, Long> lastDirectorCounts = new java.util.IdentityHashMap<>();

    public SeriesRecorder(Model model) {
        this.model = model;
        List<SeriesKey> keys = new ArrayList<>(List.of(SeriesKey.TIME, SeriesKey.OFFERED_RATE, SeriesKey.ATTEMPTS,
                SeriesKey.SUCCESSES, SeriesKey.FAILED));
        for (FailureCause f : FailureCause.values()) {
            keys.add(SeriesKey.failed(f));
        }
        keys.addAll(List.of(SeriesKey.CONNECT_P50_MS, SeriesKey.CONNECT_P99_MS, SeriesKey.CONNECT_MAX_MS));
        for (TcpHost h : model.serverHosts()) {
            keys.add(SeriesKey.timeWait(h.name()));
            for (Counter c : SERIES_COUNTERS) {
                keys.add(SeriesKey.counter(h.name(), c));
            }
        }
        for (SnatGateway n : model.nats()) {
            keys.add(SeriesKey.natMappings(n.name()));
            keys.add(SeriesKey.natMinReuseAge(n.name()));
        }
        // ipvsadm --rate's CPS per director, and per real server: new connections, ActiveConn, InActConn.
        for (IpvsDirector d : model.directors()) {
            keys.add(SeriesKey.directorConns(d.name()));
            for (VirtualService v : d.services()) {
                String service = io.twlab.net.Ipv4.format(v.vip()) + ":" + v.port();
                for (RealServer rs : v.servers()) {
                    keys.add(SeriesKey.realServerConns(d.name(), service, rs.name()));
                    keys.add(SeriesKey.realServerActive(d.name(), service, rs.name()));
                    keys.add(SeriesKey.realServerInactive(d.name(), service, rs.name()));
                }
            }
        }
        List<String> cols = keys.stream().map(SeriesKey::column).toList();
        this.table = new SeriesTable(cols);
        this.lastCounters = new long[model.serverHosts().size()][Counter.values().length];
    }

    public SeriesTable table() {
        return table;
    }

    public void start() {
        if (Simulator.NS_PER_SEC < model.spec().durationNs()) {
            model.sim().at(Simulator.NS_PER_SEC, this, 0, 1, null);
        }
    }

    /** Change of a cumulative count since the last sample (keyed by the object that owns the count). */
    private long delta(Object owner, long now) {
        Long before = lastDirectorCounts.put(owner, now);
        return now - (before == null ? 0 : before);
    }

    @Override
    public void onEvent(Simulator sim, int kind, long second, Object payload) {
        sample(second);
        long next = (second + 1) * Simulator.NS_PER_SEC;
        // The row of the run's last second is taken by finish(), after every event at the end instant has run.
        if (next < model.spec().durationNs()) {
            sim.at(next, this, 0, second + 1, null);
        }
    }

    /** Takes the last row (labelled with the run's duration rounded up to a second); call after the run ends. */
    public void finish() {
        long last = (model.spec().durationNs() + Simulator.NS_PER_SEC - 1) / Simulator.NS_PER_SEC;
        if (last >= 1) {
            sample(last);
        }
    }

    private void sample(long second) {
        ClientStats s = model.clientStats();
        double[] row = new double[table.columns().size()];
        int i = 0;
        row[i++] = second;
        double offered = 0;
        for (ClientWorkload w : model.workloads()) {
            offered += w.rate().rateAt((second - 1) * Simulator.NS_PER_SEC);
        }
        row[i++] = offered;
        row[i++] = s.attempts() - lastAttempts;
        row[i++] = s.successes() - lastSuccesses;
        long failedNow = 0;
        int failedColumn = i++;
        for (FailureCause f : FailureCause.values()) {
            long d = s.failures(f) - lastFailures[f.ordinal()];
            lastFailures[f.ordinal()] = s.failures(f);
            row[i++] = d;
            failedNow += d;
        }
        row[failedColumn] = failedNow;
        io.twlab.metrics.LatencyHistogram recent = s.recentConnectLatency();
        row[i++] = recent.quantile(0.50) / 1000.0;
        row[i++] = recent.quantile(0.99) / 1000.0;
        row[i++] = recent.max() / 1000.0;
        recent.clear();
        lastAttempts = s.attempts();
        lastSuccesses = s.successes();
        List<TcpHost> servers = model.serverHosts();
        for (int h = 0; h < servers.size(); h++) {
            TcpHost host = servers.get(h);
            row[i++] = host.timeWait().count();
            for (Counter c : SERIES_COUNTERS) {
                long v = host.counters().get(c);
                row[i++] = v - lastCounters[h][c.ordinal()];
                lastCounters[h][c.ordinal()] = v;
            }
        }
        for (SnatGateway n : model.nats()) {
            row[i++] = n.activeMappings();
            long age = n.takeMinReuseAgeNs();
            // -1: no port was handed out again this second (a gap in the chart, not a zero age).
            row[i++] = age < 0 ? -1 : age / 1e9;
        }
        for (IpvsDirector d : model.directors()) {
            row[i++] = delta(d, d.conns());
            for (VirtualService v : d.services()) {
                for (RealServer rs : v.servers()) {
                    row[i++] = delta(rs, rs.conns());
                    row[i++] = rs.activeConns();
                    row[i++] = rs.inactConns();
                }
            }
        }
        table.add(row);
    }
}
