package io.twlab.cli;

import io.twlab.advise.Advice;
import io.twlab.advise.AdviceReport;
import io.twlab.advise.Fix;
import io.twlab.advise.Observed;
import io.twlab.advise.Role;
import io.twlab.advise.Simulation;
import io.twlab.advise.evidence.Bundle;
import io.twlab.report.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "advise", mixinStandardHelpOptions = true,
        description = "Read what twlab collect (or you) gathered on clients, NAT boxes, directors and servers; name "
                + "what is wrong with its evidence, write a calibrated scenario of the system, and rank simulated "
                + "fixes with their costs.")
final class AdviseCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "files or directories (a directory per host, "
            + "or files with twlab collect's header)")
    List<Path> inputs;

    @Option(names = "--role", paramLabel = "HOST=ROLE", description = "say what a host is: client, nat, director "
            + "or server (repeatable)")
    List<String> roles = new ArrayList<>();

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "seconds between two readings of the same counters when the files carry no collect header; "
                    + "default ${DEFAULT-VALUE}")
    double interval;

    @Option(names = "--out", paramLabel = "DIR", description = "write calibrated.yaml, advise.json, advise.html and "
            + "one folder per simulated fix into DIR")
    Path out;

    @Option(names = "--no-simulate", description = "only the findings and the calibrated scenario: no simulation")
    boolean noSimulate;

    @Option(names = "--json", description = "print one JSON object: hosts, findings, calibration, fixes")
    boolean json;

    @Option(names = "--quiet", description = "print nothing on success (use with --out)")
    boolean quiet;

    @Override
    public Integer call() {
        Map<String, Role> forced = new LinkedHashMap<>();
        for (String r : roles) {
            String[] kv = r.split("=", 2);
            Role role = kv.length == 2 ? Role.of(kv[1].trim()) : null;
            if (role == null || role == Role.UNKNOWN || kv[0].isBlank()) {
                throw new UsageException("--role " + r + ": expected HOST=ROLE with ROLE one of client, nat, "
                        + "director, server");
            }
            forced.put(kv[0].trim(), role);
        }
        if (interval <= 0) {
            throw new UsageException("--interval: expected a positive number of seconds, got " + interval);
        }
        if (out != null) {
            OutputFiles.prepareDirectory(out); // a bad --out is said before the work, not after
        }
        boolean tty = !quiet && !json && Boolean.parseBoolean(System.getProperty("twlab.stderrIsTerminal", "false"));
        Advice advice;
        try {
            Bundle bundle = Bundle.read(inputs, interval);
            if (bundle.hosts.isEmpty()) {
                throw new UsageException(String.join(", ", inputs.stream().map(Path::toString).toList())
                        + ": no file twlab can read (" + bundle.ignored.size() + " ignored); give the output of "
                        + "twlab collect or the files it names (twlab collect --script)");
            }
            Observed o = Observed.of(bundle, forced);
            advice = Advice.run(o, !noSimulate, step -> {
                if (tty) {
                    System.err.print("\r" + String.format("%-70s", step));
                }
            });
            if (tty) {
                System.err.print("\r" + " ".repeat(70) + "\r");
            }
        } catch (Bundle.BundleException e) {
            throw new UsageException(e.getMessage());
        }
        Map<String, Object> doc = AdviceReport.toMap(advice);
        String jsonText = Json.write(doc);
        List<Path> written = out == null ? List.of() : write(advice, jsonText);
        if (json) {
            System.out.print(jsonText);
        } else if (!quiet) {
            System.out.print(AdviceReport.toText(advice));
            if (!written.isEmpty()) {
                System.out.println("\nWrote " + written.size() + " files into " + out + ": calibrated.yaml, advise.json, "
                        + "advise.html" + (advice.fixes.isEmpty() ? "" : " and fixes/<id>/"));
            }
        }
        return 0;
    }

    /** DIR's files, staged and moved in together (advise.json last), so DIR never mixes two advices. */
    private List<Path> write(Advice advice, String jsonText) {
        try (OutputDirectory dir = OutputDirectory.open(out, "advise")) {
            OutputFiles.write(dir.path("calibrated.yaml"), advice.scenario.yaml);
            for (Fix f : advice.fixes) {
                String fixDir = "fixes/" + f.id() + "/";
                StringBuilder variant = new StringBuilder("# twlab advise: ").append(f.title()).append('\n');
                f.costs().forEach(c -> variant.append("# cost: ").append(c).append('\n'));
                variant.append("base: ../../calibrated.yaml\nname: ").append(f.id()).append("\nset:\n");
                f.sets().forEach(s -> variant.append("  - ").append(quoted(s)).append('\n'));
                OutputFiles.write(dir.path(fixDir + "scenario.yaml"), variant.toString());
                Simulation run = advice.fixRuns.get(f.id());
                OutputFiles.write(dir.path(fixDir + "summary.json"), Json.write(run.summary()));
                OutputFiles.write(dir.path(fixDir + "series.csv"), run.series().toCsv());
            }
            OutputFiles.write(dir.path("advise.html"), AdviceReport.toHtml(advice,
                    advice.calibration == null ? null : advice.calibration.runs.get(0).series()));
            OutputFiles.write(dir.path("advise.json"), jsonText);
            return dir.commit(OutputDirectory.runId(jsonText), "advise.json");
        }
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
