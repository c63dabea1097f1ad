package io.twlab.analyzer;

import io.twlab.analyzer.capture.CaptureWarning;
import io.twlab.report.HtmlPage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML page of an analysis, in the simulator report's style and built from the same parts: the capture in
 * brief, warnings, findings with their example packets, a per-second timeline, and for each address shared by
 * several hosts the TSval of every connection's SYN against time with one fitted clock line per host.
 */
public final class AnalysisReport {
    private static final int MAX_POINTS = 2400;
    private static final int MAX_SCATTER_POINTS = 3000;
    private static final String X_LABEL = "time since the first packet (h:mm)";

    private AnalysisReport() {
    }

    public static String render(Analysis a) {
        List<Map<String, Object>> charts = new ArrayList<>();
        Map<String, Object> data = new LinkedHashMap<>();
        timeline(a, charts, data);
        for (SharedAddressDetector.Chart c : a.sharedAddresses.charts()) {
            charts.add(scatter(a, c));
        }
        StringBuilder h = new StringBuilder(256 * 1024);
        HtmlPage.head(h, "twlab analyze: " + a.file.getFileName(), charts.size());
        h.append("<h1>").append(HtmlPage.esc(String.valueOf(a.file.getFileName()))).append("</h1>\n");
        h.append("<div class=\"facts\">")
                .append(HtmlPage.fact("format", a.format))
                .append(HtmlPage.fact("packets", String.format(Locale.ROOT, "%,d", a.packets)))
                .append(HtmlPage.fact("TCP", String.format(Locale.ROOT, "%,d", a.tcpSegments)))
                .append(HtmlPage.fact("duration", a.packets > 0 ? String.format(Locale.ROOT, "%.1f s",
                        (a.lastTimeNs - a.firstTimeNs) / 1e9) : "-"))
                .append(HtmlPage.fact("connections", String.format(Locale.ROOT, "%,d", a.generations)))
                .append(HtmlPage.fact("4-tuples", String.format(Locale.ROOT, "%,d", a.flows)))
                .append("</div>\n");
        if (!a.warnings.isEmpty()) {
            h.append("<h2>Warnings</h2>\n<ul>\n");
            for (CaptureWarning w : a.warnings.subList(0, Math.min(20, a.warnings.size()))) {
                h.append("<li>").append(HtmlPage.esc(w.toString())).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        List<Object> findings = new ArrayList<>();
        for (AnalysisFinding f : a.findings) {
            findings.add(f.toMap());
        }
        if (findings.isEmpty()) {
            findings.add(Map.of("severity", "info", "kind", "no-findings", "text", "Nothing found: "
                    + Analysis.NOTHING_FOUND));
        }
        HtmlPage.findings(h, findings);
        HtmlPage.charts(h, "Charts", charts, "");
        evidence(a, h);
        h.append("<footer>Written by twlab analyze. Charts drawn with uPlot (MIT licence, inlined).</footer>\n");
        data.put("charts", charts);
        HtmlPage.tail(h, data);
        return h.toString();
    }

    private static void timeline(Analysis a, List<Map<String, Object>> charts, Map<String, Object> data) {
        int seconds = a.timeline.seconds();
        int bucket = Math.max(1, (seconds + MAX_POINTS - 1) / MAX_POINTS);
        List<Long> x = new ArrayList<>();
        for (int i = 0; i < seconds; i += bucket) {
            x.add((long) i);
        }
        data.put("x", x);
        data.put("spanSeconds", seconds);
        if (seconds == 0) {
            return;
        }
        List<Map<String, Object>> lines = new ArrayList<>();
        String[] colors = {"#1a7f37", "#bc4c00", "#cf222e", "#8250df"};
        for (int k = 0; k < TimelineDetector.NAMES.length; k++) {
            long[] v = a.timeline.counts(k);
            List<Double> values = new ArrayList<>();
            for (int i = 0; i < seconds; i += bucket) {
                double sum = 0;
                int n = 0;
                for (int j = i; j < Math.min(seconds, i + bucket); j++) {
                    sum += v[j];
                    n++;
                }
                values.add(Math.round(sum / n * 1000) / 1000.0);
            }
            lines.add(HtmlPage.line(TimelineDetector.NAMES[k], colors[k], values));
        }
        Map<String, Object> c = HtmlPage.chart("timeline", "Per second", "per second", "New connections (a SYN with a "
                + "new ISN), SYN retransmissions, SYNs answered by a bare ACK of the old connection (PAWS rejects at a "
                + "TIME_WAIT server), RSTs." + (bucket > 1 ? " Each point covers " + bucket + " s." : ""), false, lines);
        c.put("xLabel", X_LABEL);
        charts.add(c);
    }

    private static Map<String, Object> scatter(Analysis a, SharedAddressDetector.Chart chart) {
        int n = chart.timeNs().length;
        int stride = Math.max(1, (n + MAX_SCATTER_POINTS - 1) / MAX_SCATTER_POINTS);
        List<Double> x = new ArrayList<>();
        List<Double> ts = new ArrayList<>();
        for (int i = 0; i < n; i += stride) {
            x.add(Math.round((chart.timeNs()[i] - a.firstTimeNs) / 1e6) / 1e3);
            ts.add((double) Integer.toUnsignedLong(chart.tsVal()[i]));
        }
        List<Map<String, Object>> lines = new ArrayList<>();
        Map<String, Object> points = HtmlPage.line("SYN TSval", "#57606a", ts);
        points.put("scatter", true);
        lines.add(points);
        ClockLines.Result e = chart.fit();
        int host = 0;
        for (ClockLines.Host h : e.hosts()) {
            host++;
            if (host > 40) {
                break;
            }
            for (ClockLines.Segment seg : h.segments()) {
                // A line is drawn through its first and last sample's times, at the x positions nearest them.
                List<Double> values = new ArrayList<>();
                for (int i = 0; i < x.size(); i++) {
                    values.add(null);
                }
                double xFirst = (seg.firstNs() - a.firstTimeNs) / 1e9;
                double xLast = (seg.lastNs() - a.firstTimeNs) / 1e9;
                int iFirst = nearest(x, xFirst);
                int iLast = nearest(x, xLast);
                if (iFirst == iLast) {
                    continue;
                }
                values.set(iFirst, (double) ((seg.firstTsVal() + Math.round(seg.rateHz() * (x.get(iFirst) - xFirst)))
                        & 0xffffffffL));
                values.set(iLast, (double) ((seg.firstTsVal() + Math.round(seg.rateHz() * (x.get(iLast) - xFirst)))
                        & 0xffffffffL));
                Map<String, Object> line = HtmlPage.line(String.format(Locale.ROOT, "host %d, %.1f Hz (%d)", host,
                        seg.rateHz(), seg.connections()), null, values);
                line.put("spanGaps", true);
                lines.add(line);
            }
        }
        boolean onlyPerConnection = e.hosts().isEmpty();
        Map<String, Object> c = HtmlPage.chart("tsval-" + chart.ip().replace(':', '-').replace('.', '-'),
                "TSval against time for " + chart.ip() + (onlyPerConnection ? " (per-connection offsets)"
                        : ": " + e.hosts().size() + " host clock lines" + rates(e) + (e.perConnectionOffsets()
                        ? " and per-connection offsets" : "")), "TSval",
                onlyPerConnection ? "Every connection starts its own line: the sender offsets TSval per connection, so "
                        + "hosts cannot be told apart this way." : "Each point is one connection's first TSval; each "
                        + "line is one host's clock fitted to its points, at that host's own rate (a host that "
                        + "rebooted has a line per boot).", false, lines);
        c.put("xLabel", X_LABEL);
        c.put("x", x);
        return c;
    }

    /** " at 250 Hz" when every line runs at one usual rate, else " (2 at 250 Hz, 3 at 1000 Hz)". */
    private static String rates(ClockLines.Result e) {
        java.util.Map<String, Integer> byRate = SharedAddressDetector.clocks(e);
        java.util.function.Function<String, String> name = k -> k.equals("other") ? "other rates" : k + " Hz";
        if (byRate.size() == 1) {
            return " at " + name.apply(byRate.keySet().iterator().next());
        }
        StringBuilder sb = new StringBuilder(" (");
        byRate.forEach((rate, n) -> sb.append(sb.length() == 2 ? "" : ", ").append(n).append(" at ")
                .append(name.apply(rate)));
        return sb.append(')').toString();
    }

    private static int nearest(List<Double> x, double v) {
        int best = 0;
        for (int i = 1; i < x.size(); i++) {
            if (Math.abs(x.get(i) - v) < Math.abs(x.get(best) - v)) {
                best = i;
            }
        }
        return best;
    }

    private static void evidence(Analysis a, StringBuilder h) {
        boolean any = a.findings.stream().anyMatch(f -> !f.evidence().isEmpty());
        if (!any) {
            return;
        }
        h.append("<h2>Evidence</h2>\n");
        for (AnalysisFinding f : a.findings) {
            if (f.evidence().isEmpty()) {
                continue;
            }
            h.append("<h3>").append(HtmlPage.esc(f.kind())).append(" (first ").append(f.evidence().size())
                    .append(")</h3>\n<table><tr><th>packets</th><th>time (s since first packet)</th><th>4-tuple</th>"
                            + "<th>fields</th></tr>\n");
            for (AnalysisFinding.Evidence e : f.evidence()) {
                h.append("<tr><td>").append(HtmlPage.esc(e.packets().toString())).append("</td><td class=\"num\">")
                        .append(String.format(Locale.ROOT, "%.6f", e.time() - Analysis.seconds(a.firstTimeNs)))
                        .append("</td><td>").append(HtmlPage.esc(e.tuple())).append("</td><td>")
                        .append(HtmlPage.esc(e.fields().toString())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
    }
}
