package io.twlab.cli;

import io.twlab.engine.Simulator;
import io.twlab.kernel.Profiles;
import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.report.Json;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.scenario.ScenarioSpec;
import io.twlab.tcp.ReaperExperiment;
import io.twlab.tcp.TimeWaitTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure simulation speed (events/s, connections/s) and bytes per TIME_WAIT entry.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--scenario", defaultValue = "scenarios/nat-paws-2.6.yaml", description = "scenario to run")
    Path scenario;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "scenario override (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() {
        ScenarioSpec spec = ScenarioLoader.load(scenario, overrides);
        // Warm the JIT on a short run of the same scenario before measuring.
        List<String> warm = new ArrayList<>(overrides);
        warm.add("duration=120s");
        Runner.run(ScenarioLoader.load(scenario, warm), null);

        long t0 = System.nanoTime();
        RunResult r = Runner.run(spec, null);
        double wall = (System.nanoTime() - t0) / 1e9;
        long connections = r.model().clientStats().attempts();

        int entries = 1_000_000;
        long before = usedHeap();
        TimeWaitTable table = ReaperExperiment.fill(Profiles.get("linux-4.19"), entries);
        long after = usedHeap();
        double bytesPerEntry = (after - before) / (double) entries;
        if (table.count() != entries) {
            throw new IllegalStateException("TIME_WAIT fill failed");
        }

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", spec.name());
        m.put("simulatedSeconds", spec.durationNs() / (double) Simulator.NS_PER_SEC);
        m.put("wallSeconds", wall);
        m.put("events", r.events());
        m.put("eventsPerSecond", r.events() / wall);
        m.put("connections", connections);
        m.put("connectionsPerSecond", connections / wall);
        m.put("simulatedToWallRatio", spec.durationNs() / 1e9 / wall);
        m.put("timeWaitBytesPerEntryMeasured", bytesPerEntry);
        m.put("timeWaitBytesPerEntryArrays", TimeWaitTable.bytesPerEntry());
        if (json) {
            System.out.print(Json.write(m));
        } else {
            System.out.printf(Locale.ROOT, "%s: %.0f s simulated in %.2f s wall (%.0fx)%n", spec.name(),
                    spec.durationNs() / 1e9, wall, spec.durationNs() / 1e9 / wall);
            System.out.printf(Locale.ROOT, "  %,d events, %.2f M events/s%n", r.events(), r.events() / wall / 1e6);
            System.out.printf(Locale.ROOT, "  %,d connections, %,.0f connections/s%n", connections, connections / wall);
            System.out.printf(Locale.ROOT, "  TIME_WAIT entry: %.1f bytes measured on the heap (%d by array layout)%n",
                    bytesPerEntry, TimeWaitTable.bytesPerEntry());
        }
        return 0;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
