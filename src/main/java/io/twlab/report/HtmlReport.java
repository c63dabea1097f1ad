package io.twlab.report;

import io.twlab.metrics.SeriesTable;
import io.twlab.model.SeriesKey;
import io.twlab.model.SeriesRecorder;
import io.twlab.ipvs.IpvsVerdict;
import io.twlab.nat.NatVerdict;
import io.twlab.net.Verdict;
import io.twlab.tcp.Counter;
import io.twlab.tcp.TcpVerdict;
import io.twlab.tcp.Counters;
import io.twlab.metrics.FailureCause;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML report of a run: one self-contained page (styles, chart library, data and script inlined; nothing
 * fetched when it is opened) with the scenario in brief, the findings in words, charts of the per-second series,
 * the director and NAT tables and each host's counters as {@code netstat -s} prints them. It is drawn from the
 * summary document and the series alone, so a stored run renders the same page as the live one.
 */
public final class HtmlReport {
    /** A long run is drawn with at most this many points per line, each the mean/max/min of a few seconds. */
    static final int MAX_POINTS = 2400;

    private final Map<String, Object> summary;
    private final SeriesTable series;
    private final int bucket;
    private final List<Map<String, Object>> charts = new ArrayList<>();

    private HtmlReport(Map<String, Object> summary, SeriesTable series) {
        this.summary = summary;
        this.series = series;
        this.bucket = Math.max(1, (series.rows().size() + MAX_POINTS - 1) / MAX_POINTS);
    }

    public static String render(Map<String, Object> summary, SeriesTable series) {
        HtmlReport r = new HtmlReport(summary, series);
        r.buildCharts();
        return r.page();
    }

    // ---- charts ----

    private enum Agg { MEAN, MAX, MIN_NON_NEGATIVE }

    private void buildCharts() {
        List<Map<String, Object>> lines = new ArrayList<>();
        add(lines, "offered", column(SeriesKey.OFFERED_RATE), Agg.MEAN, "#6e7781", true);
        add(lines, "succeeded", column(SeriesKey.SUCCESSES), Agg.MEAN, "#1a7f37", false);
        String[] failColors = {"#cf222e", "#bc4c00", "#8250df", "#bf3989", "#9a6700", "#a40e26", "#0550ae"};
        for (FailureCause f : FailureCause.values()) {
            double[] v = column(SeriesKey.failed(f));
            if (v != null && sum(v) > 0) {
                add(lines, "failed: " + f.key(), v, Agg.MEAN, failColors[f.ordinal() % failColors.length], false);
            }
        }
        chart("requests", "Requests per second: offered, succeeded, failed by cause", "requests/s",
                "Failures are counted in the second the client gives up on the request.", false, lines);

        lines = new ArrayList<>();
        add(lines, "p50", positive(column(SeriesKey.CONNECT_P50_MS)), Agg.MAX, null, false);
        add(lines, "p99", positive(column(SeriesKey.CONNECT_P99_MS)), Agg.MAX, null, false);
        add(lines, "max", positive(column(SeriesKey.CONNECT_MAX_MS)), Agg.MAX, null, false);
        chart("latency", "Connect latency percentiles (log scale)", "ms",
                "Per second, over the connects that completed in it; a SYN retransmission shows as a step to 1 s, 3 s...",
                true, lines);

        List<String> servers = hostsWithRole("server");
        lines = new ArrayList<>();
        if (servers.size() <= 12) {
            for (String h : servers) {
                add(lines, h, column(SeriesKey.timeWait(h)), Agg.MAX, null, false);
            }
        } else {
            add(lines, "all " + servers.size() + " servers", sumOver(servers, SeriesKey::timeWait), Agg.MAX, null, false);
        }
        chart("timewait", "TIME_WAIT sockets per server", "sockets", "Sampled once a second (ss -tan state time-wait).",
                false, lines);

        lines = new ArrayList<>();
        for (Counter c : SeriesRecorder.SERIES_COUNTERS) {
            if (c == Counter.PassiveOpens || c == Counter.TW) {
                continue;
            }
            double[] v = sumOver(servers, h -> SeriesKey.counter(h, c));
            if (v != null && sum(v) > 0) {
                add(lines, c.nstatName(), v, Agg.MEAN, null, false);
            }
        }
        String note = "Summed over the servers, per second (nstat deltas).";
        if (lines.isEmpty()) {
            add(lines, Counter.PassiveOpens.nstatName(), sumOver(servers, h -> SeriesKey.counter(h, Counter.PassiveOpens)), Agg.MEAN,
                    null, false);
            note = "No PAWS, tw_recycle, TIME_WAIT overflow or reset counter moved on the servers; accepted "
                    + "connections shown instead.";
        }
        chart("counters", "Server counter rates", "per second", note, false, lines);

        for (Map.Entry<String, Object> d : Json.object(summary.get("directors")).entrySet()) {
            lines = new ArrayList<>();
            add(lines, "offered", column(SeriesKey.OFFERED_RATE), Agg.MEAN, "#6e7781", true);
            add(lines, "new connections (" + d.getKey() + ")", column(SeriesKey.directorConns(d.getKey())), Agg.MEAN, "#0969da", false);
            chart("director-" + d.getKey(), "Director " + d.getKey() + ": new connections per second (ipvsadm --rate CPS)",
                    "conn/s", "SYNs that find an existing connection entry are not new connections: they go to the "
                            + "real server of the old entry.", false, lines);
            lines = new ArrayList<>();
            for (Map.Entry<String, Object> svc : Json.object(Json.object(d.getValue()).get("services")).entrySet()) {
                for (String rs : Json.object(Json.object(svc.getValue()).get("realServers")).keySet()) {
                    add(lines, svc.getKey() + " → " + rs, column(SeriesKey.realServerConns(d.getKey(), svc.getKey(), rs)),
                            Agg.MEAN, null, false);
                }
            }
            chart("realservers-" + d.getKey(), "Director " + d.getKey() + ": new connections per real server", "conn/s",
                    "How the scheduler spread new connections.", false, lines);
        }

        double twMax = 0;
        for (String h : servers) {
            Map<String, Object> life = Json.object(Json.object(Json.object(Json.object(summary.get("hosts")).get(h)).get("timeWait")).get("lifetime"));
            if (life.get("maxSeconds") instanceof Number n) {
                twMax = Math.max(twMax, n.doubleValue());
            }
        }
        for (String nat : Json.object(summary.get("nats")).keySet()) {
            double[] age = column(SeriesKey.natMinReuseAge(nat));
            if (age == null || java.util.Arrays.stream(age).allMatch(v -> v < 0)) {
                continue;
            }
            lines = new ArrayList<>();
            add(lines, "shortest reuse age (" + nat + ")", age, Agg.MIN_NON_NEGATIVE, "#8250df", false);
            if (twMax > 0) {
                double[] flat = new double[age.length];
                java.util.Arrays.fill(flat, twMax);
                add(lines, "longest TIME_WAIT seen on the servers", flat, Agg.MAX, "#cf222e", true);
            }
            chart("reuse-" + nat, "NAT " + nat + ": age of a source port when it is handed out again", "seconds",
                    "A port reused sooner than the server's TIME_WAIT lasts meets its old 4-tuple still in TIME_WAIT.",
                    false, lines);
        }
    }

    private void chart(String id, String title, String unit, String note, boolean log, List<Map<String, Object>> lines) {
        if (!lines.isEmpty()) {
            charts.add(HtmlPage.chart(id, title, unit, note, log, lines));
        }
    }

    private void add(List<Map<String, Object>> lines, String label, double[] perSecond, Agg agg, String color,
                     boolean dash) {
        if (perSecond == null) {
            return;
        }
        Map<String, Object> line = HtmlPage.line(label, color, downsample(perSecond, agg));
        if (dash) {
            line.put("dash", true);
        }
        lines.add(line);
    }

    /** Buckets of {@code bucket} seconds; NaN (no value) stays a gap. */
    private List<Double> downsample(double[] v, Agg agg) {
        List<Double> out = new ArrayList<>();
        for (int start = 0; start < v.length; start += bucket) {
            double acc = Double.NaN;
            int n = 0;
            for (int i = start; i < Math.min(v.length, start + bucket); i++) {
                double x = v[i];
                if (Double.isNaN(x) || (agg == Agg.MIN_NON_NEGATIVE && x < 0)) {
                    continue;
                }
                acc = Double.isNaN(acc) ? x : switch (agg) {
                    case MEAN -> acc + x;
                    case MAX -> Math.max(acc, x);
                    case MIN_NON_NEGATIVE -> Math.min(acc, x);
                };
                n++;
            }
            if (agg == Agg.MEAN && n > 0) {
                acc /= n;
            }
            out.add(Double.isNaN(acc) ? null : Math.round(acc * 1000) / 1000.0);
        }
        return out;
    }

    private double[] column(SeriesKey key) {
        int col = series.column(key.column());
        if (col < 0) {
            return null;
        }
        double[] v = new double[series.rows().size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = series.rows().get(i)[col];
        }
        return v;
    }

    private double[] sumOver(List<String> hosts, java.util.function.Function<String, SeriesKey> key) {
        double[] total = null;
        for (String h : hosts) {
            double[] v = column(key.apply(h));
            if (v == null) {
                continue;
            }
            if (total == null) {
                total = new double[v.length];
            }
            for (int i = 0; i < v.length; i++) {
                total[i] += v[i];
            }
        }
        return total;
    }

    /** Zeros become gaps (a second without connects has no latency; a log axis cannot show 0). */
    private static double[] positive(double[] v) {
        if (v == null) {
            return null;
        }
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] <= 0) {
                out[i] = Double.NaN;
            }
        }
        return out;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    private List<String> hostsWithRole(String role) {
        List<String> out = new ArrayList<>();
        Json.object(summary.get("hosts")).forEach((name, h) -> {
            if (role.equals(Json.object(h).get("role"))) {
                out.add(name);
            }
        });
        return out;
    }

    // ---- the page ----

    private String page() {
        Map<String, Object> scenario = Json.object(summary.get("scenario"));
        Map<String, Object> clients = Json.object(summary.get("clients"));
        String name = String.valueOf(scenario.get("name"));
        StringBuilder h = new StringBuilder(256 * 1024);
        HtmlPage.head(h, "twlab: " + name, charts.size());
        h.append("<h1>").append(HtmlPage.esc(name)).append("</h1>\n");
        Object description = scenario.get("description");
        if (description != null && !description.toString().isBlank()) {
            h.append("<p class=\"description\">").append(HtmlPage.esc(description.toString().strip())).append("</p>\n");
        }
        h.append("<div class=\"facts\">")
                .append(HtmlPage.fact("simulated", duration(((Number) scenario.get("durationSeconds")).doubleValue())))
                .append(HtmlPage.fact("seed", String.valueOf(scenario.get("seed"))))
                .append(HtmlPage.fact("requests", count(clients.get("attempts"))))
                .append(HtmlPage.fact("succeeded", count(clients.get("successes"))))
                .append(HtmlPage.fact("failed", count(clients.get("failed"))))
                .append(HtmlPage.fact("connect p99", ms(Json.object(clients.get("connectMs")).get("p99"))))
                .append(HtmlPage.fact("events", count(Json.object(summary.get("engine")).get("events"))))
                .append("</div>\n");

        HtmlPage.findings(h, summary.get("findings") instanceof List<?> list ? list : List.of());

        system(h);

        HtmlPage.charts(h, "Over time", charts, bucket > 1 ? " Each point covers " + bucket + " s." : "");

        drops(h);

        counters(h);

        h.append("<footer>Written by twlab from scenario ").append(HtmlPage.esc(name)).append(", seed ")
                .append(HtmlPage.esc(String.valueOf(scenario.get("seed"))))
                .append(". Same scenario and seed, same page. Charts drawn with uPlot (MIT licence, inlined).</footer>\n");
        Map<String, Object> data = new LinkedHashMap<>();
        List<Long> x = new ArrayList<>();
        for (int i = 0; i < series.rows().size(); i += bucket) {
            x.add((long) series.rows().get(i)[0]);
        }
        data.put("spanSeconds", series.rows().isEmpty() ? 0 : (long) series.rows().get(series.rows().size() - 1)[0]);
        data.put("x", x);
        data.put("charts", charts);
        HtmlPage.tail(h, data);
        return h.toString();
    }

    private void system(StringBuilder h) {
        h.append("<h2>System</h2>\n<table><tr><th>hosts</th><th>role</th><th>kernel</th><th>addresses</th>"
                + "<th>TIME_WAIT peak</th><th>TIME_WAIT lifetime</th></tr>\n");
        Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        Map<String, List<String>> names = new LinkedHashMap<>();
        Json.object(summary.get("hosts")).forEach((n, o) -> {
            Map<String, Object> hm = Json.object(o);
            String g = String.valueOf(hm.getOrDefault("group", n));
            groups.computeIfAbsent(g, k -> new ArrayList<>()).add(hm);
            names.computeIfAbsent(g, k -> new ArrayList<>()).add(n);
        });
        groups.forEach((g, members) -> {
            Map<String, Object> first = members.get(0);
            Map<String, Object> last = members.get(members.size() - 1);
            double peak = 0;
            double lifeMin = Double.MAX_VALUE;
            double lifeMax = 0;
            for (Map<String, Object> m : members) {
                Map<String, Object> tw = Json.object(m.get("timeWait"));
                if (tw.get("peak") instanceof Number p) {
                    peak = Math.max(peak, p.doubleValue());
                }
                Map<String, Object> life = Json.object(tw.get("lifetime"));
                if (life.get("maxSeconds") instanceof Number mx) {
                    lifeMax = Math.max(lifeMax, mx.doubleValue());
                    lifeMin = Math.min(lifeMin, ((Number) life.get("minSeconds")).doubleValue());
                }
            }
            List<String> n = names.get(g);
            h.append("<tr><td>").append(HtmlPage.esc(n.size() == 1 ? n.get(0) : g + " ×" + n.size())).append("</td><td>")
                    .append(HtmlPage.esc(String.valueOf(first.get("role")))).append("</td><td>")
                    .append(HtmlPage.esc(String.valueOf(first.get("kernel")))).append("</td><td>")
                    .append(HtmlPage.esc(first.get("address") + (members.size() > 1 ? " … " + last.get("address") : "")))
                    .append("</td><td class=\"num\">").append("server".equals(first.get("role"))
                            ? String.format(Locale.ROOT, "%,d", (long) peak) : "")
                    .append("</td><td>").append(lifeMax > 0 ? String.format(Locale.ROOT, "%.1f–%.1f s", lifeMin, lifeMax)
                            : "").append("</td></tr>\n");
        });
        h.append("</table>\n");

        Map<String, Object> nats = Json.object(summary.get("nats"));
        if (!nats.isEmpty()) {
            h.append("<table><tr><th>NAT</th><th>public addresses</th><th>ports</th><th>allocation</th>"
                    + "<th>mappings created</th><th>reused</th><th>allocation failures</th><th>dropped invalid</th></tr>\n");
            nats.forEach((n, o) -> {
                Map<String, Object> nm = Json.object(o);
                h.append("<tr><td>").append(HtmlPage.esc(n)).append("</td><td>")
                        .append(HtmlPage.esc(String.join(", ", Json.strings(nm.get("addresses"))))).append("</td><td>")
                        .append(HtmlPage.esc(String.valueOf(nm.get("ports")))).append("</td><td>")
                        .append(HtmlPage.esc(String.valueOf(nm.get("allocation")))).append("</td>")
                        .append(numCell(nm.get("mappingsCreated"))).append(numCell(nm.get("mappingsReused")))
                        .append(numCell(nm.get("allocationFailures"))).append(numCell(nm.get("droppedInvalid")))
                        .append("</tr>\n");
            });
            h.append("</table>\n");
        }
        Json.object(summary.get("directors")).forEach((d, o) -> {
            Map<String, Object> dm = Json.object(o);
            h.append("<h3>Director ").append(HtmlPage.esc(d)).append(" (ipvsadm -Ln --stats)</h3>\n<table><tr><th>service</th>"
                    + "<th>mode</th><th>real server</th><th>weight</th><th>Conns</th><th>InPkts</th><th>OutPkts</th>"
                    + "<th>ActiveConn</th><th>InActConn</th></tr>\n");
            Json.object(dm.get("services")).forEach((svc, so) -> {
                Map<String, Object> sm = Json.object(so);
                Json.object(sm.get("realServers")).forEach((rs, ro) -> {
                    Map<String, Object> r = Json.object(ro);
                    h.append("<tr><td>").append(HtmlPage.esc(svc)).append("</td><td>").append(HtmlPage.esc(String.valueOf(sm.get("mode"))))
                            .append("</td><td>").append(HtmlPage.esc(rs + " " + r.get("address"))).append("</td>")
                            .append(numCell(r.get("weight"))).append(numCell(r.get("conns"))).append(numCell(r.get("inPkts")))
                            .append(numCell(r.get("outPkts"))).append(numCell(r.get("activeConn")))
                            .append(numCell(r.get("inActConn"))).append("</tr>\n");
                });
            });
            h.append("</table>\n<div class=\"facts\">")
                    .append(HtmlPage.fact("SYNs on existing entries", count(dm.get("synsOnExistingEntries"))))
                    .append(HtmlPage.fact("dropped without entry", count(dm.get("droppedWithoutEntry"))))
                    .append(HtmlPage.fact("SYNPROXY retries", count(dm.get("synProxyRetries"))))
                    .append(HtmlPage.fact("SYNs dropped for conntrack", count(dm.get("synsDroppedForConntrack"))))
                    .append(HtmlPage.fact("no real server", count(dm.get("droppedNoServer"))))
                    .append(HtmlPage.fact("no local port", count(dm.get("droppedNoLocalPort"))))
                    .append("</div>\n");
        });
        long delivered = 0;
        long lost = 0;
        if (summary.get("links") instanceof List<?> links) {
            for (Object o : links) {
                delivered += Json.asLong(Json.object(o).get("delivered"));
                lost += Json.asLong(Json.object(o).get("lost"));
            }
        }
        h.append("<div class=\"facts\">").append(HtmlPage.fact("packets delivered on links", String.format(Locale.ROOT, "%,d",
                delivered))).append(HtmlPage.fact("lost on links", String.format(Locale.ROOT, "%,d", lost))).append("</div>\n");
    }

    /** Each server's counters, and each client group's summed, as net-tools' netstat -s prints them. */
    private void counters(StringBuilder h) {
        h.append("<h2>Counters (netstat -s, whole run)</h2>\n<div class=\"counters\">\n");
        Map<String, long[]> blocks = new LinkedHashMap<>();
        Map<String, Integer> members = new LinkedHashMap<>();
        Map<String, String> kernels = new LinkedHashMap<>();
        Json.object(summary.get("hosts")).forEach((n, o) -> {
            Map<String, Object> hm = Json.object(o);
            String key = "server".equals(hm.get("role")) ? n : String.valueOf(hm.getOrDefault("group", n));
            long[] v = blocks.computeIfAbsent(key, k -> new long[Counter.values().length]);
            members.merge(key, 1, Integer::sum);
            kernels.putIfAbsent(key, String.valueOf(hm.get("kernel")));
            // A summary from another twlab version may name counters this one does not have: they are skipped.
            Json.object(hm.get("counters")).forEach((c, value) -> COUNTERS_BY_NAME.computeIfPresent(c, (k, counter) -> {
                v[counter.ordinal()] += Json.asLong(value);
                return counter;
            }));
        });
        blocks.forEach((key, values) -> {
            Counters view = new Counters();
            for (Counter c : Counter.values()) {
                view.add(c, values[c.ordinal()]);
            }
            int n = members.get(key);
            h.append("<div><h3>").append(HtmlPage.esc(key + " (" + kernels.get(key) + (n > 1 ? ", " + n + " hosts summed" : "")
                    + ")")).append("</h3><pre class=\"netstat\">").append(HtmlPage.esc(view.toNetstat())).append("</pre></div>\n");
        });
        h.append("</div>\n");
    }

    /**
     * Every packet an element rejected or dropped, by the verdict that named the branch, with the kernel function
     * it follows: servers one by one, client groups summed, then NATs and directors.
     */
    private void drops(StringBuilder h) {
        Map<String, Map<String, Long>> rows = new LinkedHashMap<>();
        Map<String, String> functions = new LinkedHashMap<>();
        Json.object(summary.get("hosts")).forEach((n, o) -> {
            Map<String, Object> hm = Json.object(o);
            String key = "server".equals(hm.get("role")) ? n : String.valueOf(hm.getOrDefault("group", n));
            addDrops(rows, functions, key, hm.get("drops"), TcpVerdict.values());
        });
        Json.object(summary.getOrDefault("nats", Map.of())).forEach((n, o) ->
                addDrops(rows, functions, n, Json.object(o).get("drops"), NatVerdict.values()));
        Json.object(summary.getOrDefault("directors", Map.of())).forEach((n, o) ->
                addDrops(rows, functions, n, Json.object(o).get("drops"), IpvsVerdict.values()));
        h.append("<h2>Drops by reason</h2>\n");
        if (rows.values().stream().allMatch(Map::isEmpty)) {
            h.append("<p>No element rejected or dropped a packet.</p>\n");
            return;
        }
        h.append("<table><tr><th>element</th><th>verdict</th><th>kernel function</th><th>packets</th></tr>\n");
        rows.forEach((element, reasons) -> reasons.forEach((reason, n) -> h.append("<tr><td>")
                .append(HtmlPage.esc(element)).append("</td><td>").append(HtmlPage.esc(reason)).append("</td><td>")
                .append(HtmlPage.esc(functions.getOrDefault(reason, ""))).append("</td>").append(numCell(n))
                .append("</tr>\n")));
        h.append("</table>\n");
    }

    private static void addDrops(Map<String, Map<String, Long>> rows, Map<String, String> functions, String element,
                                 Object drops, Verdict[] verdicts) {
        Map<String, Long> reasons = rows.computeIfAbsent(element, k -> new LinkedHashMap<>());
        if (!(drops instanceof Map<?, ?>)) {
            return;
        }
        Json.object(drops).forEach((reason, n) -> {
            reasons.merge(reason, Json.asLong(n), Long::sum);
            for (Verdict v : verdicts) {
                if (v.name().equals(reason)) {
                    functions.put(reason, v.kernelFunction());
                }
            }
        });
    }

    // ---- small helpers ----

    private static final Map<String, Counter> COUNTERS_BY_NAME = new java.util.HashMap<>();

    static {
        for (Counter c : Counter.values()) {
            COUNTERS_BY_NAME.put(c.name(), c);
        }
    }

    private static String numCell(Object v) {
        return "<td class=\"num\">" + count(v) + "</td>";
    }

    private static String count(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%,d", n.longValue()) : "-";
    }

    private static String ms(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%,.1f ms", n.doubleValue()) : "-";
    }

    private static String duration(double seconds) {
        long s = (long) seconds;
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + " s";
    }

}
