package io.twlab.cli;

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
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run a scenario and print what clients, servers and NATs saw.")
final class SimulateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "scenario file (YAML)")
    Path scenario;

    @Option(names = "--set", paramLabel = "PATH=VALUE",
            description = "override a scenario value, e.g. --set workloads.partner.rate=590 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "write series.csv and summary.json into DIR")
    Path out;

    @Option(names = "--json", description = "print one JSON object instead of the readable summary")
    boolean json;

    @Option(names = "--quiet", description = "print nothing on success (use with --out)")
    boolean quiet;

    @Option(names = "--counters", defaultValue = "nstat", paramLabel = "STYLE",
            description = "how the summary prints host counters: nstat (TcpExtPAWSEstab 12) or netstat "
                    + "(netstat -s lines); default ${DEFAULT-VALUE}")
    String counterStyle;

    @Override
    public Integer call() {
        if (!counterStyle.equals("nstat") && !counterStyle.equals("netstat")) {
            throw new UsageException("--counters: expected nstat or netstat, got '" + counterStyle + "'");
        }
        ScenarioSpec spec = ScenarioLoader.load(scenario, overrides);
        if (out != null) {
            OutputFiles.prepareDirectory(out);
        }
        TerminalProgress progress = TerminalProgress.forRun(spec.durationNs(), quiet, json);
        RunResult result = Runner.run(spec, progress);
        if (progress != null) {
            progress.finish();
        }
        String jsonText = Json.write(RunSummary.toMap(result));
        if (out != null) {
            OutputFiles.write(out.resolve("series.csv"), result.series().toCsv());
            OutputFiles.write(out.resolve("summary.json"), jsonText);
        }
        if (json) {
            System.out.print(jsonText);
        } else if (!quiet) {
            System.out.print(RunSummary.toText(result, counterStyle.equals("netstat")));
            if (out != null) {
                System.out.println("Wrote " + out.resolve("series.csv") + " and " + out.resolve("summary.json"));
            }
        }
        return 0;
    }
}
