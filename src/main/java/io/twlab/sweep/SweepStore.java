package io.twlab.sweep;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The sweep's results in DuckDB ({@code DIR/sweep.duckdb}): table {@code runs}, one row per run with the scenario
 * hash, one text column per varied path, the seed, one column per metric and the error, if any; table
 * {@code points}, the per-point aggregates over seeds. Rows are appended as runs finish, so a sweep stopped half way
 * keeps what it did and a rerun skips it.
 */
public final class SweepStore implements AutoCloseable {
    public static final String FILE_NAME = "sweep.duckdb";

    private final Connection c;
    private final List<Axis> axes;
    private final List<String> metrics;

    private SweepStore(Connection c, List<Axis> axes, List<String> metrics) {
        this.c = c;
        this.axes = axes;
        this.metrics = metrics;
    }

    /** Opens (creating) the store of {@code dir} for a sweep over these axes and metrics. */
    public static SweepStore open(Path dir, List<Axis> axes, List<String> metrics) throws IOException {
        try {
            Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(FILE_NAME).toAbsolutePath(),
                    new Properties());
            SweepStore s = new SweepStore(c, axes, metrics);
            s.create();
            return s;
        } catch (SQLException e) {
            throw new IOException(dir.resolve(FILE_NAME) + ": " + e.getMessage(), e);
        }
    }

    static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private void create() throws SQLException {
        StringBuilder cols = new StringBuilder("scenario_hash VARCHAR NOT NULL");
        for (Axis a : axes) {
            cols.append(", ").append(quote(a.path())).append(" VARCHAR NOT NULL");
        }
        cols.append(", seed BIGINT NOT NULL");
        for (String m : metrics) {
            cols.append(", ").append(quote(m)).append(" DOUBLE");
        }
        cols.append(", error VARCHAR");
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS runs (" + cols + ")");
            // A store written by a sweep over other axes or metrics is not this one's.
            List<String> have = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT column_name FROM information_schema.columns WHERE "
                    + "table_name = 'runs' ORDER BY ordinal_position")) {
                while (rs.next()) {
                    have.add(rs.getString(1));
                }
            }
            List<String> want = new ArrayList<>(List.of("scenario_hash"));
            axes.forEach(a -> want.add(a.path()));
            want.add("seed");
            want.addAll(metrics);
            want.add("error");
            if (!have.equals(want)) {
                throw new SweepException("--out", "the store there holds a sweep with the columns " + have
                        + "; this sweep needs " + want + ": give another --out directory");
            }
        }
    }

    /** The runs already stored for this scenario hash. */
    public List<RunRow> rows(String hash) throws SQLException {
        List<RunRow> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM runs WHERE scenario_hash = ?")) {
            ps.setString(1, hash);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> values = new ArrayList<>();
                    for (int i = 0; i < axes.size(); i++) {
                        values.add(rs.getString(2 + i));
                    }
                    long seed = rs.getLong(2 + axes.size());
                    String error = rs.getString(3 + axes.size() + metrics.size());
                    double[] m = null;
                    if (error == null) {
                        m = new double[metrics.size()];
                        for (int i = 0; i < metrics.size(); i++) {
                            m[i] = rs.getDouble(3 + axes.size() + i);
                        }
                    }
                    out.add(new RunRow(List.copyOf(values), seed, m, error));
                }
            }
        }
        return out;
    }

    public void append(String hash, RunRow row) throws SQLException {
        try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA,
                "runs")) {
            a.beginRow();
            appendRun(a, hash, row);
            a.endRow();
        }
    }

    /** A run's columns in the order of table {@code runs}: hash, varied values, seed, metrics, error. */
    private void appendRun(DuckDBAppender a, String hash, RunRow row) throws SQLException {
        a.append(hash);
        for (String v : row.values()) {
            a.append(v);
        }
        a.append(row.seed());
        for (int i = 0; i < metrics.size(); i++) {
            if (row.metrics() == null) {
                a.appendNull();
            } else {
                a.append(row.metrics()[i]);
            }
        }
        if (row.error() == null) {
            a.appendNull();
        } else {
            a.append(row.error());
        }
    }

    /**
     * Replaces table {@code points} with the aggregates and writes {@code runs.parquet} (this sweep's rows in plan
     * order) and {@code points.parquet} into {@code dir}, each through a temporary file and a rename.
     */
    public void export(Path dir, String hash, List<RunRow> ordered, List<Aggregate> points) throws SQLException,
            IOException {
        try (Statement st = c.createStatement()) {
            StringBuilder cols = new StringBuilder("point INTEGER");
            for (Axis a : axes) {
                cols.append(", ").append(quote(a.path())).append(" VARCHAR");
            }
            cols.append(", seeds INTEGER, failed_runs INTEGER");
            for (String m : metrics) {
                cols.append(", ").append(quote(m + "_mean")).append(" DOUBLE, ").append(quote(m + "_min"))
                        .append(" DOUBLE, ").append(quote(m + "_max")).append(" DOUBLE");
            }
            st.execute("CREATE OR REPLACE TABLE points (" + cols + ")");
            st.execute("CREATE OR REPLACE TABLE plan_runs AS SELECT * FROM runs LIMIT 0");
            st.execute("ALTER TABLE plan_runs ADD COLUMN run INTEGER");
        }
        try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA,
                "points")) {
            for (Aggregate p : points) {
                a.beginRow();
                a.append(p.point());
                for (String v : p.values()) {
                    a.append(v);
                }
                a.append(p.seeds());
                a.append(p.failedRuns());
                for (int i = 0; i < metrics.size(); i++) {
                    if (p.seeds() == 0) {
                        a.appendNull();
                        a.appendNull();
                        a.appendNull();
                    } else {
                        a.append(p.mean()[i]);
                        a.append(p.min()[i]);
                        a.append(p.max()[i]);
                    }
                }
                a.endRow();
            }
        }
        try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "plan_runs")) {
            int run = 0;
            for (RunRow row : ordered) {
                a.beginRow();
                appendRun(a, hash, row);
                a.append(run++);
                a.endRow();
            }
        }
        try (Statement st = c.createStatement()) {
            copy(st, "SELECT * EXCLUDE (run) FROM plan_runs ORDER BY run", dir.resolve("runs.parquet"));
            copy(st, "SELECT * FROM points ORDER BY point", dir.resolve("points.parquet"));
            st.execute("DROP TABLE plan_runs");
        }
    }

    private static void copy(Statement st, String query, Path target) throws SQLException, IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        st.execute("COPY (" + query + ") TO '" + tmp.toAbsolutePath().toString().replace("'", "''")
                + "' (FORMAT parquet, COMPRESSION zstd)");
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }

    /** Per point over its seeds: how many runs succeeded and failed, and each metric's mean, min and max. */
    public record Aggregate(int point, List<String> values, int seeds, int failedRuns, double[] mean, double[] min,
                            double[] max) {
    }
}
