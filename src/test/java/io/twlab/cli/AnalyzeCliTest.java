package io.twlab.cli;

import io.twlab.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** `twlab analyze` on the command line: output forms, damaged input, exit statuses. */
class AnalyzeCliTest {
    @TempDir
    Path dir;

    private Path capture() {
        Path out = dir.resolve("run");
        // 3000 ports at 200 conn/s: ports back every 15 s, into nginx's TIME_WAIT.
        assertThat(CliRun.of("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=200",
                "--set", "duration=30s", "--set", "nats.partner-nat.ports=2048-5047", "--out", out.toString(),
                "--capture", "partner-nat:nginx", "--quiet", "--export", "none").status()).isZero();
        return out.resolve("capture-partner-nat-nginx.pcap");
    }

    @Test
    void jsonHasTheDocumentedShapeAndTextPutsTheWorstFirst() throws Exception {
        Path pcap = capture();
        CliRun json = CliRun.of("analyze", pcap.toString(), "--json");
        assertThat(json.status()).isZero();
        assertThat(json.err()).isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) Json.parse(json.out());
        assertThat(m).containsKeys("packets", "connections", "warnings", "findings", "sources");
        List<?> findings = (List<?>) m.get("findings");
        assertThat(findings).isNotEmpty();
        for (Object o : findings) {
            assertThat(((Map<?, ?>) o).keySet().stream().map(String::valueOf).toList()).contains("kind", "count", "severity", "evidence", "text");
        }
        // Most severe first.
        assertThat(((Map<?, ?>) findings.get(0)).get("severity")).isEqualTo("critical");
        CliRun text = CliRun.of("analyze", pcap.toString());
        assertThat(text.status()).isZero();
        assertThat(text.out()).contains("[critical] paws-timewait-reject:").contains("e.g. packets [");
        assertThat(text.out().indexOf("[critical]")).isLessThan(text.out().indexOf("[warning]"));
    }

    @Test
    void aDamagedCaptureIsAnalyzedUpToTheDamageWithAWarning() throws Exception {
        Path pcap = capture();
        byte[] all = Files.readAllBytes(pcap);
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2 + 7));
        CliRun r = CliRun.of("analyze", cut.toString(), "--json");
        assertThat(r.status()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) Json.parse(r.out());
        List<?> warnings = (List<?>) m.get("warnings");
        assertThat(warnings).hasSize(1);
        Map<?, ?> w = (Map<?, ?>) warnings.get(0);
        assertThat(((Number) w.get("byteOffset")).longValue()).isLessThanOrEqualTo(all.length / 2 + 7);
        assertThat(((Number) w.get("packet")).longValue()).isPositive();
        assertThat(((Map<?, ?>) m.get("packets")).get("total")).isEqualTo(((Number) w.get("packet")).longValue() - 1);
        CliRun text = CliRun.of("analyze", cut.toString());
        assertThat(text.out()).contains("warning: packet ").contains("byte offset");
    }

    @Test
    void whatCannotBeReadAtAllExitsWithStatus2() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        CliRun r = CliRun.of("analyze", notes.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("notes.txt").contains("byte offset 0")
                .doesNotContain("Exception");
        CliRun missing = CliRun.of("analyze", dir.resolve("nope.pcap").toString());
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
    }
}
