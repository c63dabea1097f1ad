package io.twlab.cli;

import io.twlab.lab.LabComparison;
import io.twlab.lab.LabException;
import io.twlab.lab.LabPlan;
import io.twlab.lab.LabRun;
import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.report.Json;
import io.twlab.report.RunSummary;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.scenario.ScenarioSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Run a scenario on this machine's real kernel in network namespaces (clients -> nftables SNAT -> "
                + "servers, addresses in 198.18.0.0/15) and set it beside the simulation on the nearest kernel profile. "
                + "Needs root.")
final class LabCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", description = "scenario file (YAML)")
    Path scenario;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a scenario value (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "where to write lab.json, lab-series.csv, the "
            + "server-side capture and the simulation's outputs (default out/lab-NAME)")
    Path out;

    @Option(names = "--json", description = "print one JSON object: kernel, lab, simulation, simulationSeeds, comparison")
    boolean json;

    @Option(names = "--quiet", description = "print nothing on success")
    boolean quiet;

    @Option(names = "--sim-seeds", paramLabel = "N", description = "simulate the lab's arrivals on N seeds (the "
            + "scenario's and the N-1 after it) and compare the lab with their mean and range (default 5)")
    int simSeeds = 5;

    @Option(names = "--cleanup", description = "remove namespaces left by earlier lab runs (named twl-*) and exit")
    boolean cleanup;

    @Override
    public Integer call() {
        try {
            if (cleanup) {
                LabRun.requireRoot();
                int n = LabRun.removeNamespaces(LabRun.PREFIX);
                if (!quiet) {
                    System.out.println("Removed " + n + " lab namespace(s)");
                }
                return 0;
            }
            if (scenario == null) {
                throw new UsageException("lab: give a SCENARIO (or --cleanup)");
            }
            if (simSeeds < 1) {
                throw new UsageException("lab: --sim-seeds must be at least 1, got " + simSeeds);
            }
            ScenarioSpec spec = ScenarioLoader.load(scenario, overrides);
            LabPlan plan = LabRun.plan(spec);
            LabRun.requireRoot();
            Path target = out != null ? out : Path.of("out", "lab-" + spec.name());
            try (OutputDirectory od = OutputDirectory.open(target, "lab")) {
                return run(spec, plan, od, target);
            }
        } catch (LabException e) {
            throw new UsageException("lab: " + e.getMessage());
        }
    }

    /** The lab writes into {@code od}'s staging directory; its files move into DIR together once all is written. */
    private int run(ScenarioSpec spec, LabPlan plan, OutputDirectory od, Path target) {
        Path dir = od.staging();
        String release = System.getProperty("os.version");
        String profile = LabComparison.nearestProfile(release);
        int hz = LabComparison.runningHz();
        boolean tty = !quiet && !json && Boolean.parseBoolean(System.getProperty("twlab.stderrIsTerminal", "false"));
        Map<String, Object> lab = LabRun.run(plan, dir.toAbsolutePath(), step -> {
            if (tty) {
                System.err.println("lab: " + step);
            }
        });
        String seriesCsv = (String) lab.remove("seriesCsv");
        OutputFiles.write(dir.resolve("lab-series.csv"), seriesCsv);

        // The same scenario simulated with every kernel set to the running kernel's profile and HZ.
        List<String> simSets = new ArrayList<>(overrides);
        for (io.twlab.scenario.HostGroupSpec g : spec.hosts()) {
            simSets.add("hosts." + g.name() + ".kernel=" + profile);
            if (hz > 0) {
                simSets.add("hosts." + g.name() + ".hz=" + hz);
            }
        }
        for (io.twlab.scenario.NatSpec n : spec.nats()) {
            simSets.add("nats." + n.name() + ".kernel=" + profile);
            if (n.allocation() == io.twlab.nat.PortAllocation.LINUX && !overrides.stream().anyMatch(
                    o -> o.startsWith("nats." + n.name() + ".cpus="))) {
                // The router namespace's conntrack runs on every CPU of this machine: so does the simulated one's.
                simSets.add("nats." + n.name() + ".cpus=" + Runtime.getRuntime().availableProcessors());
            }
        }
        // The simulation replays the arrivals the lab's clients made, so the two differ only where the model does;
        // on several seeds, since the lab is one draw of the kernel's randomness and one seed one draw of the model's.
        Map<String, long[]> arrivals = io.twlab.lab.LabArrivals.read(dir);
        List<Map<String, Object>> simSummaries = new ArrayList<>();
        RunResult first = null;
        for (int i = 0; i < simSeeds; i++) {
            List<String> seedSets = new ArrayList<>(simSets);
            seedSets.add("seed=" + (spec.seed() + i));
            RunResult sim = Runner.run(ScenarioLoader.load(scenario, seedSets), null,
                    m -> m.workloads().forEach(w -> w.replay(arrivals)));
            @SuppressWarnings("unchecked")
            Map<String, Object> summary = (Map<String, Object>) Json.parse(Json.write(RunSummary.toMap(sim)));
            simSummaries.add(summary);
            if (i == 0) {
                first = sim;
            }
        }
        Map<String, Object> simSummary = simSummaries.get(0);
        OutputFiles.write(dir.resolve("simulation-summary.json"), Json.write(simSummary));
        OutputFiles.write(dir.resolve("simulation-series.csv"), first.series().toCsv());

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("scenario", spec.name());
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("release", release);
        kernel.put("hz", hz);
        kernel.put("profile", profile);
        doc.put("kernel", kernel);
        doc.put("lab", lab);
        doc.put("simulation", simSummary);
        doc.put("simulationSeeds", java.util.stream.LongStream.range(spec.seed(), spec.seed() + simSeeds).boxed()
                .toList());
        boolean paced = spec.workloads().stream().allMatch(w -> w.arrivals() != io.twlab.workload.Arrivals.POISSON);
        double seconds = spec.durationNs() / (double) io.twlab.engine.Simulator.NS_PER_SEC;
        List<Map<String, Object>> rows = LabComparison.compare(lab, simSummaries, seconds, paced,
                plan.scheduledConnects(seconds));
        doc.put("comparison", rows);
        String text = Json.write(doc);
        OutputFiles.write(dir.resolve("lab.json"), text);
        long[] labRejects = null;
        try {
            labRejects = io.twlab.analyzer.Analysis.run(dir.resolve("capture-server.pcap")).staleAckAnswersPerSecond();
        } catch (java.io.IOException | io.twlab.analyzer.capture.CaptureFormatException e) {
            // No readable capture (tcpdump missing or killed): the chart shows the simulation alone.
        }
        OutputFiles.write(dir.resolve("lab.html"), io.twlab.lab.LabReport.render(spec.name(), kernel, rows,
                (List<?>) lab.get("notes"), seriesCsv, labRejects, first.series()));
        od.commit(OutputDirectory.runId(text), "lab.json");
        if (json) {
            System.out.print(text);
        } else if (!quiet) {
            System.out.printf("Lab of %s on Linux %s (HZ %d) beside the simulation on %s, seeds %d-%d%n", spec.name(),
                    release, hz, profile, spec.seed(), spec.seed() + simSeeds - 1);
            System.out.print(LabComparison.table(rows));
            for (Object note : (List<?>) lab.get("notes")) {
                System.out.println("note: " + note);
            }
            System.out.println("Wrote " + target.resolve("lab.json") + ", lab.html, lab-series.csv, "
                    + "capture-server.pcap, simulation-summary.json, simulation-series.csv, bundle/");
        }
        return 0;
    }
}
