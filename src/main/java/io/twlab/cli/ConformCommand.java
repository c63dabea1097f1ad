package io.twlab.cli;

import io.twlab.conform.Script;
import io.twlab.conform.ScriptException;
import io.twlab.conform.ScriptParser;
import io.twlab.conform.ScriptRunner;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.report.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "conform", mixinStandardHelpOptions = true,
        description = "Run packetdrill-style scripts against one simulated host per kernel profile and report each "
                + "failed expectation with its script line. Without --kernel a script runs on every profile and must "
                + "pass exactly on those its // kernels: line names. Exit 1 when any result differs from that.")
final class ConformCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SCRIPT", arity = "1..*", description = "scripts (.pkt) or directories of them")
    List<Path> scripts;

    @Option(names = "--kernel", paramLabel = "K", description = "run on this profile only, and expect a pass")
    String kernel;

    @Option(names = "--tolerance-ms", paramLabel = "MS", defaultValue = "4",
            description = "how far an outbound segment may be from its time; default ${DEFAULT-VALUE} (packetdrill's)")
    double toleranceMs;

    @Option(names = "--json", description = "print one JSON object with every result")
    boolean json;

    @Option(names = "--quiet", description = "print only what went against the expectation")
    boolean quiet;

    @Override
    public Integer call() {
        List<KernelProfile> kernels = new ArrayList<>();
        if (kernel != null) {
            KernelProfile p = Profiles.get(kernel);
            if (p == null) {
                throw new UsageException("--kernel " + kernel + ": unknown profile; profiles: "
                        + String.join(", ", Profiles.names()));
            }
            kernels.add(p);
        } else {
            Profiles.names().forEach(n -> kernels.add(Profiles.get(n)));
        }
        if (toleranceMs < 0) {
            throw new UsageException("--tolerance-ms: expected 0 or more");
        }
        long tolerance = Math.round(toleranceMs * Simulator.NS_PER_MS);
        List<Script> parsed = new ArrayList<>();
        for (Path f : files()) {
            try {
                parsed.add(ScriptParser.parse(f.toString(), Files.readString(f, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UsageException("cannot read " + f + ": " + e.getMessage());
            } catch (ScriptException e) {
                throw new UsageException(e.getMessage());
            }
        }
        for (Script s : parsed) {
            for (String named : s.passesOn()) {
                if (Profiles.get(named) == null) {
                    throw new UsageException(s.file() + ": // kernels: names unknown profile " + named
                            + "; profiles: " + String.join(", ", Profiles.names()));
                }
            }
        }
        int unexpected = 0;
        List<Object> results = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Script s : parsed) {
            for (KernelProfile k : kernels) {
                ScriptRunner.Result r = ScriptRunner.run(s, k, tolerance);
                boolean expectPass = kernel != null || s.passesOn().isEmpty() || s.passesOn().contains(k.name());
                boolean asExpected = r.passed() == expectPass;
                if (!asExpected) {
                    unexpected++;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("script", s.file());
                m.put("kernel", k.name());
                m.put("passed", r.passed());
                m.put("expected", expectPass ? "pass" : "differ");
                m.put("asExpected", asExpected);
                m.put("failures", r.failures().stream().map(f -> f.text(s.file())).toList());
                results.add(m);
                if (!quiet || !asExpected) {
                    text.append(String.format("%-8s %-18s %s%s%n", asExpected ? (r.passed() ? "pass" : "differs")
                                    : (r.passed() ? "PASSED?" : "FAIL"), k.name(), s.file(),
                            !r.passed() && !expectPass && !s.differs().isEmpty() ? "  (" + s.differs() + ")" : ""));
                    if (!r.passed() && (!asExpected || kernel != null)) {
                        r.failures().forEach(f -> text.append("    ").append(f.text(s.file())).append('\n'));
                    }
                    if (r.passed() && !expectPass) {
                        text.append("    passes on ").append(k.name()).append(" although // kernels: names only ")
                                .append(String.join(" ", s.passesOn())).append('\n');
                    }
                }
            }
        }
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("results", results);
            root.put("unexpected", unexpected);
            System.out.print(Json.write(root));
        } else {
            text.append(String.format("%d scripts x %d profiles: %d results against the expectation%n", parsed.size(),
                    kernels.size(), unexpected));
            System.out.print(text);
        }
        return unexpected == 0 ? 0 : 1;
    }

    private List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (Path p : scripts) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.toString().endsWith(".pkt")).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UsageException("cannot list " + p + ": " + e.getMessage());
                }
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else {
                throw new UsageException(p + ": no such script or directory");
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("no .pkt scripts in " + scripts);
        }
        return out;
    }
}
