package io.twlab.model;

import io.twlab.engine.Simulator;
import io.twlab.scenario.ScenarioSpec;
import io.twlab.workload.ClientWorkload;

/** Runs a scenario: a pure function of the scenario (which carries its seed). */
public final class Runner {
    private Runner() {
    }

    public static RunResult run(ScenarioSpec spec, Simulator.ProgressListener progress) {
        return run(spec, progress, model -> { });
    }

    /** Runs with {@code beforeStart} applied to the built model first (e.g. to attach packet captures). */
    public static RunResult run(ScenarioSpec spec, Simulator.ProgressListener progress,
                                java.util.function.Consumer<Model> beforeStart) {
        Model model = ModelBuilder.build(spec);
        beforeStart.accept(model);
        SeriesRecorder recorder = new SeriesRecorder(model);
        requireMemoryFor(recorder, spec);
        recorder.start();
        for (ClientWorkload w : model.workloads()) {
            w.start();
        }
        model.sim().runUntil(spec.durationNs(), progress);
        recorder.finish();
        return new RunResult(model, recorder.table(), model.sim().eventsProcessed());
    }

    /** The share of the heap the per-second series may take; the model and its tables need the rest. */
    private static final double SERIES_HEAP_SHARE = 0.5;

    /** The per-second series grows with the duration: one row of doubles per simulated second. */
    private static void requireMemoryFor(SeriesRecorder recorder, ScenarioSpec spec) {
        long seconds = (spec.durationNs() + Simulator.NS_PER_SEC - 1) / Simulator.NS_PER_SEC;
        long rowBytes = 16 + 8L * recorder.table().columns().size() + 8; // array header, values, list slot
        double bytes = (double) seconds * rowBytes;
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap * SERIES_HEAP_SHARE) {
            long maxSeconds = (long) (heap * SERIES_HEAP_SHARE / rowBytes);
            throw new ResourceLimitException(String.format(java.util.Locale.ROOT, "%s: %,d simulated seconds keep a "
                            + "series row each (%d columns): about %,d MB, more than half of this JVM's %,d MB heap",
                    spec.name(), seconds, recorder.table().columns().size(), (long) bytes >> 20, heap >> 20),
                    String.format(java.util.Locale.ROOT, "shorten the duration to at most %,d s (%.1f days) here, or "
                            + "give the JVM more heap, e.g. JAVA_TOOL_OPTIONS=-Xmx%dg", maxSeconds, maxSeconds / 86400.0,
                            Math.max(2, (long) Math.ceil(bytes / SERIES_HEAP_SHARE / (1L << 30)) + 1)));
        }
    }
}
