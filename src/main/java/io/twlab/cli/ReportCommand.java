package io.twlab.cli;

import io.twlab.report.HtmlReport;
import io.twlab.report.Json;
import io.twlab.store.ResultsStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Render the HTML report of a stored run again, from RESULTS_DIR/results.duckdb, without "
                + "simulating.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RESULTS_DIR", description = "a directory written by `twlab simulate --out`")
    Path dir;

    @Option(names = "--report", paramLabel = "FILE.html", description = "where to write it (default RESULTS_DIR/report.html)")
    Path report;

    @Option(names = "--quiet", description = "print nothing on success")
    boolean quiet;

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) {
            throw new UsageException(dir + " is not a directory; give the DIR of `twlab simulate SCENARIO --out DIR`");
        }
        Path target = report != null ? report : dir.resolve("report.html");
        OutputFiles.checkWritableFile(target, "--report");
        ResultsStore.Run run;
        try {
            run = ResultsStore.read(dir.resolve(ResultsStore.FILE_NAME));
        } catch (IOException e) {
            throw new UsageException(e.getMessage());
        }
        checkOneRun(run.summaryJson());
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) Json.parse(run.summaryJson());
        OutputFiles.write(target, HtmlReport.render(summary, run.series()));
        if (!quiet) {
            System.out.println("Wrote " + target);
        }
        return 0;
    }

    /** The store, summary.json and the manifest must come from one run (the same run id), or the page would lie. */
    private void checkOneRun(String storedSummary) {
        String storeId = OutputDirectory.runId(storedSummary);
        Map<String, Object> manifest = OutputDirectory.manifest(dir);
        if (manifest != null && !storeId.equals(manifest.get("runId"))) {
            throw new UsageException(dir + " mixes two runs: " + ResultsStore.FILE_NAME + " is run " + storeId
                    + " but the directory's manifest names run " + manifest.get("runId") + "; run twlab simulate "
                    + "--out " + dir + " again");
        }
        Path summaryFile = dir.resolve("summary.json");
        if (Files.isRegularFile(summaryFile)) {
            try {
                String onDisk = Files.readString(summaryFile);
                if (!OutputDirectory.runId(onDisk).equals(storeId)) {
                    throw new UsageException(dir + " mixes two runs: summary.json (run " + OutputDirectory.runId(onDisk)
                            + ") is not the run in " + ResultsStore.FILE_NAME + " (run " + storeId + "); run twlab "
                            + "simulate --out " + dir + " again");
                }
            } catch (IOException e) {
                throw new UsageException("cannot read " + summaryFile + ": " + e.getMessage());
            }
        }
    }
}
