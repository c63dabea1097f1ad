package io.twlab.store;

import io.twlab.cli.CliRunner;
import io.twlab.report.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DuckDB store of a run holds the same numbers as the --json summary. Scenario: seed 000 at a constant
 * 700 conn/s for 150 s, so source ports come back after 63488 / 700 = 90.7 s, inside the 97.5-112.5 s a loaded
 * 2.6.32 TIME_WAIT lives, and PAWS rejects SYNs from second 91 on.
 */
class ResultsStoreTest {
    @TempDir
    static Path dir;
    static Path out;
    static Map<String, Object> json;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void simulate() throws Exception {
        out = dir.resolve("run");
        assertThat(CliRunner.run("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=700",
                "--set", "duration=150s", "--connections", "all", "--export", "parquet,csv", "--quiet",
                "--out", out.toString())).isZero();
        json = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
    }

    static Connection db() throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("duckdb.read_only", "true");
        return DriverManager.getConnection("jdbc:duckdb:" + out.resolve("results.duckdb").toAbsolutePath(), p);
    }

    static long queryLong(String sql) throws SQLException {
        try (Connection c = db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getLong(1);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    static long jsonLong(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }

    @Test
    void totalsEqualTheJsonSummary() throws SQLException {
        Map<String, Object> clients = map(json.get("clients"));
        // 150 s x 700 conn/s = 105,000 requests.
        assertThat(jsonLong(clients, "attempts")).isEqualTo(105_000);
        assertThat(queryLong("SELECT attempts FROM run")).isEqualTo(jsonLong(clients, "attempts"));
        assertThat(queryLong("SELECT successes FROM run")).isEqualTo(jsonLong(clients, "successes"));
        assertThat(queryLong("SELECT failed FROM run")).isEqualTo(jsonLong(clients, "failed"));
        assertThat(queryLong("SELECT failed_connect_timeout FROM run"))
                .isEqualTo(jsonLong(map(clients.get("failures")), "connect-timeout"));
        // The per-second series adds up to the same totals (every request started and ended inside the 150 rows).
        assertThat(queryLong("SELECT count(*) FROM series")).isEqualTo(150);
        assertThat(queryLong("SELECT sum(attempts)::BIGINT FROM series")).isEqualTo(jsonLong(clients, "attempts"));
        assertThat(queryLong("SELECT sum(successes)::BIGINT FROM series")).isEqualTo(jsonLong(clients, "successes"));
        assertThat(queryLong("SELECT sum(failed)::BIGINT FROM series")).isEqualTo(jsonLong(clients, "failed"));
        assertThat(jsonLong(clients, "failed")).isPositive();
    }

    @Test
    void countersAndTimeWaitPeakMatchPerHost() throws SQLException {
        Map<String, Object> nginx = map(map(json.get("hosts")).get("nginx"));
        long paws = jsonLong(map(nginx.get("counters")), "PAWSEstab");
        assertThat(paws).isPositive();
        assertThat(queryLong("SELECT value FROM counters WHERE host = 'nginx' AND nstat_name = 'TcpExtPAWSEstab'"))
                .isEqualTo(paws);
        assertThat(queryLong("SELECT sum(\"nginx.PAWSEstab\")::BIGINT FROM series")).isEqualTo(paws);
        // The long view splits "nginx.time_wait" into element nginx, metric time_wait.
        assertThat(queryLong("SELECT max(value)::BIGINT FROM series_long WHERE element = 'nginx' AND metric = 'time_wait'"))
                .isEqualTo(jsonLong(map(nginx.get("timeWait")), "peak"));
        assertThat(queryLong("SELECT count(*) FROM series_long WHERE element = 'clients' AND metric = 'successes'"))
                .isEqualTo(150);
    }

    @Test
    void connectionsHoldEveryFinishedRequest() throws SQLException {
        Map<String, Object> clients = map(json.get("clients"));
        long finished = jsonLong(clients, "successes") + jsonLong(clients, "failed");
        assertThat(queryLong("SELECT count(*) FROM connections")).isEqualTo(finished);
        assertThat(queryLong("SELECT count(*) FROM connections WHERE outcome = 'ok'"))
                .isEqualTo(jsonLong(clients, "successes"));
        // A request that failed on its connect timeout has no connect latency; every success has one.
        assertThat(queryLong("SELECT count(*) FROM connections WHERE outcome = 'ok' AND connect_ms IS NULL")).isZero();
        assertThat(queryLong("SELECT count(*) FROM connections WHERE outcome = 'connect-timeout' AND connect_ms IS NOT NULL"))
                .isZero();
        // The first failure cannot come before ports wrap at 63488 / 700 = 90.7 s.
        assertThat(queryLong("SELECT floor(min(start_s))::BIGINT FROM connections WHERE outcome <> 'ok'"))
                .isGreaterThanOrEqualTo(90);
    }

    @Test
    void findingsAndExportsAgree() throws SQLException {
        List<?> findings = (List<?>) json.get("findings");
        assertThat(queryLong("SELECT count(*) FROM findings")).isEqualTo(findings.size());
        assertThat(queryLong("SELECT count FROM findings WHERE kind = 'paws-timewait-reject'"))
                .isEqualTo(jsonLong(map(map(map(json.get("hosts")).get("nginx")).get("counters")), "PAWSEstab"));
        for (String table : List.of("series", "counters", "findings", "connections")) {
            assertThat(out.resolve(table + ".parquet")).exists();
            assertThat(queryLong("SELECT count(*) FROM read_parquet('" + out.resolve(table + ".parquet") + "')"))
                    .isEqualTo(queryLong("SELECT count(*) FROM " + table));
        }
        for (String table : List.of("counters", "findings", "connections")) {
            assertThat(queryLong("SELECT count(*) FROM read_csv('" + out.resolve(table + ".csv") + "')"))
                    .isEqualTo(queryLong("SELECT count(*) FROM " + table));
        }
        assertThat(out.resolve("series.csv.tmp")).doesNotExist();
        assertThat(out.resolve("results.duckdb.tmp")).doesNotExist();
    }

    @Test
    void readBackGivesTheSameSeries() throws Exception {
        ResultsStore.Run run = ResultsStore.read(out.resolve("results.duckdb"));
        assertThat(run.summaryJson()).isEqualTo(Files.readString(out.resolve("summary.json")));
        assertThat(run.series().toCsv()).isEqualTo(Files.readString(out.resolve("series.csv")));
    }

    @Test
    void theQueriesInTheDocsRunAndAnswer() throws Exception {
        String doc = Files.readString(Path.of("docs/results.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```sql\\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(doc);
        int queries = 0;
        try (Connection c = db(); Statement st = c.createStatement()) {
            while (m.find()) {
                for (String sql : m.group(1).split(";")) {
                    String q = sql.replaceAll("--[^\\n]*", "").strip();
                    if (q.isEmpty()) {
                        continue;
                    }
                    try (ResultSet rs = st.executeQuery(q)) {
                        assertThat(rs.next()).as(q).isTrue();
                    }
                    queries++;
                }
            }
        }
        // errors per minute, latency per server, TIME_WAIT peak, and the two total checks.
        assertThat(queries).isEqualTo(5);
    }
}
