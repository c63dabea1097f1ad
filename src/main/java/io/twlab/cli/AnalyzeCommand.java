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
            throw new UsageException(capture + ": no such file; give a pcap or pcapng capture");
        }
        if (report != null) {
            OutputFiles.checkWritableFile(report, "--report");
        }
        Analysis analysis;
        try {
            analysis = Analysis.run(capture);
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
