package io.twlab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What `twlab simulate` prints and writes, on the flagship scenario in reduced form. */
class SimulateOutputTest {
    @TempDir
    Path dir;

    @Test
    void jsonHasTheDocumentedFieldsAndOutWritesTheSeries() throws IOException {
        Path out = dir.resolve("run");
        CliRun r = CliRun.of("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=700",
                "--set", "duration=150s", "--json", "--out", out.toString());
        assertThat(r.status()).isZero();
        String json = r.out();
        for (String field : List.of("\"attempts\": 105000", "\"failed\":", "\"connectMs\":", "\"p50\":", "\"p99\":",
                "\"max\":", "\"nginx\":", "\"counters\":", "\"PAWSEstab\":", "\"partner-nat\":")) {
            assertThat(json).contains(field);
        }
        List<String> csv = Files.readAllLines(out.resolve("series.csv"));
        // Header plus one row per simulated second: 150 rows.
        assertThat(csv).hasSize(151);
        assertThat(csv.get(0)).startsWith("time_s,offered_rate,attempts,successes,failed,")
                .contains("nginx.time_wait", "nginx.PAWSEstab", "partner-nat.mappings");
        assertThat(csv.get(1)).startsWith("1,700,700,");
        assertThat(Files.readString(out.resolve("summary.json"))).isEqualTo(json);
        // Ports come back after 63488 / 700 = 90.7 s, so no PAWS reject before second 91.
        int col = List.of(csv.get(0).split(",")).indexOf("nginx.PAWSEstab");
        long early = csv.subList(1, 91).stream().mapToLong(l -> Long.parseLong(l.split(",")[col])).sum();
        long late = csv.subList(91, 151).stream().mapToLong(l -> Long.parseLong(l.split(",")[col])).sum();
        assertThat(early).isZero();
        assertThat(late).isGreaterThan(100);
    }

    @Test
    void quietPrintsNothingAndTextSummaryNamesTheCounters() {
        CliRun quiet = CliRun.of("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "duration=5s", "--quiet");
        assertThat(quiet.status()).isZero();
        assertThat(quiet.out()).isEmpty();
        assertThat(quiet.err()).isEmpty();
        CliRun text = CliRun.of("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "duration=150s",
                "--set", "workloads.partner.rate=700");
        assertThat(text.out()).contains("Clients: 105,000 requests").contains("TcpExtPAWSEstab")
                .contains("Host nginx (linux-2.6.32, 30.1.1.1)");
        CliRun netstat = CliRun.of("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "duration=150s",
                "--set", "workloads.partner.rate=700", "--counters", "netstat");
        // Seed 000 quotes: "216576 packets rejects in established connections because of timestamp".
        assertThat(netstat.out()).containsPattern("\\n +[1-9][0-9]* packets rejects in established connections because of timestamp\\n");
        assertThat(CliRun.of("simulate", "scenarios/nat-paws-2.6.yaml", "--counters", "xml").status()).isEqualTo(2);
    }

    @Test
    void everyShippedScenarioLoadsAndRunsBriefly() throws IOException {
        try (var files = Files.list(Path.of("scenarios"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                CliRun r = CliRun.of("simulate", f.toString(), "--set", "duration=3s", "--json");
                assertThat(r.status()).as(f + ": " + r.err()).isZero();
                assertThat(r.out()).contains("\"attempts\"");
            }
        }
    }

    @Test
    void aRunInAnEarlierRunsDirectoryLeavesNoStaleExports() throws IOException {
        Path out = dir.resolve("again");
        assertThat(CliRun.of("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "duration=20s", "--quiet",
                "--out", out.toString(), "--export", "parquet,csv", "--connections", "all").status()).isZero();
        assertThat(out.resolve("connections.parquet")).exists();
        assertThat(out.resolve("counters.csv")).exists();
        // The second run keeps no per-request rows and exports nothing: the first run's files must not linger.
        assertThat(CliRun.of("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "duration=10s", "--quiet",
                "--out", out.toString(), "--export", "none", "--connections", "none").status()).isZero();
        try (java.util.stream.Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly(".twlab-manifest.json", ".twlab.lock", "report.html", "results.duckdb", "series.csv",
                            "summary.json");
        }
        // And the series is the new run's: 10 rows.
        assertThat(Files.readAllLines(out.resolve("series.csv"))).hasSize(11);
    }
}
