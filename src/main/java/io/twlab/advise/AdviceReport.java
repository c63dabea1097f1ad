package io.twlab.advise;

import io.twlab.model.SeriesKey;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.metrics.SeriesTable;
import io.twlab.report.HtmlPage;
import io.twlab.report.RunSummary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** twlab advise's outputs: the JSON document, the terminal summary and the HTML page. */
public final class AdviceReport {
    private AdviceReport() {
    }

    public static Map<String, Object> toMap(Advice a) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> hosts = new LinkedHashMap<>();
        for (HostEvidence h : a.observed.bundle.hosts.values()) {
            Map<String, Object> hm = new LinkedHashMap<>();
            hm.put("role", a.observed.roles.get(h.name).key());
            hm.put("roleFrom", a.observed.roleReasons.get(h.name));
            KernelMatch k = a.observed.kernel(h);
            hm.put("kernel", k.release());
            hm.put("profile", k.profile());
            hm.put("profileFrom", k.why());
            hm.put("files", h.files);
            hosts.put(h.name, hm);
        }
        m.put("hosts", hosts);
        Map<String, Object> rate = new LinkedHashMap<>();
        rate.put("perSecond", a.observed.rate);
        rate.put("source", a.observed.rateSource);
        rate.put("observedSeconds", a.observed.observedSeconds);
        m.put("rate", rate);
        m.put("ignored", a.observed.bundle.ignored);
        m.put("problems", a.observed.bundle.problems.stream().map(Object::toString).toList());
        m.put("notes", a.observed.notes);
        m.put("findings", a.findings.stream().map(AdviceFinding::toMap).toList());
        Map<String, Object> cal = new LinkedHashMap<>();
        cal.put("scenario", "calibrated.yaml");
        cal.put("defaults", a.scenario.defaults);
        if (a.calibration != null) {
            cal.put("seeds", java.util.Arrays.stream(Calibration.SEEDS).boxed().toList());
            cal.put("counters", a.calibration.toList());
        }
        m.put("calibration", cal);
        if (a.current != null) {
            m.put("current", a.current.toMap());
        }
        List<Object> fixes = new ArrayList<>();
        for (Fix f : a.fixes) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("rank", a.rank(f));
            fm.put("id", f.id());
            fm.put("title", f.title());
            fm.put("change", f.sets());
            fm.put("predicted", a.predictions.get(f.id()).toMap());
            fm.put("costs", f.costs());
            fm.put("appliesTo", f.appliesTo());
            fm.put("answers", f.answers());
            fixes.add(fm);
        }
        m.put("fixes", fixes);
        return m;
    }

    public static String toText(Advice a) {
        StringBuilder sb = new StringBuilder();
        sb.append("Hosts:\n");
        for (HostEvidence h : a.observed.bundle.hosts.values()) {
            KernelMatch k = a.observed.kernel(h);
            sb.append(String.format(Locale.ROOT, "  %-16s %-9s %s -> %s (%s); %d files%n", h.name,
                    a.observed.roles.get(h.name).key(), k.release() == null ? "kernel ?" : k.release(), k.profile(),
                    a.observed.roleReasons.get(h.name), h.files.size()));
        }
        if (a.observed.rate >= 0) {
            sb.append(String.format(Locale.ROOT, "New connections: %.2f/s over %.0f s (%s)%n", a.observed.rate,
                    a.observed.observedSeconds, a.observed.rateSource));
        }
        for (Object p : a.observed.bundle.problems.subList(0, Math.min(10, a.observed.bundle.problems.size()))) {
            sb.append("warning: ").append(p).append('\n');
        }
        if (a.observed.bundle.problems.size() > 10) {
            sb.append("warning: ... ").append(a.observed.bundle.problems.size() - 10).append(" more (see --json)\n");
        }
        for (String i : a.observed.bundle.ignored) {
            sb.append("ignored: ").append(i).append('\n');
        }
        for (String n : a.observed.notes) {
            sb.append("note: ").append(n).append('\n');
        }
        sb.append('\n');
        if (a.findings.isEmpty()) {
            sb.append("No findings: no rule found a problem in the bundle.\n");
        }
        for (AdviceFinding f : a.findings) {
            sb.append(RunSummary.wrap("[" + f.severity().key() + "] " + f.rule() + " (" + f.host() + "):", f.text(),
                    110, "    "));
            for (AdviceFinding.Fact fact : f.facts()) {
                sb.append("      ").append(fact.name()).append(" = ").append(fact.value());
                if (!fact.source().isEmpty()) {
                    sb.append("  [").append(fact.source()).append(']');
                }
                sb.append('\n');
            }
        }
        if (a.calibration != null) {
            sb.append("\nCalibration (calibrated.yaml, seeds 1-3, simulated mean vs observed):\n");
            sb.append(String.format(Locale.ROOT, "  %-8s %-30s %12s %12s %8s%n", "role", "counter", "observed",
                    "simulated", "ratio"));
            for (Calibration.Row r : a.calibration.rows) {
                sb.append(String.format(Locale.ROOT, "  %-8s %-30s %12d %12.1f %8s%n", r.role(), r.counter(),
                        r.observed(), r.simulated(), r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2f",
                                r.ratio())));
            }
            for (String d : a.scenario.defaults) {
                sb.append(RunSummary.wrap("  default:", d, 110, "      "));
            }
        }
        if (a.current != null) {
            sb.append("\nFixes, simulated on the calibrated scenario (means over seeds 1-3):\n");
            sb.append(String.format(Locale.ROOT, "  %-4s %-26s %9s %9s %9s %12s %14s%n", "rank", "fix", "failed",
                    "PAWS rej", "drops", "connect p99", "headroom/s"));
            row(sb, "now", "current (no change)", a.current);
            for (Fix f : a.fixes) {
                row(sb, String.valueOf(a.rank(f)), f.id(), a.predictions.get(f.id()));
            }
            for (Fix f : a.fixes) {
                sb.append(RunSummary.wrap("  " + a.rank(f) + ". " + f.id() + ":", f.title() + ". Change: "
                        + String.join(" ", f.sets().stream().map(s -> "--set " + s).toList()) + ". Cost: "
                        + String.join("; ", f.costs()) + ". Applies to: " + f.appliesTo() + ".", 110, "      "));
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String rank, String id, Fix.Prediction p) {
        sb.append(String.format(Locale.ROOT, "  %-4s %-26s %9.1f %9.1f %9.1f %10.0fms %13s%n", rank, id, p.failed(),
                p.pawsRejects(), p.silentDrops(), p.connectP99Ms(), (p.headroomAtLeast() ? "≥" : "")
                        + String.format(Locale.ROOT, "%.1f", p.headroomRate())));
    }

    /** The page: findings, the calibration table, the fix table and per fix the before/after series. */
    public static String toHtml(Advice a, SeriesTable baseline) {
        List<Map<String, Object>> charts = new ArrayList<>();
        if (a.current != null && baseline != null) {
            int failed = baseline.column(SeriesKey.FAILED.column());
            for (Fix f : a.fixes) {
                SeriesTable after = a.fixRuns.get(f.id()).series();
                List<Map<String, Object>> lines = new ArrayList<>();
                lines.add(HtmlPage.line("now: failed/s", "#c0392b", values(baseline, failed)));
                lines.add(HtmlPage.line(f.id() + ": failed/s", "#27ae60", values(after, after.column(SeriesKey.FAILED.column()))));
                lines.add(HtmlPage.line("now: PAWS rejects/s", "#e67e22", pawsPerSecond(baseline)));
                lines.add(HtmlPage.line(f.id() + ": PAWS rejects/s", "#2980b9", pawsPerSecond(after)));
                charts.add(HtmlPage.chart("fix-" + f.id(), a.rank(f) + ". " + f.title(), "/s",
                        "seed 1, before and after: " + String.join(" ", f.sets()), false, lines));
            }
        }
        StringBuilder h = new StringBuilder();
        HtmlPage.head(h, "twlab advise", charts.size());
        h.append("<h1>twlab advise</h1>\n<p class=\"facts\">");
        for (HostEvidence host : a.observed.bundle.hosts.values()) {
            h.append(HtmlPage.fact(host.name, a.observed.roles.get(host.name).key() + ", "
                    + a.observed.kernel(host).profile()));
        }
        if (a.observed.rate >= 0) {
            h.append(HtmlPage.fact("new connections", String.format(Locale.ROOT, "%.2f/s", a.observed.rate)));
        }
        h.append("</p>\n");
        List<Object> fs = new ArrayList<>();
        for (AdviceFinding f : a.findings) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("severity", f.severity().key());
            m.put("kind", f.rule() + " · " + f.host());
            m.put("text", f.text());
            fs.add(m);
        }
        HtmlPage.findings(h, fs);
        if (a.calibration != null) {
            h.append("<h2>Calibration</h2>\n<table>\n<tr><th>role</th><th>counter</th><th>observed</th>"
                    + "<th>simulated (mean of 3 seeds)</th><th>ratio</th></tr>\n");
            for (Calibration.Row r : a.calibration.rows) {
                h.append("<tr><td>").append(HtmlPage.esc(r.role())).append("</td><td>").append(HtmlPage.esc(r.counter()))
                        .append("</td><td>").append(r.observed()).append("</td><td>")
                        .append(String.format(Locale.ROOT, "%.1f", r.simulated())).append("</td><td>")
                        .append(r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio()))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
            h.append("<h2>Fixes</h2>\n<table>\n<tr><th>rank</th><th>fix</th><th>change</th><th>failed</th>"
                    + "<th>PAWS rejects</th><th>silent drops</th><th>connect p99 ms</th><th>headroom /s</th>"
                    + "<th>costs</th><th>applies to</th></tr>\n");
            fixRow(h, "now", "no change", List.of(), a.current, List.of(), "");
            for (Fix f : a.fixes) {
                fixRow(h, String.valueOf(a.rank(f)), f.title(), f.sets(), a.predictions.get(f.id()), f.costs(),
                        f.appliesTo());
            }
            h.append("</table>\n");
        }
        HtmlPage.charts(h, "Before and after", charts, "");
        Map<String, Object> data = new LinkedHashMap<>();
        List<Double> x = new ArrayList<>();
        if (baseline != null) {
            for (double[] row : baseline.rows()) {
                x.add(row[0]);
            }
        }
        data.put("x", x);
        data.put("spanSeconds", x.isEmpty() ? 0 : x.get(x.size() - 1));
        data.put("charts", charts);
        HtmlPage.tail(h, data);
        return h.toString();
    }

    private static void fixRow(StringBuilder h, String rank, String title, List<String> sets, Fix.Prediction p,
                               List<String> costs, String applies) {
        h.append("<tr><td>").append(rank).append("</td><td>").append(HtmlPage.esc(title)).append("</td><td><code>")
                .append(HtmlPage.esc(String.join(" ", sets))).append("</code></td><td>")
                .append(String.format(Locale.ROOT, "%.1f</td><td>%.1f</td><td>%.1f</td><td>%.0f</td><td>%s%.1f",
                        p.failed(), p.pawsRejects(), p.silentDrops(), p.connectP99Ms(),
                        p.headroomAtLeast() ? "≥" : "", p.headroomRate()))
                .append("</td><td>").append(HtmlPage.esc(String.join("; ", costs))).append("</td><td>")
                .append(HtmlPage.esc(applies)).append("</td></tr>\n");
    }

    /** PAWS rejects per second summed over the servers, by whichever counter their kernel uses. */
    private static List<Double> pawsPerSecond(SeriesTable t) {
        List<Integer> cols = new ArrayList<>();
        for (int i = 0; i < t.columns().size(); i++) {
            String c = t.columns().get(i);
            if (c.startsWith(CalibratedScenario.SERVERS) && (c.endsWith(".PAWSEstab") || c.endsWith(".PAWSTimewait"))) {
                cols.add(i);
            }
        }
        List<Double> v = new ArrayList<>();
        for (double[] row : t.rows()) {
            double sum = 0;
            for (int c : cols) {
                sum += row[c];
            }
            v.add(sum);
        }
        return v;
    }

    private static List<Double> values(SeriesTable t, int col) {
        List<Double> v = new ArrayList<>();
        for (double[] row : t.rows()) {
            v.add(col < 0 ? null : row[col]);
        }
        return v;
    }
}
