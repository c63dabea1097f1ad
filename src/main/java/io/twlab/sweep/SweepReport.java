package io.twlab.sweep;

import io.twlab.report.HtmlPage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a sweep shows: the per-point aggregates as one JSON document, and the page {@code sweep.html} — with two
 * axes a heatmap of the map metric (rows: the second axis; columns: the first), where it first rises above the
 * threshold in each row and the analytic capacity edge drawn over it, and lines of the metric per row beside it;
 * with one axis, lines. Further axes are averaged over in the map and the lines.
 */
public final class SweepReport {
    private SweepReport() {
    }

    /** The sweep's description, kept as sweep.json so that {@code --report} re-renders from the store alone. */
    public record Meta(String scenario, String hash, List<String> sets, SweepPlan plan, List<String> metrics,
                       String mapMetric, double threshold, List<Sweep.Edge> edges) {
    }

    static Object typed(Axis a, String v) {
        if (a.numeric()) {
            return v.contains(".") ? (Object) Double.parseDouble(v) : (Object) Long.parseLong(v);
        }
        return v;
    }

    public static Map<String, Object> toJson(Meta meta, List<SweepStore.Aggregate> points) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", meta.scenario());
        m.put("scenarioHash", meta.hash());
        m.put("sets", meta.sets());
        List<Object> axes = new ArrayList<>();
        for (Axis a : meta.plan().axes()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("path", a.path());
            am.put("spec", a.spec());
            am.put("values", a.values());
            axes.add(am);
        }
        m.put("axes", axes);
        m.put("seeds", meta.plan().seeds());
        m.put("metrics", meta.metrics());
        List<Object> ps = new ArrayList<>();
        for (SweepStore.Aggregate p : points) {
            Map<String, Object> pm = new LinkedHashMap<>();
            for (int i = 0; i < meta.plan().axes().size(); i++) {
                Axis a = meta.plan().axes().get(i);
                pm.put(a.path(), typed(a, p.values().get(i)));
            }
            pm.put("seeds", p.seeds());
            if (p.failedRuns() > 0) {
                pm.put("failedRuns", p.failedRuns());
            }
            pm.put("metrics", figures(meta.metrics(), p.mean(), p.seeds()));
            pm.put("min", figures(meta.metrics(), p.min(), p.seeds()));
            pm.put("max", figures(meta.metrics(), p.max(), p.seeds()));
            ps.add(pm);
        }
        m.put("points", ps);
        int metric = meta.metrics().indexOf(meta.mapMetric());
        if (metric >= 0) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("metric", meta.mapMetric());
            b.put("threshold", meta.threshold());
            b.put("firstAbove", Sweep.boundary(meta.plan(), points, metric, meta.threshold()));
            m.put("boundary", b);
        }
        List<Object> edges = new ArrayList<>();
        for (Sweep.Edge e : meta.edges()) {
            Map<String, Object> em = new LinkedHashMap<>();
            if (meta.plan().axes().size() >= 2) {
                em.put(meta.plan().axes().get(1).path(), typed(meta.plan().axes().get(1), e.rowValue()));
            }
            em.put("kernel", e.kernel());
            em.put("tuples", e.tuples());
            em.put("maxRate", Math.round(e.maxRate() * 10) / 10.0);
            edges.add(em);
        }
        m.put("capacityEdges", edges);
        return m;
    }

    private static Map<String, Object> figures(List<String> names, double[] values, int seeds) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), seeds == 0 ? null : round(values[i]));
        }
        return m;
    }

    private static double round(double v) {
        return Math.abs(v) >= 1000 ? Math.round(v * 10) / 10.0 : Math.round(v * 1e6) / 1e6;
    }

    /** The map's cell at (x, row): {@link Sweep#meanAt}, rounded as the JSON figures are. */
    private static Double cell(List<SweepStore.Aggregate> points, int metric, String x, String row) {
        Double mean = Sweep.meanAt(points, metric, x, row);
        return mean == null ? null : round(mean);
    }

    public static String html(Meta meta, List<SweepStore.Aggregate> points) {
        SweepPlan plan = meta.plan();
        Axis xAxis = plan.axes().get(0);
        Axis yAxis = plan.axes().size() >= 2 ? plan.axes().get(1) : null;
        int metric = meta.metrics().indexOf(meta.mapMetric());
        List<Double> xs = new ArrayList<>();
        for (int i = 0; i < xAxis.values().size(); i++) {
            xs.add(xAxis.numeric() ? Double.parseDouble(xAxis.values().get(i)) : i);
        }
        List<Map<String, Object>> charts = new ArrayList<>();
        Map<String, String> firstAbove = Sweep.boundary(plan, points, metric, meta.threshold());
        List<String> rows = yAxis == null ? java.util.Collections.singletonList((String) null) : yAxis.values();
        String metricText = meta.mapMetric() + " (" + SweepMetrics.ALL.get(meta.mapMetric()) + ")";
        if (yAxis != null) {
            List<List<Double>> cells = new ArrayList<>();
            List<Integer> boundary = new ArrayList<>();
            List<Double> edges = new ArrayList<>();
            for (String row : rows) {
                List<Double> line = new ArrayList<>();
                for (String x : xAxis.values()) {
                    line.add(cell(points, metric, x, row));
                }
                cells.add(line);
                String b = firstAbove.get(row);
                boundary.add(b == null ? null : xAxis.values().indexOf(b));
                edges.add(meta.edges().stream().filter(e -> e.rowValue().equals(row)).map(Sweep.Edge::maxRate)
                        .findFirst().orElse(null));
            }
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("id", "map");
            map.put("kind", "heatmap");
            map.put("title", metricText + " by " + xAxis.path() + " and " + yAxis.path());
            map.put("note", String.format(Locale.ROOT, "Each cell is the mean over %d seed(s)%s; the black bar marks "
                            + "where the metric first rises above %s in each row%s. Hover a cell for its numbers.",
                    plan.seeds().size(), plan.axes().size() > 2 ? " and over the other varied paths" : "",
                    number(meta.threshold()), meta.edges().isEmpty() ? "" : "; the dashed line is the analytic edge "
                            + "from twlab capacity (NAT ports x addresses over the server's longest TIME_WAIT)"));
            map.put("x", xs);
            map.put("xLabels", xAxis.values());
            map.put("xLabel", xAxis.path());
            map.put("yLabels", yAxis.values());
            map.put("yLabel", yAxis.path());
            map.put("cells", cells);
            map.put("boundary", boundary);
            map.put("edges", edges);
            map.put("unit", meta.mapMetric());
            charts.add(map);
        }
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String row : rows) {
            List<Double> values = new ArrayList<>();
            for (String x : xAxis.values()) {
                values.add(cell(points, metric, x, row));
            }
            lines.add(HtmlPage.line(row == null ? meta.mapMetric() : yAxis.path() + "=" + row, null, values));
        }
        Map<String, Object> lineChart = HtmlPage.chart("lines", metricText + " against " + xAxis.path(),
                meta.mapMetric(), yAxis == null ? "Mean over the seeds at each value." : "One line per value of "
                        + yAxis.path() + ", the mean over the seeds.", false, lines);
        lineChart.put("x", xs);
        lineChart.put("xNumeric", true);
        lineChart.put("xLabel", xAxis.path() + (xAxis.numeric() ? "" : " (value number)"));
        charts.add(lineChart);

        StringBuilder h = new StringBuilder(64 * 1024);
        HtmlPage.head(h, "twlab sweep: " + meta.scenario(), charts.size());
        h.append("<h1>Sweep of ").append(HtmlPage.esc(meta.scenario())).append("</h1>\n<div class=\"facts\">");
        for (Axis a : plan.axes()) {
            h.append(HtmlPage.fact(a.path(), a.spec() + " (" + a.values().size() + ")"));
        }
        h.append(HtmlPage.fact("points", String.valueOf(plan.points().size())))
                .append(HtmlPage.fact("seeds", String.valueOf(plan.seeds().size())))
                .append(HtmlPage.fact("runs", String.valueOf(plan.runs()))).append("</div>\n");
        h.append("<h2>Where ").append(HtmlPage.esc(meta.mapMetric())).append(" first rises above ")
                .append(HtmlPage.esc(number(meta.threshold()))).append("</h2>\n<table><tr>");
        if (yAxis != null) {
            h.append("<th>").append(HtmlPage.esc(yAxis.path())).append("</th>");
        }
        h.append("<th>first ").append(HtmlPage.esc(xAxis.path())).append("</th>");
        if (!meta.edges().isEmpty()) {
            h.append("<th>capacity edge (rate)</th><th>server kernel</th><th>4-tuples</th>");
        }
        h.append("</tr>\n");
        for (String row : rows) {
            h.append("<tr>");
            if (yAxis != null) {
                h.append("<td>").append(HtmlPage.esc(row)).append("</td>");
            }
            String b = firstAbove.get(row == null ? "" : row);
            h.append("<td class=\"num\">").append(b == null ? "never" : HtmlPage.esc(b)).append("</td>");
            for (Sweep.Edge e : meta.edges()) {
                if (row == null || e.rowValue().equals(row)) {
                    h.append("<td class=\"num\">").append(String.format(Locale.ROOT, "%.1f", e.maxRate()))
                            .append("</td><td>").append(HtmlPage.esc(e.kernel())).append("</td><td class=\"num\">")
                            .append(String.format(Locale.ROOT, "%,d", e.tuples())).append("</td>");
                    break;
                }
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        HtmlPage.charts(h, "Charts", charts, "");
        h.append("<footer>Written by twlab sweep. Charts drawn with uPlot (MIT licence, inlined).</footer>\n");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("x", xs);
        data.put("spanSeconds", 0);
        data.put("charts", charts);
        HtmlPage.tail(h, data);
        return h.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
