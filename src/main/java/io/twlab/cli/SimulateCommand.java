package io.twlab.cli;

import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.report.Json;
import io.twlab.report.HtmlReport;
import io.twlab.report.RunSummary;
import io.twlab.store.ResultsStore;
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

    @Option(names = "--out", paramLabel = "DIR", description = "write the run into DIR: summary.json, series.csv, "
            + "results.duckdb (SQL), Parquet/CSV exports and report.html")
    Path out;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "write the HTML report here (default with --out: DIR/report.html)")
    Path report;

    @Option(names = "--connections", paramLabel = "WHICH", defaultValue = "auto",
            description = "per-request outcomes kept in the store: all, none, 1/N (every N-th request) or auto "
                    + "(all up to about 250,000 expected requests, else sampled down to that); default ${DEFAULT-VALUE}")
    String connections;

    @Option(names = "--export", paramLabel = "FORMATS", defaultValue = "parquet",
            description = "table exports written beside results.duckdb: parquet, csv, both (parquet,csv) or none; "
                    + "default ${DEFAULT-VALUE}")
    String export;

    @Option(names = "--json", description = "print one JSON object instead of the readable summary")
    boolean json;

    @Option(names = "--quiet", description = "print nothing on success (use with --out)")
    boolean quiet;

    @Option(names = "--capture", paramLabel = "A:B",
            description = "write the packets on the links between elements A and B to DIR/capture-A-B.pcap "
                    + "(needs --out; repeatable), e.g. --capture partner-nat:nginx")
    List<String> captures = new ArrayList<>();

    @Option(names = "--capture-format", paramLabel = "FORMAT", defaultValue = "pcap",
            description = "pcap: one classic pcap file per --capture; pcapng: all of them in DIR/capture.pcapng, one "
                    + "interface per capture point named A:B; default ${DEFAULT-VALUE}")
    String captureFormat;

    @Option(names = "--capture-port", paramLabel = "PORT", description = "capture only this TCP port (either side)")
    Integer capturePort;

    @Option(names = "--capture-host", paramLabel = "ADDRESS", description = "capture only this address (either side)")
    String captureHost;

    @Option(names = "--capture-window", paramLabel = "FROM..TO",
            description = "capture only in this simulated time window, e.g. 1h..1h5m")
    String captureWindow;

    @Option(names = "--counters", defaultValue = "nstat", paramLabel = "STYLE",
            description = "how the summary prints host counters: nstat (TcpExtPAWSEstab 12) or netstat "
                    + "(netstat -s lines); default ${DEFAULT-VALUE}")
    String counterStyle;

    @Option(names = "--replay-arrivals", paramLabel = "LABDIR",
            description = "open connections at the times a `twlab lab` run's clients did (LABDIR/lab-client-HOST.csv) "
                    + "instead of the workload's arrival process")
    Path replayArrivals;

    @Option(names = "--explain", paramLabel = "ENDPOINT",
            description = "print the story of the connections of HOST:PORT (an address or element name; PORT * for "
                    + "any), or of one 4-tuple A:P,B:Q: every packet sent, lost and received, with each element's "
                    + "verdict, the kernel function it follows and the state before and after")
    String explain;

    @Option(names = "--explain-first", paramLabel = "VERDICT",
            description = "run twice: find the first packet with this verdict (e.g. paws-reject, recycle-peer-ts, "
                    + "no-free-port), then tell the story of its 4-tuple from the start")
    String explainFirst;

    @Option(names = "--explain-limit", paramLabel = "N", defaultValue = "400",
            description = "lines of the story kept at most; default ${DEFAULT-VALUE}")
    int explainLimit;

    /** Checks every --capture A:B against the model, then attaches a pcap writer each, or one pcapng for all. */
    private void attachCaptures(io.twlab.model.Model model, io.twlab.trace.CaptureFilter filter,
                                List<AutoCloseable> writers, OutputDirectory dir) {
        List<String[]> points = new ArrayList<>();
        for (String c : captures) {
            String[] ends = c.split(":", -1);
            if (ends.length != 2 || model.linksBetween(ends[0], ends[1]).isEmpty()) {
                throw new UsageException("--capture " + c + ": expected A:B naming two linked elements of the "
                        + "scenario; elements: " + String.join(", ", model.elements().keySet()));
            }
            points.add(ends);
        }
        if (points.isEmpty()) {
            return;
        }
        if (captureFormat.equals("pcapng")) {
            List<String> names = points.stream().map(e -> e[0] + ":" + e[1]).toList();
            List<String> descriptions = points.stream().map(e -> "links between " + e[0] + " and " + e[1] + " ("
                    + model.linksBetween(e[0], e[1]).size() + ")").toList();
            io.twlab.trace.PcapngWriter w = new io.twlab.trace.PcapngWriter(dir.path("capture.pcapng"), filter,
                    names, descriptions);
            writers.add(w);
            for (int i = 0; i < points.size(); i++) {
                io.twlab.net.PacketObserver observer = w.capturePoint(i);
                model.linksBetween(points.get(i)[0], points.get(i)[1]).forEach(l -> l.setObserver(observer));
            }
            return;
        }
        for (String[] ends : points) {
            io.twlab.trace.PcapWriter w = new io.twlab.trace.PcapWriter(
                    dir.path("capture-" + ends[0] + "-" + ends[1] + ".pcap"), filter);
            writers.add(w);
            model.linksBetween(ends[0], ends[1]).forEach(l -> l.setObserver(w));
        }
    }

    /** 0 to keep no per-request rows, else keep one request in N. */
    private int connectionSampling(ScenarioSpec spec) {
        switch (connections) {
            case "none":
                return 0;
            case "all":
                return 1;
            case "auto": {
                double expected = 0;
                for (io.twlab.scenario.WorkloadSpec w : spec.workloads()) {
                    for (long t = w.startNs(); t < spec.durationNs(); t += io.twlab.engine.Simulator.NS_PER_SEC) {
                        expected += w.rate().rateAt(t);
                    }
                }
                return (int) Math.max(1, Math.ceil(expected / AUTO_CONNECTION_ROWS));
            }
            default:
                if (connections.matches("1/[1-9][0-9]{0,8}")) {
                    return Integer.parseInt(connections.substring(2));
                }
                throw new UsageException("--connections: expected all, none, auto or 1/N (e.g. 1/100); got '"
                        + connections + "'");
        }
    }

    private static final double AUTO_CONNECTION_ROWS = 250_000;

    /** {parquet, csv} as --export asks. */
    private boolean[] exportFormats() {
        boolean parquet = false;
        boolean csv = false;
        for (String f : export.split(",")) {
            switch (f.trim()) {
                case "parquet" -> parquet = true;
                case "csv" -> csv = true;
                case "none" -> { }
                default -> throw new UsageException("--export: expected parquet, csv, parquet,csv or none; got '"
                        + export + "'");
            }
        }
        return new boolean[]{parquet, csv};
    }

    private io.twlab.trace.CaptureFilter captureFilter() {
        int host = 0;
        if (captureHost != null) {
            long ip = io.twlab.net.Ipv4.parse(captureHost);
            if (ip < 0) {
                throw new UsageException("--capture-host: '" + captureHost + "' is not an IPv4 address");
            }
            host = (int) ip;
        }
        long from = 0;
        long to = Long.MAX_VALUE;
        if (captureWindow != null) {
            String[] w = captureWindow.split("\\.\\.", -1);
            from = w.length == 2 ? io.twlab.scenario.Units.duration(w[0]) : -1;
            to = w.length == 2 ? io.twlab.scenario.Units.duration(w[1]) : -1;
            if (from < 0 || to <= from) {
                throw new UsageException("--capture-window: expected FROM..TO durations, e.g. 1h..1h5m; got '"
                        + captureWindow + "'");
            }
        }
        if (capturePort != null && (capturePort < 1 || capturePort > 65535)) {
            throw new UsageException("--capture-port: expected 1-65535");
        }
        return new io.twlab.trace.CaptureFilter(capturePort == null ? 0 : capturePort, host, captureHost != null,
                from, to);
    }

    /**
     * What --explain or --explain-first asks for; --explain-first runs the scenario once to find the tuple (a run is
     * a pure function of scenario and seed, so the second run meets the same packet).
     */
    private ExplainRequest explainRequest(ScenarioSpec spec) {
        if (explain == null && explainFirst == null) {
            return null;
        }
        if (explain != null && explainFirst != null) {
            throw new UsageException("--explain and --explain-first: give one of them");
        }
        if (explainLimit < 1) {
            throw new UsageException("--explain-limit: expected a positive number of lines, got " + explainLimit);
        }
        if (explain != null) {
            return ExplainRequest.parse(explain, explainLimit);
        }
        io.twlab.net.Explainer finder = io.twlab.net.Explainer.findingFirst(explainFirst);
        Runner.run(spec, null, model -> attach(model, finder));
        int[] t = finder.foundTuple();
        if (t == null) {
            throw new UsageException("--explain-first " + explainFirst + ": no packet of this run ended in a verdict "
                    + "named so; verdicts: " + ExplainRequest.verdictNames());
        }
        return ExplainRequest.found(t, finder.foundAtNs(), explainLimit, "first " + explainFirst);
    }

    /** Every element of the model reports its verdicts to {@code e}. */
    private static void attach(io.twlab.model.Model model, io.twlab.net.Explainer e) {
        model.elements().values().forEach(nodes -> nodes.forEach(n -> n.setExplainer(e)));
    }

    @Override
    public Integer call() {
        if (!counterStyle.equals("nstat") && !counterStyle.equals("netstat")) {
            throw new UsageException("--counters: expected nstat or netstat, got '" + counterStyle + "'");
        }
        ScenarioSpec spec = ScenarioLoader.load(scenario, overrides);
        io.twlab.trace.CaptureFilter filter = captureFilter();
        if (!captures.isEmpty() && out == null) {
            throw new UsageException("--capture needs --out DIR for the pcap files");
        }
        int connectionSampling = out == null ? 0 : connectionSampling(spec);
        boolean[] formats = exportFormats();
        io.twlab.metrics.ConnectionLog connectionLog = connectionSampling > 0
                ? new io.twlab.metrics.ConnectionLog(connectionSampling) : null;
        if (!captureFormat.equals("pcap") && !captureFormat.equals("pcapng")) {
            throw new UsageException("--capture-format: expected pcap or pcapng, got '" + captureFormat + "'");
        }
        String reportInDir = null;
        if (report != null) {
            OutputFiles.checkWritableFile(report, "--report");
            if (out != null && report.toAbsolutePath().normalize().getParent().equals(out.toAbsolutePath().normalize())) {
                reportInDir = report.getFileName().toString();
                if (!reportInDir.endsWith(".html")) {
                    throw new UsageException("--report " + report + " is in --out " + out + " but is no .html file: it "
                            + "could overwrite the run's own files; name it e.g. report.html");
                }
            }
        }
        if (out == null) {
            return run(spec, filter, connectionLog, formats, null, null);
        }
        try (OutputDirectory dir = OutputDirectory.open(out, "simulate")) {
            return run(spec, filter, connectionLog, formats, dir, reportInDir);
        }
    }

    private static java.util.Map<String, long[]> readArrivals(Path dir) {
        try {
            return io.twlab.lab.LabArrivals.read(dir);
        } catch (io.twlab.lab.LabException e) {
            throw new UsageException("--replay-arrivals: " + e.getMessage());
        }
    }

    private int run(ScenarioSpec spec, io.twlab.trace.CaptureFilter filter, io.twlab.metrics.ConnectionLog connectionLog,
                    boolean[] formats, OutputDirectory dir, String reportInDir) {
        List<AutoCloseable> writers = new ArrayList<>();
        ExplainRequest explainRequest = explainRequest(spec);
        TerminalProgress progress = TerminalProgress.forRun(spec.durationNs(), quiet, json);
        io.twlab.net.Explainer[] explainer = {null};
        RunResult result;
        try {
            java.util.Map<String, long[]> replayed = replayArrivals == null ? null : readArrivals(replayArrivals);
            result = Runner.run(spec, progress, model -> {
                if (replayed != null) {
                    model.workloads().forEach(w -> w.replay(replayed));
                }
                if (explainRequest != null) {
                    explainer[0] = explainRequest.explainer(model);
                    attach(model, explainer[0]);
                }
                if (connectionLog != null) {
                    for (int w = 0; w < model.workloads().size(); w++) {
                        model.workloads().get(w).recordConnections(connectionLog, w);
                    }
                }
                attachCaptures(model, filter, writers, dir);
            });
        } finally {
            for (AutoCloseable w : writers) {
                try {
                    w.close();
                } catch (Exception e) {
                    throw new UsageException("cannot finish a capture file: " + e.getMessage());
                }
            }
        }
        if (progress != null) {
            progress.finish(out != null ? "writing " + out + " (store, exports, report)" : null);
        }
        List<io.twlab.report.Finding> findings = io.twlab.report.Findings.of(result);
        String jsonText = Json.write(RunSummary.toMap(result, findings));
        List<Path> written = new ArrayList<>();
        if (dir != null) {
            OutputFiles.write(dir.path("series.csv"), result.series().toCsv());
            OutputFiles.write(dir.path("summary.json"), jsonText);
            Path store = dir.path(ResultsStore.FILE_NAME);
            List<String> workloadNames = result.model().workloads().stream().map(w -> w.name()).toList();
            try {
                ResultsStore.write(store, new ResultsStore.Run(jsonText, result.series(), connectionLog, workloadNames));
                ResultsStore.export(store, dir.staging(), formats[0], formats[1]);
            } catch (java.io.IOException e) {
                throw new UsageException(e.getMessage());
            }
        }
        // The report goes with the run's files when it lives in DIR; a --report elsewhere is written at once.
        Path reportFile = reportInDir != null ? dir.path(reportInDir) : report != null ? report
                : dir != null ? dir.path("report.html") : null;
        if (reportFile != null) {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> summary = (java.util.Map<String, Object>) Json.parse(jsonText);
            OutputFiles.write(reportFile, HtmlReport.render(summary, result.series()));
            if (reportFile == report && reportInDir == null) {
                written.add(reportFile);
            }
        }
        if (dir != null) {
            written.addAll(0, dir.commit(OutputDirectory.runId(jsonText), "summary.json"));
        }
        if (progress != null) {
            progress.done();
        }
        if (json) {
            if (explainer[0] != null) {
                @SuppressWarnings("unchecked")
                java.util.Map<String, Object> printed = (java.util.Map<String, Object>) Json.parse(jsonText);
                printed.put("explain", ExplainRequest.toJson(explainer[0], explainRequest.subject()));
                System.out.print(Json.write(printed));
            } else {
                System.out.print(jsonText);
            }
        } else if (!quiet) {
            if (explainer[0] != null) {
                System.out.print(ExplainRequest.toText(explainer[0], explainRequest.subject()));
            }
            System.out.print(RunSummary.toText(result, findings, counterStyle.equals("netstat")));
            if (!written.isEmpty()) {
                System.out.println("Wrote " + String.join(", ", written.stream().map(Path::toString).toList()));
            }
        }
        return 0;
    }
}
