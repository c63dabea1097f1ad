package io.twlab.cli;

import io.twlab.analyzer.Analysis;
import io.twlab.analyzer.capture.CaptureFormatException;
import io.twlab.report.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Find PAWS rejects, tw_recycle drops, hosts sharing a NAT address, SYN stalls, port-reuse "
                + "pressure and RST storms in a pcap or pcapng capture (optionally gzip-compressed).")
final class AnalyzeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAPTURE", description = "pcap, pcapng, or either gzip-compressed")
    Path capture;

    @Option(names = "--json", description = "print one JSON object: packets, connections, warnings, findings, sources")
    boolean json;

    @Option(names = "--quiet", description = "print nothing but errors")
    boolean quiet;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "also write an HTML report: findings, evidence, timeline, TSval-vs-time per shared address")
    Path report;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(capture)) {
            throw new UsageException(capture + (Files.isDirectory(capture) ? " is a directory"
                    : Files.exists(capture) ? " is not a regular file" : ": no such file")
                    + "; give a pcap or pcapng capture file");
        }
        if (report != null) {
            OutputFiles.checkWritableFile(report, "--report");
        }
        Analysis analysis;
        boolean tty = !quiet && !json && Boolean.parseBoolean(System.getProperty("twlab.stderrIsTerminal", "false"));
        long size = capture.toFile().length();
        boolean gzip = capture.getFileName().toString().endsWith(".gz");
        long[] lastPrint = {System.nanoTime()};
        java.util.function.LongConsumer progress = !tty ? null : offset -> {
            long now = System.nanoTime();
            if (now - lastPrint[0] > 200_000_000L) {
                lastPrint[0] = now;
                // A gzip file's offsets are in the uncompressed stream: bytes read, no percentage.
                System.err.print(gzip ? String.format(java.util.Locale.ROOT, "\ranalyzing: %,d MB read ", offset >> 20)
                        : String.format(java.util.Locale.ROOT, "\ranalyzing: %5.1f%% of %,d MB ",
                        100.0 * offset / Math.max(1, size), size >> 20));
            }
        };
        try {
            analysis = Analysis.run(capture, progress);
            if (tty) {
                System.err.print("\r" + " ".repeat(40) + "\r");
            }
        } catch (CaptureFormatException e) {
            throw new UsageException(e.getMessage());
        } catch (IOException e) {
            throw new UsageException(capture + ": cannot read (" + e.getMessage() + ")");
        }
        if (report != null) {
            OutputFiles.write(report, io.twlab.analyzer.AnalysisReport.render(analysis));
        }
        if (json) {
            System.out.print(Json.write(analysis.toMap()));
        } else if (!quiet) {
            System.out.print(analysis.toText());
        }
        return 0;
    }
}
