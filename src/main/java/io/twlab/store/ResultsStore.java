package io.twlab.store;

import io.twlab.metrics.ConnectionLog;
import io.twlab.metrics.SeriesTable;
import io.twlab.net.Ipv4;
import io.twlab.report.Json;
import io.twlab.metrics.FailureCause;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run kept as a DuckDB database that users query with SQL: the summary, the per-second series (wide, and as a
 * long view), host counters, the findings and, when recorded, per-request outcomes. {@code twlab report} reads a
 * run back from it. Tables are documented in docs/results.md.
 */
public final class ResultsStore {
    public static final String FILE_NAME = "results.duckdb";
    /** Tables that {@link #export} writes as files. */
    private static final List<String> EXPORTED = List.of("series", "counters", "findings", "connections");

    private ResultsStore() {
    }

    /** What a stored run holds. {@code connections} and its workload names may be null/empty. */
    public record Run(String summaryJson, SeriesTable series, ConnectionLog connections, List<String> workloadNames) {
    }

    /**
     * Writes {@code run} to {@code file}, replacing it only once the new database is complete (written beside it,
     * then moved), so a failure leaves any earlier store intact.
     */
    public static void write(Path file, Run run) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".wal"));
        try (Connection c = open(tmp, false); Statement st = c.createStatement()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> summary = (Map<String, Object>) Json.parse(run.summaryJson());
            writeRun(c, st, summary, run.summaryJson());
            writeElements(c, st, summary);
            writeCounters(c, st, summary);
            writeFindings(c, st, summary);
            writeSeries(c, st, run.series());
            writeConnections(c, st, run.connections(), run.workloadNames());
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The summary JSON and series of a stored run. */
    public static Run read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist; a results directory holds " + FILE_NAME
                    + " after `twlab simulate ... --out DIR`");
        }
        try (Connection c = open(file, true); Statement st = c.createStatement()) {
            String summary;
            try (ResultSet rs = st.executeQuery("SELECT summary_json FROM run")) {
                if (!rs.next()) {
                    throw new IOException(file + ": the run table is empty");
                }
                summary = rs.getString(1);
            }
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT column_name FROM information_schema.columns "
                    + "WHERE table_name = 'series' ORDER BY ordinal_position")) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
            SeriesTable series = new SeriesTable(columns);
            try (ResultSet rs = st.executeQuery("SELECT * FROM series ORDER BY time_s")) {
                double[] row = new double[columns.size()];
                while (rs.next()) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] = rs.getDouble(i + 1);
                    }
                    series.add(row);
                }
            }
            return new Run(summary, series, null, List.of());
        } catch (SQLException e) {
            throw new IOException(file + " is not a readable twlab results store (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Exports the tables as {@code TABLE.parquet} (zstd) and/or {@code TABLE.csv} into {@code dir}, each written
     * beside its final name and then moved. The series CSV is left to the caller, which writes it as it always has.
     * (Exports an earlier run left behind are the output directory's business: its manifest says what it wrote.)
     */
    public static List<Path> export(Path file, Path dir, boolean parquet, boolean csv) throws IOException {
        List<Path> written = new ArrayList<>();
        try (Connection c = open(file, true); Statement st = c.createStatement()) {
            for (String table : EXPORTED) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_name = '"
                        + table + "'")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        continue;
                    }
                }
                if (parquet) {
                    written.add(copy(st, table, dir.resolve(table + ".parquet"), "FORMAT parquet, COMPRESSION zstd"));
                }
                if (csv && !table.equals("series")) {
                    written.add(copy(st, table, dir.resolve(table + ".csv"), "FORMAT csv, HEADER"));
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot export from " + file + ": " + e.getMessage(), e);
        }
        return written;
    }

    private static Path copy(Statement st, String table, Path target, String options) throws SQLException, IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        st.execute("COPY (SELECT * FROM " + table + ") TO " + literal(tmp.toString()) + " (" + options + ")");
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    private static Connection open(Path file, boolean readOnly) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        if (readOnly) {
            p.setProperty("duckdb.read_only", "true");
        }
        // No extension downloads: everything used here is built in, and the machine may be offline.
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), p);
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static String ident(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }



    private static DuckDBAppender appender(Connection c, String table) throws SQLException {
        return c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, table);
    }

    private static void writeRun(Connection c, Statement st, Map<String, Object> summary, String json)
            throws SQLException {
        Map<String, Object> scenario = Json.object(summary.get("scenario"));
        Map<String, Object> clients = Json.object(summary.get("clients"));
        Map<String, Object> failures = Json.object(clients.get("failures"));
        StringBuilder ddl = new StringBuilder("CREATE TABLE run (scenario VARCHAR, description VARCHAR, seed BIGINT, "
                + "duration_s DOUBLE, events BIGINT, attempts BIGINT, successes BIGINT, failed BIGINT, in_flight BIGINT, "
                + "connects BIGINT, connects_with_syn_retransmission BIGINT");
        for (FailureCause f : FailureCause.values()) {
            ddl.append(", ").append(ident("failed_" + f.key().replace('-', '_'))).append(" BIGINT");
        }
        st.execute(ddl.append(", summary_json VARCHAR)").toString());
        try (DuckDBAppender a = appender(c, "run")) {
            a.beginRow();
            a.append(String.valueOf(scenario.get("name")));
            a.append(String.valueOf(scenario.getOrDefault("description", "")));
            a.append(Json.asLong(scenario.get("seed")));
            a.append(((Number) scenario.get("durationSeconds")).doubleValue());
            a.append(Json.asLong(Json.object(summary.get("engine")).get("events")));
            a.append(Json.asLong(clients.get("attempts")));
            a.append(Json.asLong(clients.get("successes")));
            a.append(Json.asLong(clients.get("failed")));
            a.append(Json.asLong(clients.get("inFlight")));
            a.append(Json.asLong(clients.get("connects")));
            a.append(Json.asLong(clients.get("connectsWithSynRetransmission")));
            for (FailureCause f : FailureCause.values()) {
                a.append(Json.asLong(failures.get(f.key())));
            }
            a.append(json);
            a.endRow();
        }
    }

    private static void writeElements(Connection c, Statement st, Map<String, Object> summary) throws SQLException {
        st.execute("CREATE TABLE elements (name VARCHAR, kind VARCHAR, kernel VARCHAR, address VARCHAR)");
        try (DuckDBAppender a = appender(c, "elements")) {
            for (Map.Entry<String, Object> h : Json.object(summary.get("hosts")).entrySet()) {
                Map<String, Object> hm = Json.object(h.getValue());
                a.beginRow().append(h.getKey()).append(String.valueOf(hm.get("role")))
                        .append(String.valueOf(hm.get("kernel"))).append(String.valueOf(hm.get("address"))).endRow();
            }
            for (Map.Entry<String, Object> n : Json.object(summary.get("nats")).entrySet()) {
                a.beginRow().append(n.getKey()).append("nat").appendNull()
                        .append(String.join(",", Json.strings(Json.object(n.getValue()).get("addresses")))).endRow();
            }
            for (String d : Json.object(summary.get("directors")).keySet()) {
                a.beginRow().append(d).append("director").appendNull().appendNull().endRow();
            }
        }
    }


    private static void writeCounters(Connection c, Statement st, Map<String, Object> summary) throws SQLException {
        st.execute("CREATE TABLE counters (host VARCHAR, counter VARCHAR, nstat_name VARCHAR, value BIGINT)");
        try (DuckDBAppender a = appender(c, "counters")) {
            for (Map.Entry<String, Object> h : Json.object(summary.get("hosts")).entrySet()) {
                for (Map.Entry<String, Object> e : Json.object(Json.object(h.getValue()).get("counters")).entrySet()) {
                    a.beginRow().append(h.getKey()).append(e.getKey())
                            .append(io.twlab.tcp.Counter.valueOf(e.getKey()).nstatName())
                            .append(Json.asLong(e.getValue())).endRow();
                }
            }
        }
    }

    private static void writeFindings(Connection c, Statement st, Map<String, Object> summary) throws SQLException {
        st.execute("CREATE TABLE findings (kind VARCHAR, severity VARCHAR, \"where\" VARCHAR, from_s BIGINT, "
                + "to_s BIGINT, count BIGINT, text VARCHAR, facts_json VARCHAR)");
        try (DuckDBAppender a = appender(c, "findings")) {
            if (summary.get("findings") instanceof List<?> list) {
                for (Object o : list) {
                    Map<String, Object> f = Json.object(o);
                    a.beginRow().append(String.valueOf(f.get("kind"))).append(String.valueOf(f.get("severity")))
                            .append(String.valueOf(f.get("where")));
                    long from = Json.asLong(f.get("fromSecond"));
                    long to = Json.asLong(f.get("toSecond"));
                    if (from < 0) {
                        a.appendNull();
                    } else {
                        a.append(from);
                    }
                    if (to < 0) {
                        a.appendNull();
                    } else {
                        a.append(to);
                    }
                    a.append(Json.asLong(f.get("count"))).append(String.valueOf(f.get("text")))
                            .append(Json.write(f.get("facts"))).endRow();
                }
            }
        }
    }

    private static void writeSeries(Connection c, Statement st, SeriesTable series) throws SQLException {
        StringBuilder ddl = new StringBuilder("CREATE TABLE series (");
        List<String> cols = series.columns();
        for (int i = 0; i < cols.size(); i++) {
            ddl.append(i == 0 ? "" : ", ").append(ident(cols.get(i))).append(i == 0 ? " BIGINT" : " DOUBLE");
        }
        st.execute(ddl.append(')').toString());
        try (DuckDBAppender a = appender(c, "series")) {
            for (double[] row : series.rows()) {
                a.beginRow();
                a.append((long) row[0]);
                for (int i = 1; i < row.length; i++) {
                    a.append(row[i]);
                }
                a.endRow();
            }
        }
        // The same numbers one per row, split into the element they belong to (a host, NAT or director; the
        // clients' own columns otherwise) and the metric, for GROUP BY element queries.
        st.execute("CREATE VIEW series_long AS SELECT u.time_s, coalesce(e.name, 'clients') AS element, "
                + "CASE WHEN e.name IS NULL THEN u.name ELSE substr(u.name, length(e.name) + 2) END AS metric, u.value "
                + "FROM (UNPIVOT series ON COLUMNS(* EXCLUDE (time_s)) INTO NAME name VALUE value) u "
                + "LEFT JOIN elements e ON split_part(u.name, '.', 1) = e.name");
    }

    private static void writeConnections(Connection c, Statement st, ConnectionLog log, List<String> workloads)
            throws SQLException {
        if (log == null) {
            return;
        }
        st.execute("CREATE TABLE connections (request BIGINT, workload VARCHAR, start_s DOUBLE, end_s DOUBLE, "
                + "client_ip VARCHAR, client_port INTEGER, server_ip VARCHAR, attempts INTEGER, "
                + "syn_retransmissions INTEGER, connect_ms DOUBLE, first_byte_ms DOUBLE, outcome VARCHAR)");
        String[] outcomes = new String[FailureCause.values().length + 1];
        outcomes[ConnectionLog.OK] = "ok";
        for (FailureCause f : FailureCause.values()) {
            outcomes[1 + f.ordinal()] = f.key();
        }
        try (DuckDBAppender a = appender(c, "connections")) {
            for (int i = 0; i < log.size(); i++) {
                a.beginRow();
                a.append(log.requestId(i));
                a.append(workloads.get(log.workload(i)));
                a.append(log.startNs(i) / 1e9);
                a.append(log.endNs(i) / 1e9);
                a.append(Ipv4.format(log.clientIp(i)));
                a.append(log.clientPort(i));
                a.append(Ipv4.format(log.serverIp(i)));
                a.append(log.attempts(i));
                a.append(log.synRetransmissions(i));
                appendMicrosAsMs(a, log.connectMicros(i));
                appendMicrosAsMs(a, log.firstByteMicros(i));
                a.append(outcomes[log.outcome(i)]);
                a.endRow();
            }
        }
    }

    private static void appendMicrosAsMs(DuckDBAppender a, long micros) throws SQLException {
        if (micros < 0) {
            a.appendNull();
        } else {
            a.append(micros / 1000.0);
        }
    }
}
