package io.twlab.sweep;

import io.twlab.kernel.KernelProfile;
import io.twlab.model.Capacity;
import io.twlab.model.Model;
import io.twlab.model.ModelBuilder;
import io.twlab.nat.SnatGateway;
import io.twlab.scenario.ScenarioException;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.tcp.TcpHost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * A sweep from plan to results: checks every varied value against the scenario first, runs what the store does not
 * hold yet (same scenario hash, values and seed), and aggregates the plan's runs per point over seeds. The analytic
 * edge of each row of the map comes from {@link Capacity} when the first axis is a workload rate behind a NAT.
 */
public final class Sweep {
    /** What to sweep: the scenario, fixed overrides, the plan, the metrics, and the metric the map shows. */
    public record Setup(Path scenario, List<String> sets, SweepPlan plan, List<String> metrics, String mapMetric,
                        double threshold) {
    }

    /** The plan's runs in plan order, the per-point aggregates, and what this invocation did. */
    public record Outcome(String hash, List<RunRow> ordered, List<SweepStore.Aggregate> points, int ran, int reused,
                          int failed, List<Edge> edges) {
    }

    /** The capacity edge for one value of the map's second axis (or the scenario itself with one axis). */
    public record Edge(String rowValue, String kernel, long tuples, double maxRate) {
    }

    private Sweep() {
    }

    /** SHA-256 of the scenario file's bytes and the fixed overrides: rows of another scenario are never reused. */
    public static String hash(Path scenario, List<String> sets) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(Files.readAllBytes(scenario));
            for (String s : sets) {
                d.update(("\n--set " + s).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads the scenario with every value of every axis (the others at their first value): bad paths fail here. */
    public static void validate(Setup s) {
        List<Axis> axes = s.plan().axes();
        for (int a = 0; a < axes.size(); a++) {
            for (String v : axes.get(a).values()) {
                List<String> overrides = new ArrayList<>(s.sets());
                for (int b = 0; b < axes.size(); b++) {
                    overrides.add(axes.get(b).path() + "=" + (a == b ? v : axes.get(b).values().get(0)));
                }
                try {
                    ScenarioLoader.load(s.scenario(), overrides);
                } catch (ScenarioException e) {
                    throw new SweepException("--vary " + axes.get(a).path() + "=" + axes.get(a).spec(),
                            "the value " + v + " does not make a valid scenario: " + e.render());
                }
            }
        }
    }

    /**
     * Where runs run: the local thread pool, or another engine (the Spark module's). An engine gets the runs to do
     * and hands every result to {@code done} on the calling thread, in any order.
     */
    public interface Engine {
        void runAll(Path scenario, List<String> sets, List<Axis> axes, List<LocalExecutor.Task> tasks,
                    List<String> metrics, java.util.function.Consumer<RunRow> done);
    }

    /** An engine another jar provides (java.util.ServiceLoader), by name. */
    public interface EngineProvider {
        String name();

        Engine create(int threads);
    }

    /** The local engine: {@code threads} threads in this JVM. */
    public static Engine local(int threads) {
        return (scenario, sets, axes, tasks, metrics, done) -> LocalExecutor.runAll(scenario, sets, axes, tasks,
                metrics, threads, done);
    }

    /** Runs the missing runs on {@code engine} into {@code dir}'s store; {@code progress} gets the runs done. */
    public static Outcome run(Setup s, Path dir, Engine engine, IntConsumer progress) throws IOException,
            SQLException {
        String hash = hash(s.scenario(), s.sets());
        SweepPlan plan = s.plan();
        try (SweepStore store = SweepStore.open(dir, plan.axes(), s.metrics())) {
            Map<String, RunRow> have = new HashMap<>();
            for (RunRow r : store.rows(hash)) {
                if (r.error() == null) {
                    have.put(key(r.values(), r.seed()), r);
                }
            }
            List<LocalExecutor.Task> todo = new ArrayList<>();
            for (SweepPlan.Point p : plan.points()) {
                for (long seed : plan.seeds()) {
                    if (!have.containsKey(key(p.values(), seed))) {
                        todo.add(new LocalExecutor.Task(p, seed));
                    }
                }
            }
            int reused = plan.runs() - todo.size();
            int[] done = {reused};
            Map<String, RunRow> fresh = new HashMap<>();
            SQLException[] failure = new SQLException[1];
            engine.runAll(s.scenario(), s.sets(), plan.axes(), todo, s.metrics(), row -> {
                fresh.put(key(row.values(), row.seed()), row);
                try {
                    store.append(hash, row);
                } catch (SQLException e) {
                    failure[0] = e;
                }
                progress.accept(++done[0]);
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            List<RunRow> known = new ArrayList<>(have.values());
            known.addAll(fresh.values());
            List<RunRow> ordered = inPlanOrder(plan, known);
            int failed = (int) ordered.stream().filter(RunRow::failed).count();
            List<SweepStore.Aggregate> points = aggregate(plan, ordered, s.metrics().size());
            store.export(dir, hash, ordered, points);
            return new Outcome(hash, ordered, points, todo.size(), reused, failed, edges(s));
        }
    }

    private static String key(List<String> values, long seed) {
        return String.join("\u0000", values) + "\u0000" + seed;
    }

    /**
     * The plan's runs in plan order (points, then seeds) from rows of the store: for each point and seed the last
     * successful row, else the last failed one, else a row saying it is not in the store.
     */
    public static List<RunRow> inPlanOrder(SweepPlan plan, List<RunRow> rows) {
        Map<String, RunRow> byKey = new HashMap<>();
        for (RunRow r : rows) {
            String k = key(r.values(), r.seed());
            RunRow before = byKey.get(k);
            if (before == null || !r.failed() || before.failed()) {
                byKey.put(k, r);
            }
        }
        List<RunRow> ordered = new ArrayList<>();
        for (SweepPlan.Point p : plan.points()) {
            for (long seed : plan.seeds()) {
                RunRow r = byKey.get(key(p.values(), seed));
                ordered.add(r != null ? r : new RunRow(p.values(), seed, null, "not in the store"));
            }
        }
        return ordered;
    }

    /** Per point, over its successful seeds: mean, min and max of each metric. Rows come in plan order. */
    public static List<SweepStore.Aggregate> aggregate(SweepPlan plan, List<RunRow> ordered, int metrics) {
        List<SweepStore.Aggregate> out = new ArrayList<>();
        int seeds = plan.seeds().size();
        for (SweepPlan.Point p : plan.points()) {
            double[] sum = new double[metrics];
            double[] min = new double[metrics];
            double[] max = new double[metrics];
            java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
            int ok = 0;
            int failed = 0;
            for (int k = 0; k < seeds; k++) {
                RunRow r = ordered.get(p.index() * seeds + k);
                if (r.failed()) {
                    failed++;
                    continue;
                }
                ok++;
                for (int i = 0; i < metrics; i++) {
                    sum[i] += r.metrics()[i];
                    min[i] = Math.min(min[i], r.metrics()[i]);
                    max[i] = Math.max(max[i], r.metrics()[i]);
                }
            }
            double[] mean = new double[metrics];
            for (int i = 0; i < metrics; i++) {
                mean[i] = ok == 0 ? Double.NaN : sum[i] / ok;
            }
            out.add(new SweepStore.Aggregate(p.index(), p.values(), ok, failed, mean, min, max));
        }
        return out;
    }

    /**
     * The rate at which a port comes back while the server may still hold its old 4-tuple in TIME_WAIT
     * ({@link Capacity}: NAT ports x addresses over the kernel reaper's longest TIME_WAIT), per value of the second
     * axis; only when the first axis is a workload rate and the scenario has a NAT.
     */
    static List<Edge> edges(Setup s) {
        List<Axis> axes = s.plan().axes();
        if (axes.isEmpty() || !axes.get(0).path().endsWith(".rate")) {
            return List.of();
        }
        List<String> rows = axes.size() >= 2 ? axes.get(1).values() : List.of("");
        List<Edge> out = new ArrayList<>();
        Map<String, Edge> byKernelAndTuples = new LinkedHashMap<>();
        for (String row : rows) {
            List<String> overrides = new ArrayList<>(s.sets());
            overrides.add(axes.get(0).path() + "=" + axes.get(0).values().get(0));
            if (axes.size() >= 2) {
                overrides.add(axes.get(1).path() + "=" + row);
            }
            Model m = ModelBuilder.build(ScenarioLoader.load(s.scenario(), overrides));
            if (m.nats().isEmpty() || m.serverHosts().isEmpty()) {
                return List.of();
            }
            SnatGateway nat = m.nats().get(0);
            TcpHost server = m.serverHosts().get(0);
            KernelProfile profile = server.profile();
            long tuples = (long) (nat.portHigh() - nat.portLow() + 1) * nat.publicAddresses().length;
            String k = profile.name() + "/" + server.clock().hz() + "/" + tuples;
            Edge e = byKernelAndTuples.get(k);
            if (e == null) {
                double rate = Capacity.compute(profile, server.clock().hz(), tuples).maxRate();
                e = new Edge(row, profile.name(), tuples, rate);
                byKernelAndTuples.put(k, e);
            }
            out.add(new Edge(row, e.kernel(), e.tuples(), e.maxRate()));
        }
        return out;
    }

    /**
     * The mean of a metric over the points whose first value is {@code x} and second {@code row} (any, for null),
     * the further axes averaged over; null when none of them ran.
     */
    public static Double meanAt(List<SweepStore.Aggregate> points, int metric, String x, String row) {
        double sum = 0;
        int n = 0;
        for (SweepStore.Aggregate a : points) {
            if (a.values().get(0).equals(x) && (row == null || a.values().get(1).equals(row)) && a.seeds() > 0) {
                sum += a.mean()[metric];
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }

    /**
     * Per value of the second axis (one row with one axis): the first value of the first axis, in axis order, whose
     * mean of the map metric is above the threshold, or null when none is.
     */
    public static Map<String, String> boundary(SweepPlan plan, List<SweepStore.Aggregate> points, int metric,
                                               double threshold) {
        Map<String, String> out = new LinkedHashMap<>();
        List<Axis> axes = plan.axes();
        List<String> rows = axes.size() >= 2 ? axes.get(1).values() : List.of("");
        for (String row : rows) {
            String first = null;
            for (String x : axes.get(0).values()) {
                Double mean = meanAt(points, metric, x, axes.size() < 2 ? null : row);
                if (mean != null && mean > threshold) {
                    first = x;
                    break;
                }
            }
            out.put(row, first);
        }
        return out;
    }
}
