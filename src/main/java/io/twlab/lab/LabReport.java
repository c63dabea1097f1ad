package io.twlab.lab;

import io.twlab.metrics.SeriesTable;
import io.twlab.report.HtmlPage;
import io.twlab.report.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab's HTML page: the comparison table, the notes, and the lab's and the simulation's series on the same
 * charts (requests per second, PAWS rejects per second, TIME_WAIT on the servers). Built from the report's shared
 * page parts, so it is self-contained like the others.
 */
public final class LabReport {
    private LabReport() {
    }

    /**
     * @param labSeries      lab-series.csv (time_s, attempts, successes, failed, time_wait)
     * @param labRejects     PAWS rejects per second seen in the lab's capture (index 0 = first second), or null
     * @param sim            the simulation's per-second series
     */
    public static String render(String scenario, Map<String, Object> kernel, List<Map<String, Object>> comparison,
                                List<?> notes, String labSeries, long[] labRejects, SeriesTable sim) {
        List<String> rows = labSeries.lines().skip(1).toList();
        int n = Math.max(rows.size(), sim.rows().size());
        List<Long> x = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            x.add((long) i);
        }
        List<Map<String, Object>> charts = new ArrayList<>();
        charts.add(chart("requests", "Requests per second: lab and simulation", "requests/s",
                "Connects started each second, and those that failed.", List.of(
                        line("lab: requests", labColumn(rows, 1, n), "#0969da", false),
                        line("simulation: requests", simColumn(sim, "attempts", n), "#0969da", true),
                        line("lab: failed", labColumn(rows, 3, n), "#cf222e", false),
                        line("simulation: failed", simColumn(sim, "failed", n), "#cf222e", true))));
        List<Double> simRejects = new ArrayList<>();
        List<Double> simTimeWait = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double r = 0;
            double tw = 0;
            if (i < sim.rows().size()) {
                double[] row = sim.rows().get(i);
                for (int c = 0; c < sim.columns().size(); c++) {
                    String name = sim.columns().get(c);
                    if (name.endsWith(".PAWSTimewait") || name.endsWith(".PAWSEstab")) {
                        r += row[c];
                    } else if (name.endsWith(".time_wait")) {
                        tw += row[c];
                    }
                }
            }
            simRejects.add(r);
            simTimeWait.add(tw);
        }
        List<Map<String, Object>> rejectLines = new ArrayList<>();
        if (labRejects != null) {
            List<Double> lab = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                lab.add(i < labRejects.length ? (double) labRejects[i] : 0.0);
            }
            rejectLines.add(line("lab: SYNs answered by the old ACK (capture)", lab, "#8250df", false));
        }
        rejectLines.add(line("simulation: PAWS rejects", simRejects, "#8250df", true));
        charts.add(chart("rejects", "PAWS rejects per second", "SYNs/s", "In the lab, counted on the wire: SYNs the "
                + "server answered with the old connection's ACK.", rejectLines));
        charts.add(chart("timewait", "TIME_WAIT sockets on the servers", "sockets", "Lab: ss -tan state time-wait each "
                + "second; simulation: the TIME_WAIT table each second.", List.of(
                        line("lab", labColumn(rows, 4, n), "#1a7f37", false),
                        line("simulation", simTimeWait, "#1a7f37", true))));

        StringBuilder h = new StringBuilder(128 * 1024);
        HtmlPage.head(h, "twlab lab: " + scenario, charts.size());
        h.append("<h1>Lab: ").append(HtmlPage.esc(scenario)).append("</h1>\n<div class=\"facts\">")
                .append(HtmlPage.fact("kernel", String.valueOf(kernel.get("release"))))
                .append(HtmlPage.fact("HZ", String.valueOf(kernel.get("hz"))))
                .append(HtmlPage.fact("simulated on", String.valueOf(kernel.get("profile")))).append("</div>\n");
        h.append("<h2>Lab and simulation</h2>\n<table><tr><th>metric</th><th>lab</th><th>simulation</th>"
                + "<th>seeds' range</th><th>agreement</th></tr>\n");
        for (Map<String, Object> r : comparison) {
            boolean differs = "differs".equals(r.get("agreement"));
            h.append("<tr><td>").append(HtmlPage.esc(String.valueOf(r.get("metric")))).append("</td><td class=\"num\">")
                    .append(LabComparison.format(Json.asDouble(r.get("lab")))).append("</td><td class=\"num\">").append(LabComparison.format(Json.asDouble(r.get("simulation"))))
                    .append("</td><td class=\"num\">").append(HtmlPage.esc(LabComparison.range(r)))
                    .append("</td><td>").append(differs ? "<b>differs</b>" : HtmlPage.esc(String.valueOf(
                            r.get("agreement")))).append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (!notes.isEmpty()) {
            h.append("<h3>Notes</h3>\n<ul>\n");
            for (Object note : notes) {
                h.append("<li>").append(HtmlPage.esc(String.valueOf(note))).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        HtmlPage.charts(h, "Over time (solid: lab, dashed: simulation)", charts, "");
        h.append("<footer>Written by twlab lab. Charts drawn with uPlot (MIT licence, inlined).</footer>\n");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("x", x);
        data.put("spanSeconds", n);
        data.put("charts", charts);
        HtmlPage.tail(h, data);
        return h.toString();
    }


    private static List<Double> labColumn(List<String> rows, int column, int n) {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String[] f = i < rows.size() ? rows.get(i).split(",", -1) : null;
            v.add(f != null && column < f.length && !f[column].isEmpty() ? Double.parseDouble(f[column]) : null);
        }
        return v;
    }

    private static List<Double> simColumn(SeriesTable sim, String name, int n) {
        int c = sim.column(name);
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            v.add(i < sim.rows().size() && c >= 0 ? sim.rows().get(i)[c] : null);
        }
        return v;
    }

    private static Map<String, Object> line(String label, List<Double> values, String color, boolean dash) {
        Map<String, Object> m = HtmlPage.line(label, color, values);
        if (dash) {
            m.put("dash", true);
        }
        return m;
    }

    private static Map<String, Object> chart(String id, String title, String unit, String note,
                                             List<Map<String, Object>> lines) {
        return HtmlPage.chart(id, title, unit, note, false, lines);
    }
}
