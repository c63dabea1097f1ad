package io.twlab.spark;

import io.twlab.sweep.Axis;
import io.twlab.sweep.LocalExecutor;
import io.twlab.sweep.RunRow;
import io.twlab.sweep.Sweep;
import io.twlab.sweep.SweepPlan;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a sweep's runs on Spark: the run list becomes a Dataset of run numbers, one partition per run, and each
 * executor runs its run exactly as the local engine does (LocalExecutor.run: a pure function of scenario,
 * overrides and seed), so the rows are the same. Metrics travel back as the bits of their doubles. With no master
 * configured (not under spark-submit) it runs local[threads] in this JVM. The scenario path must be readable on
 * the executors (shared storage, or spark-submit --files).
 */
public final class SparkEngine implements Sweep.Engine {
    private final String master;

    public SparkEngine(String master) {
        this.master = master;
    }

    @Override
    public void runAll(Path scenario, List<String> sets, List<Axis> axes, List<LocalExecutor.Task> tasks,
                       List<String> metrics, Consumer<RunRow> done) {
        if (tasks.isEmpty()) {
            return;
        }
        SparkConf conf = new SparkConf().setAppName("twlab sweep").set("spark.ui.enabled", "false");
        if (!conf.contains("spark.master")) {
            conf.setMaster(master);
        }
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        String[] paths = axes.stream().map(Axis::path).toArray(String[]::new);
        String[][] values = new String[tasks.size()][];
        long[] seeds = new long[tasks.size()];
        List<Integer> runs = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            values[i] = tasks.get(i).point().values().toArray(new String[0]);
            seeds[i] = tasks.get(i).seed();
            runs.add(i);
        }
        Dataset<Integer> ds = spark.createDataset(runs, Encoders.INT()).repartition(tasks.size());
        List<String> results = ds.map(new RunOne(scenario.toString(), new ArrayList<>(sets), paths, values, seeds,
                new ArrayList<>(metrics)), Encoders.STRING()).collectAsList();
        for (String r : results) {
            int tab = r.indexOf('\t');
            int i = Integer.parseInt(r.substring(0, tab));
            String rest = r.substring(tab + 1);
            LocalExecutor.Task t = tasks.get(i);
            if (rest.startsWith("e:")) {
                done.accept(new RunRow(t.point().values(), t.seed(), null, rest.substring(2)));
            } else {
                String[] bits = rest.substring(2).split(",", -1);
                double[] m = new double[metrics.size()];
                for (int k = 0; k < m.length; k++) {
                    m[k] = Double.longBitsToDouble(Long.parseUnsignedLong(bits[k], 16));
                }
                done.accept(new RunRow(t.point().values(), t.seed(), m, null));
            }
        }
    }

    /** One run on an executor: everything it needs is plain serializable data. */
    static final class RunOne implements MapFunction<Integer, String> {
        private static final long serialVersionUID = 1L;
        private final String scenario;
        private final ArrayList<String> sets;
        private final String[] paths;
        private final String[][] values;
        private final long[] seeds;
        private final ArrayList<String> metrics;

        RunOne(String scenario, ArrayList<String> sets, String[] paths, String[][] values, long[] seeds,
               ArrayList<String> metrics) {
            this.scenario = scenario;
            this.sets = sets;
            this.paths = paths;
            this.values = values;
            this.seeds = seeds;
            this.metrics = metrics;
        }

        @Override
        public String call(Integer i) {
            List<Axis> axes = new ArrayList<>();
            for (String p : paths) {
                axes.add(new Axis(p, List.of(), false, ""));
            }
            RunRow r = LocalExecutor.run(Path.of(scenario), sets, axes, new SweepPlan.Point(i, List.of(values[i])),
                    seeds[i], metrics);
            if (r.error() != null) {
                return i + "\te:" + r.error();
            }
            StringBuilder sb = new StringBuilder().append(i).append("\tm:");
            for (int k = 0; k < r.metrics().length; k++) {
                sb.append(k == 0 ? "" : ",").append(Long.toHexString(Double.doubleToRawLongBits(r.metrics()[k])));
            }
            return sb.toString();
        }
    }
}
