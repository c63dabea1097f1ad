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
        recorder.start();
        for (ClientWorkload w : model.workloads()) {
            w.start();
        }
        model.sim().runUntil(spec.durationNs(), progress);
        recorder.finish();
        return new RunResult(model, recorder.table(), model.sim().eventsProcessed());
    }
}
