package io.twlab.cli;

import io.twlab.engine.HoldModel;
import io.twlab.engine.Simulator;
import io.twlab.kernel.Profiles;
import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.report.Json;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.scenario.ScenarioSpec;
import io.twlab.model.ReaperExperiment;
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
        description = "Measure simulation speed (events/s, connections/s, and the ratio to a bare hold-model heap "
                + "run at the same pending-event count in the same JVM) and bytes per TIME_WAIT entry; with "
                + "--capture, the analyzer's speed on that capture instead.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--scenario", defaultValue = "scenarios/nat-paws-2.6.yaml", description = "scenario to run")
    Path scenario;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "scenario override (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Option(names = "--capture", paramLabel = "FILE",
            description = "measure `twlab analyze` on this capture: headers only (read + decode) and the whole analysis")
    Path capture;

    @Override
    public Integer call() {
        if (capture != null) {
            return benchAnalyzer();
        }
        ScenarioSpec spec = ScenarioLoader.load(scenario, overrides);
        // Warm the JIT on a short run of the same scenario before measuring.
        List<String> warm = new ArrayList<>(overrides);
        warm.add("duration=120s");
        Runner.run(ScenarioLoader.load(scenario, warm), null);

        // Pending events sampled every million events (the progress hook), for the bare heap's size.
        io.twlab.model.Model[] model = new io.twlab.model.Model[1];
        long[] pendingSamples = new long[2];
        Simulator.ProgressListener sampler = (now, events) -> {
            pendingSamples[0] += model[0].sim().pendingEvents();
            pendingSamples[1]++;
        };
        long t0 = System.nanoTime();
        RunResult r = Runner.run(spec, sampler, m -> model[0] = m);
        double wall = (System.nanoTime() - t0) / 1e9;
        long connections = r.model().clientStats().attempts();
        double eventsPerSecond = r.events() / wall;

        // The bare hold-model heap at the run's mean pending count, the same number of events, in this JVM.
        int pending = (int) Math.max(1, Math.round(pendingSamples[1] == 0 ? model[0].sim().pendingEvents()
                : pendingSamples[0] / (double) pendingSamples[1]));
        HoldModel hold = new HoldModel(pending, spec.seed());
        hold.run(Math.min(r.events(), 5_000_000));
        long h0 = System.nanoTime();
        hold.run(r.events());
        double bareWall = (System.nanoTime() - h0) / 1e9;
        double bareEventsPerSecond = r.events() / bareWall;

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
        m.put("eventsPerSecond", eventsPerSecond);
        m.put("meanPendingEvents", pending);
        m.put("bareHeapEventsPerSecond", bareEventsPerSecond);
        m.put("ratioToBareHeap", eventsPerSecond / bareEventsPerSecond);
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
            System.out.printf(Locale.ROOT, "  %,d events, %.2f M events/s%n", r.events(), eventsPerSecond / 1e6);
            System.out.printf(Locale.ROOT, "  bare 4-ary hold-model heap at %,d pending events: %.2f M events/s; "
                    + "twlab at %.2fx of it%n", pending, bareEventsPerSecond / 1e6, eventsPerSecond / bareEventsPerSecond);
            System.out.printf(Locale.ROOT, "  %,d connections, %,.0f connections/s%n", connections, connections / wall);
            System.out.printf(Locale.ROOT, "  TIME_WAIT entry: %.1f bytes measured on the heap (%d by array layout)%n",
                    bytesPerEntry, TimeWaitTable.bytesPerEntry());
        }
        return 0;
    }

    /** Three passes of each kind, the first to warm the JIT; reports the faster of the other two. */
    private Integer benchAnalyzer() {
        long bytes;
        try {
            bytes = java.nio.file.Files.size(capture);
        } catch (java.io.IOException e) {
            throw new UsageException("--capture " + capture + ": " + e.getMessage());
        }
        double headersWall = Double.MAX_VALUE;
        double analysisWall = Double.MAX_VALUE;
        long packets = 0;
        try {
            for (int pass = 0; pass < 3; pass++) {
                long t0 = System.nanoTime();
                packets = io.twlab.analyzer.Analysis.scanHeaders(capture);
                double headers = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                io.twlab.analyzer.Analysis.run(capture);
                double analysis = (System.nanoTime() - t0) / 1e9;
                if (pass > 0) {
                    headersWall = Math.min(headersWall, headers);
                    analysisWall = Math.min(analysisWall, analysis);
                }
            }
        } catch (java.io.IOException | io.twlab.analyzer.capture.CaptureFormatException e) {
            throw new UsageException("--capture " + capture + ": " + e.getMessage());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("capture", capture.toString());
        m.put("bytes", bytes);
        m.put("packets", packets);
        m.put("headersSeconds", headersWall);
        m.put("headersPacketsPerSecond", packets / headersWall);
        m.put("headersMegabytesPerSecond", bytes / headersWall / 1e6);
        m.put("analysisSeconds", analysisWall);
        m.put("analysisPacketsPerSecond", packets / analysisWall);
        m.put("analysisMegabytesPerSecond", bytes / analysisWall / 1e6);
        if (json) {
            System.out.print(Json.write(m));
        } else {
            System.out.printf(Locale.ROOT, "%s: %,d packets, %,.0f MB%n", capture, packets, bytes / 1e6);
            System.out.printf(Locale.ROOT, "  headers (read + decode): %.2f s, %.2f M packets/s, %,.0f MB/s%n",
                    headersWall, packets / headersWall / 1e6, bytes / headersWall / 1e6);
            System.out.printf(Locale.ROOT, "  whole analysis:          %.2f s, %.2f M packets/s, %,.0f MB/s%n",
                    analysisWall, packets / analysisWall / 1e6, bytes / analysisWall / 1e6);
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
