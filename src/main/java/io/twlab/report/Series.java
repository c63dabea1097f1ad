package io.twlab.report;

import io.twlab.metrics.SeriesTable;
import io.twlab.model.SeriesKey;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** A frozen copy of the per-second series, read by {@link SeriesKey}: one array of values per series.csv column. */
public final class Series {
    private final long[] seconds;
    private final Map<String, double[]> columns;

    private Series(long[] seconds, Map<String, double[]> columns) {
        this.seconds = seconds;
        this.columns = columns;
    }

    public static Series of(SeriesTable table) {
        int n = table.rows().size();
        long[] seconds = new long[n];
        Map<String, double[]> columns = new LinkedHashMap<>();
        int time = table.column(SeriesKey.TIME.column());
        for (int r = 0; r < n; r++) {
            seconds[r] = (long) table.rows().get(r)[time];
        }
        for (int c = 0; c < table.columns().size(); c++) {
            double[] v = new double[n];
            for (int r = 0; r < n; r++) {
                v[r] = table.rows().get(r)[c];
            }
            columns.put(table.columns().get(c), v);
        }
        return new Series(seconds, columns);
    }

    /** Starts a hand-built series over the given seconds (for tests and tools). */
    public static Builder over(long... seconds) {
        return new Builder(seconds.clone());
    }

    public static final class Builder {
        private final long[] seconds;
        private final Map<String, double[]> columns = new LinkedHashMap<>();

        private Builder(long[] seconds) {
            this.seconds = seconds;
        }

        public Builder put(SeriesKey key, double... values) {
            if (values.length != seconds.length) {
                throw new IllegalArgumentException(key + " has " + values.length + " values for " + seconds.length
                        + " seconds");
            }
            columns.put(key.column(), values.clone());
            return this;
        }

        public Series build() {
            return new Series(seconds, new LinkedHashMap<>(columns));
        }
    }

    public long[] seconds() {
        return seconds.clone();
    }

    public boolean has(SeriesKey key) {
        return columns.containsKey(key.column());
    }

    /** The column's values, one per second, or an empty array when the run has no such column. */
    public double[] values(SeriesKey key) {
        double[] v = columns.get(key.column());
        return v == null ? new double[0] : v.clone();
    }

    /** The value at {@code second}, or 0 when the column or the second is absent. */
    public double valueAt(SeriesKey key, long second) {
        double[] v = columns.get(key.column());
        if (v != null) {
            for (int r = 0; r < seconds.length; r++) {
                if (seconds[r] == second) {
                    return v[r];
                }
            }
        }
        return 0;
    }

    /** [first, last] second in which any of the columns is positive, or null when none ever is. */
    public long[] positiveSpan(SeriesKey... keys) {
        long first = Long.MAX_VALUE;
        long last = -1;
        for (SeriesKey k : keys) {
            double[] v = columns.get(k.column());
            if (v == null) {
                continue;
            }
            for (int r = 0; r < v.length; r++) {
                if (v[r] > 0) {
                    first = Math.min(first, seconds[r]);
                    last = Math.max(last, seconds[r]);
                }
            }
        }
        return last < 0 ? null : new long[]{first, last};
    }

    /** The smallest non-negative value of a column within [from, to] seconds, or -1 when there is none. */
    public double minNonNegative(SeriesKey key, long from, long to) {
        double[] v = columns.get(key.column());
        double min = -1;
        if (v != null) {
            for (int r = 0; r < v.length; r++) {
                if (seconds[r] >= from && seconds[r] <= to && v[r] >= 0 && (min < 0 || v[r] < min)) {
                    min = v[r];
                }
            }
        }
        return min;
    }

    /** The row (index) where a column is highest, first of equals, or -1 when it is absent or never positive. */
    public int peakRow(SeriesKey key) {
        double[] v = columns.get(key.column());
        int best = -1;
        double peak = 0;
        if (v != null) {
            for (int r = 0; r < v.length; r++) {
                if (v[r] > peak) {
                    peak = v[r];
                    best = r;
                }
            }
        }
        return best;
    }

    /** A column's value in row {@code r}, 0 when absent. */
    public double valueInRow(SeriesKey key, int r) {
        double[] v = columns.get(key.column());
        return v == null || r < 0 || r >= v.length ? 0 : v[r];
    }

    @Override
    public String toString() {
        return "Series" + columns.keySet() + " x " + Arrays.toString(seconds);
    }
}
