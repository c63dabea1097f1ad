package io.twlab.metrics;

import java.util.ArrayList;
import java.util.List;

/** A per-second time series: fixed named columns, one row of numbers per simulated second. */
public final class SeriesTable {
    private final List<String> columns;
    private final List<double[]> rows = new ArrayList<>();

    public SeriesTable(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    public List<String> columns() {
        return columns;
    }

    public void add(double[] row) {
        if (row.length != columns.size()) {
            throw new IllegalArgumentException("row has " + row.length + " values for " + columns.size() + " columns");
        }
        rows.add(row.clone());
    }

    public List<double[]> rows() {
        return rows;
    }

    public int column(String name) {
        return columns.indexOf(name);
    }


    /** CSV with a header line; integers print without a decimal point, others with up to 3 decimals. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
        for (double[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(formatNumber(r[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public static String formatNumber(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = String.format(java.util.Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "SeriesTable" + columns + " x " + rows.size();
    }
}
