package io.twlab.analyzer.corpus;

import io.twlab.analyzer.Analysis;
import io.twlab.analyzer.AnalysisFinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The corpus read by Wireshark's tshark (bin/test installs it) beside twlab: tshark must find every checksum good
 * (the corpus writer is a faithful wire format), and its own flags must agree with the corpus' truth where they
 * measure the same thing: tcp.analysis.reused_ports marks each SYN on a tuple seen before, so on the PAWS case it
 * counts the reuses plus the re-sent SYN of each rejected attempt; tcp.analysis.zero_window leaves SYN-ACKs out, so
 * the SYNPROXY's zero-window SYN-ACKs get no flag. The table of both tools' answers goes to target/corpus-tshark.md (docs/analyze.md has it).
 */
class CorpusTsharkTest {
    @TempDir
    Path dir;

    /** Per flag, how many packets tshark set it on; "packets" and "badChecksum" too. */
    private static Map<String, Long> tshark(Path file) throws IOException, InterruptedException {
        List<String> cmd = List.of("tshark", "-n", "-r", file.toString(), "-o", "tcp.check_checksum:TRUE", "-o",
                "ip.check_checksum:TRUE", "-T", "fields", "-E", "separator=,", "-e", "tcp.checksum.status", "-e",
                "tcp.analysis.reused_ports", "-e", "tcp.analysis.retransmission", "-e", "tcp.analysis.zero_window",
                "-e", "tcp.analysis.zero_window_probe", "-e", "tcp.analysis.duplicate_ack");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("tshark on " + file).isZero();
        String[] names = {"checksum", "reused_ports", "retransmission", "zero_window", "zero_window_probe",
                "duplicate_ack"};
        Map<String, Long> counts = new TreeMap<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            counts.merge("packets", 1L, Long::sum);
            String[] f = line.split(",", -1);
            if (!f[0].equals("1")) {
                counts.merge("badChecksum", 1L, Long::sum);
            }
            for (int i = 1; i < names.length && i < f.length; i++) {
                if (!f[i].isEmpty()) {
                    counts.merge(names[i], 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    @Test
    void tsharkReadsEveryCorpusCaptureAndAgreesWhereItMeasuresTheSameThing() throws Exception {
        List<String> rows = new ArrayList<>();
        for (Corpus.Case c : Corpus.all()) {
            Path file = dir.resolve(c.name() + "." + c.extension());
            Files.write(file, c.bytes());
            Map<String, Long> t = tshark(file);
            Analysis a = Analysis.run(file);
            assertThat(t.get("packets")).as("packets of %s", c.name()).isEqualTo(a.packets());
            assertThat(t.getOrDefault("badChecksum", 0L)).as("bad checksums in %s", c.name()).isZero();
            long reused = t.getOrDefault("reused_ports", 0L);
            switch (c.name()) {
                case "paws" -> {
                    long reuses = ((Number) c.truth().figures().get("reuses")).longValue();
                    long rejects = c.truth().kinds().get("paws-timewait-reject");
                    // Every reuse SYN, plus the SYN re-sent after resetting each PAWS reject's stale ACK.
                    assertThat(reused).isEqualTo(reuses + rejects);
                }
                // Wireshark leaves SYN segments out of its zero-window analysis: the SYNPROXY's closed window is
                // invisible to it.
                case "synproxy-zero-window" -> assertThat(t.getOrDefault("zero_window", 0L)).isZero();
                default -> {
                    if (c.name().startsWith("hosts-") || c.name().equals("clean")) {
                        assertThat(reused).as("no tuple is reused in %s", c.name()).isZero();
                    }
                }
            }
            StringBuilder found = new StringBuilder();
            for (AnalysisFinding f : a.findings()) {
                found.append(found.length() == 0 ? "" : ", ").append(f.kind()).append(' ').append(f.count());
            }
            rows.add(String.format("| %s | %,d | %,d | %,d | %,d | %s |", c.name(), reused,
                    t.getOrDefault("retransmission", 0L), t.getOrDefault("zero_window", 0L),
                    t.getOrDefault("duplicate_ack", 0L), found.length() == 0 ? "none" : found));
        }
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("corpus-tshark.md"), "| case | tshark reused_ports | retransmission | "
                    + "zero_window | duplicate_ack | twlab findings |\n|---|---|---|---|---|---|\n"
                    + String.join("\n", rows) + "\n");
        }
    }
}
