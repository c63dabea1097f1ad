package io.twlab.cli;

import io.twlab.report.Json;
import io.twlab.sweep.Axis;
import io.twlab.sweep.RunRow;
import io.twlab.sweep.Sweep;
import io.twlab.sweep.SweepException;
import io.twlab.sweep.SweepMetrics;
import io.twlab.sweep.SweepPlan;
import io.twlab.sweep.SweepReport;
import io.twlab.sweep.SweepStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run a scenario over a grid (or a Latin-hypercube sample) of values of its paths, several seeds "
                + "each, into DIR/sweep.duckdb and Parquet, with a phase diagram in DIR/sweep.html. Rerunning into "
                + "the same DIR skips the runs already stored.")
final class SweepCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "SCENARIO", description = "the scenario YAML (not with --report)")
    Path scenario;

    @Option(names = "--vary", paramLabel = "PATH=SPEC", description = "a varied path: a list (linux-3.10,linux-6.18), "
            + "a range with a step (400..1200/50, 10m..2h/10m) or a geometric range (10..10000*10); repeatable, the "
            + "first is the map's columns, the second its rows")
    List<String> vary = new ArrayList<>();

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "a fixed override for every run (repeatable)")
    List<String> sets = new ArrayList<>();

    @Option(names = "--seeds", defaultValue = "1", description = "seeds per point, 1..N (default 1)")
    int seeds;

    @Option(names = "--metrics", paramLabel = "LIST", description = "metrics to keep, comma-separated (default: all)")
    String metrics;

    @Option(names = "--map", defaultValue = "failureShare", paramLabel = "METRIC",
            description = "the metric of the phase diagram (default failureShare)")
    String mapMetric;

    @Option(names = "--threshold", defaultValue = "0", description = "the map's boundary: where the metric first "
            + "rises above this (default 0)")
    double threshold;

    @Option(names = "--sample", paramLabel = "N", description = "a seeded Latin-hypercube sample of N points instead "
            + "of the grid")
    Integer sample;

    @Option(names = "--sample-seed", defaultValue = "1", description = "seed of the sample (default 1)")
    long sampleSeed;

    @Option(names = "--threads", description = "runs at once (default: the cores)")
    Integer threads;

    @Option(names = "--engine", defaultValue = "local", description = "local (default): threads in this JVM; spark: "
            + "Spark, through twlab-spark.jar")
    String engine;

    @Option(names = "--yes", description = "run a grid of more than 1,000,000 points")
    boolean yes;

    @Option(names = "--out", paramLabel = "DIR", description = "where the store, the Parquet files and the page go")
    Path out;

    @Option(names = "--report", paramLabel = "DIR", description = "re-render DIR/sweep.html from DIR's store")
    Path report;

    @Option(names = "--json", description = "print the per-point aggregates as one JSON object")
    boolean json;

    @Option(names = "--quiet", description = "no progress and no summary")
    boolean quiet;

    private static final String META = "sweep.json";

    @Override
    public Integer call() throws Exception {
        if (report != null) {
            return rerender();
        }
        if (scenario == null || out == null || vary.isEmpty()) {
            throw new UsageException("sweep needs a SCENARIO, at least one --vary PATH=SPEC and --out DIR (or --report "
                    + "DIR to re-render)");
        }
        if (!Files.isRegularFile(scenario)) {
            throw new UsageException(scenario + ": no such scenario file");
        }
        List<Axis> axes = new ArrayList<>();
        for (String v : vary) {
            Axis a = Axis.parse(v);
            if (axes.stream().anyMatch(b -> b.path().equals(a.path()))) {
                throw new SweepException("--vary " + v, a.path() + " is varied twice");
            }
            axes.add(a);
        }
        List<String> chosen = SweepMetrics.select(metrics);
        if (!chosen.contains(mapMetric)) {
            throw new SweepException("--map " + mapMetric, SweepMetrics.ALL.containsKey(mapMetric)
                    ? "the map's metric must be among --metrics" : "no metric '" + mapMetric + "'; valid: "
                    + String.join(", ", SweepMetrics.ALL.keySet()));
        }
        SweepPlan plan = sample != null ? SweepPlan.latinHypercube(axes, sample, sampleSeed, seeds)
                : SweepPlan.grid(axes, seeds, yes);
        Sweep.Setup setup = new Sweep.Setup(scenario, List.copyOf(sets), plan, chosen, mapMetric, threshold);
        Sweep.validate(setup);
        OutputFiles.prepareDirectory(out);
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1) {
            throw new UsageException("--threads must be at least 1");
        }
        Sweep.Engine runner = engine(n);
        Progress progress = Progress.of(plan.runs(), quiet || json);
        Sweep.Outcome o = Sweep.run(setup, out, runner, progress::done);
        progress.finish();
        SweepReport.Meta meta = new SweepReport.Meta(scenario.toString(), o.hash(), List.copyOf(sets), plan, chosen,
                mapMetric, threshold, o.edges());
        OutputFiles.write(out.resolve(META), Json.write(metaMap(meta)) + "\n");
        OutputFiles.write(out.resolve("sweep.html"), SweepReport.html(meta, o.points()));
        if (json) {
            Map<String, Object> doc = SweepReport.toJson(meta, o.points());
            doc.put("ran", o.ran());
            doc.put("reused", o.reused());
            doc.put("failedRuns", o.failed());
            System.out.println(Json.write(doc));
        } else if (!quiet) {
            System.out.printf(Locale.ROOT, "%d points x %d seeds = %d runs: %d run now, %d already in the store, %d "
                            + "failed%n", plan.points().size(), plan.seeds().size(), plan.runs(), o.ran(), o.reused(),
                    o.failed());
            for (RunRow r : o.ordered()) {
                if (r.failed()) {
                    System.out.println("failed: " + String.join(", ", r.values()) + " seed " + r.seed() + ": "
                            + r.error());
                }
            }
            Map<String, String> b = Sweep.boundary(plan, o.points(), chosen.indexOf(mapMetric), threshold);
            b.forEach((row, x) -> System.out.printf(Locale.ROOT, "%s%s first above %s at %s = %s%n",
                    row.isEmpty() ? "" : axes.get(1).path() + "=" + row + ": ", mapMetric, threshold, axes.get(0).path(),
                    x == null ? "never" : x));
            for (Sweep.Edge e : o.edges()) {
                System.out.printf(Locale.ROOT, "%scapacity edge %.1f/s (%s, %,d 4-tuples)%n", e.rowValue().isEmpty()
                        ? "" : axes.get(1).path() + "=" + e.rowValue() + ": ", e.maxRate(), e.kernel(), e.tuples());
            }
            System.out.println("wrote " + out.resolve("sweep.html") + ", " + out.resolve(SweepStore.FILE_NAME)
                    + ", runs.parquet and points.parquet");
        }
        return 0;
    }

    /** local, or an engine a jar on the class path provides (twlab-spark.jar: spark). */
    private Sweep.Engine engine(int threads) {
        if (engine.equals("local")) {
            return Sweep.local(threads);
        }
        for (Sweep.EngineProvider p : java.util.ServiceLoader.load(Sweep.EngineProvider.class)) {
            if (p.name().equals(engine)) {
                return p.create(threads);
            }
        }
        throw new UsageException("--engine " + engine + ": not on the class path; the engines here: local"
                + (engine.equals("spark") ? ". The Spark engine is in spark/target/twlab-spark.jar: run "
                + "bin/twlab-spark sweep ... (local[*]) or spark-submit --class io.twlab.spark.SparkMain "
                + "twlab-spark.jar sweep ... (docs/sweep.md)" : ""));
    }

    private static Map<String, Object> metaMap(SweepReport.Meta meta) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("scenario", meta.scenario());
        m.put("scenarioHash", meta.hash());
        m.put("sets", meta.sets());
        List<Object> axes = new ArrayList<>();
        for (Axis a : meta.plan().axes()) {
            axes.add(Map.of("path", a.path(), "spec", a.spec(), "values", a.values(), "numeric", a.numeric()));
        }
        m.put("axes", axes);
        m.put("points", meta.plan().points().stream().map(SweepPlan.Point::values).toList());
        m.put("seeds", meta.plan().seeds());
        m.put("metrics", meta.metrics());
        m.put("map", meta.mapMetric());
        m.put("threshold", meta.threshold());
        m.put("edges", meta.edges().stream().map(e -> Map.of("row", e.rowValue(), "kernel", e.kernel(), "tuples",
                e.tuples(), "maxRate", e.maxRate())).toList());
        return m;
    }

    @SuppressWarnings("unchecked")
    private Integer rerender() throws Exception {
        Path metaFile = report.resolve(META);
        if (!Files.isRegularFile(metaFile) || !Files.isRegularFile(report.resolve(SweepStore.FILE_NAME))) {
            throw new UsageException("--report " + report + ": no sweep there (expected " + META + " and "
                    + SweepStore.FILE_NAME + " written by twlab sweep --out)");
        }
        Map<String, Object> m;
        try {
            m = (Map<String, Object>) Json.parse(Files.readString(metaFile));
        } catch (RuntimeException e) {
            throw new UsageException(metaFile + ": not a sweep description (" + e.getMessage() + "); rerun the sweep");
        }
        List<Axis> axes = new ArrayList<>();
        for (Object o : (List<Object>) m.get("axes")) {
            Map<String, Object> a = (Map<String, Object>) o;
            axes.add(new Axis((String) a.get("path"), (List<String>) a.get("values"), (Boolean) a.get("numeric"),
                    (String) a.get("spec")));
        }
        List<SweepPlan.Point> points = new ArrayList<>();
        for (Object o : (List<Object>) m.get("points")) {
            points.add(new SweepPlan.Point(points.size(), List.copyOf((List<String>) o)));
        }
        List<Long> seedList = ((List<Object>) m.get("seeds")).stream().map(x -> ((Number) x).longValue()).toList();
        SweepPlan plan = new SweepPlan(axes, points, seedList);
        List<String> chosen = (List<String>) m.get("metrics");
        List<Sweep.Edge> edges = new ArrayList<>();
        for (Object o : (List<Object>) m.get("edges")) {
            Map<String, Object> e = (Map<String, Object>) o;
            edges.add(new Sweep.Edge((String) e.get("row"), (String) e.get("kernel"), ((Number) e.get("tuples"))
                    .longValue(), ((Number) e.get("maxRate")).doubleValue()));
        }
        String hash = (String) m.get("scenarioHash");
        List<RunRow> ordered;
        try (SweepStore store = SweepStore.open(report, axes, chosen)) {
            ordered = Sweep.inPlanOrder(plan, store.rows(hash));
        }
        SweepReport.Meta meta = new SweepReport.Meta((String) m.get("scenario"), hash, (List<String>) m.get("sets"),
                plan, chosen, (String) m.get("map"), ((Number) m.get("threshold")).doubleValue(), edges);
        List<SweepStore.Aggregate> agg = Sweep.aggregate(plan, ordered, chosen.size());
        OutputFiles.write(report.resolve("sweep.html"), SweepReport.html(meta, agg));
        if (json) {
            System.out.println(Json.write(SweepReport.toJson(meta, agg)));
        } else if (!quiet) {
            System.out.println("wrote " + report.resolve("sweep.html"));
        }
        return 0;
    }

    /** Runs done of all, with an ETA, on stderr when it is a terminal. */
    private static final class Progress {
        private final int total;
        private final boolean show;
        private final long start = System.nanoTime();
        private int first = -1;
        private long last;

        private Progress(int total, boolean show) {
            this.total = total;
            this.show = show;
        }

        static Progress of(int total, boolean quietOrJson) {
            return new Progress(total, TerminalProgress.stderrIsTerminal() && !quietOrJson);
        }

        void done(int runs) {
            if (first < 0) {
                first = runs - 1;
            }
            long now = System.nanoTime();
            if (!show || (now - last < 200_000_000L && runs < total)) {
                return;
            }
            last = now;
            double elapsed = (now - start) / 1e9;
            int fresh = runs - first;
            double eta = fresh > 0 ? elapsed / fresh * (total - runs) : 0;
            int width = 30;
            int filled = (int) ((double) runs / total * width);
            System.err.printf(Locale.ROOT, "\r[%s%s] %d/%d runs  ETA %.0f s ", "#".repeat(filled),
                    " ".repeat(width - filled), runs, total, eta);
        }

        void finish() {
            if (show) {
                System.err.print("\r" + " ".repeat(70) + "\r");
            }
        }
    }
}
