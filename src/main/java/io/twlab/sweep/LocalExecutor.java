package io.twlab.sweep;

import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.report.RunSummary;
import io.twlab.scenario.ScenarioException;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.scenario.ScenarioSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs a sweep's runs on a pool of threads in this JVM. Each run is a pure function of (scenario, overrides, seed),
 * so the threads share nothing but the scenario file; results are handed over as they finish, and the caller puts
 * them in plan order.
 */
public final class LocalExecutor {
    private LocalExecutor() {
    }

    /** One run: the scenario with the fixed {@code --set}s, the point's overrides and the seed. */
    public static RunRow run(Path scenario, List<String> sets, List<Axis> axes, SweepPlan.Point point, long seed,
                             List<String> metrics) {
        List<String> overrides = new ArrayList<>(sets);
        overrides.addAll(point.overrides(axes));
        overrides.add("seed=" + seed);
        try {
            ScenarioSpec spec = ScenarioLoader.load(scenario, overrides);
            RunResult r = Runner.run(spec, null);
            return new RunRow(point.values(), seed, SweepMetrics.of(RunSummary.toMap(r), metrics), null);
        } catch (ScenarioException e) {
            return new RunRow(point.values(), seed, null, e.render());
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            return new RunRow(point.values(), seed, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** A run to do: its point and seed. */
    public record Task(SweepPlan.Point point, long seed) {
    }

    /** Runs {@code tasks} on {@code threads} threads, giving each result to {@code done} on this thread. */
    public static void runAll(Path scenario, List<String> sets, List<Axis> axes, List<Task> tasks,
                              List<String> metrics, int threads, Consumer<RunRow> done) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "twlab-sweep");
            t.setDaemon(true);
            return t;
        });
        try {
            ExecutorCompletionService<RunRow> results = new ExecutorCompletionService<>(pool);
            for (Task t : tasks) {
                results.submit(() -> run(scenario, sets, axes, t.point(), t.seed(), metrics));
            }
            for (int i = 0; i < tasks.size(); i++) {
                Future<RunRow> f = results.take();
                done.accept(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sweep interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a sweep run failed outside its own error handling", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
