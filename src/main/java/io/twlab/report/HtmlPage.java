package io.twlab.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The parts every twlab HTML page shares: the head with inlined styles, the findings list, chart placeholders,
 * and the tail that embeds the data, uPlot (with its licence) and the drawing script. Pages built from these are
 * self-contained: nothing is fetched when they are opened.
 */
public final class HtmlPage {
    private HtmlPage() {
    }

    /** From the doctype to the opening of {@code <main>}; {@code charts} is how many charts the page will draw. */
    public static void head(StringBuilder h, String title, int charts) {
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n<style>\n")
                .append(resource("vendor/uPlot.min.css")).append('\n').append(resource("report.css"))
                .append("</style>\n</head>\n<body data-charts=\"").append(charts).append("\">\n<main>\n");
    }

    /** Findings (maps with {@code severity}, {@code text}, {@code kind}), most severe first as given. */
    public static void findings(StringBuilder h, List<?> findings) {
        h.append("<h2>Findings</h2>\n<ol class=\"findings\">\n");
        for (Object o : findings) {
            Map<?, ?> f = (Map<?, ?>) o;
            h.append("<li class=\"").append(esc(String.valueOf(f.get("severity")))).append("\"><span class=\"sev\">")
                    .append(esc(String.valueOf(f.get("severity")))).append("</span>")
                    .append(esc(String.valueOf(f.get("text")))).append("<span class=\"kind\">")
                    .append(esc(String.valueOf(f.get("kind")))).append("</span></li>\n");
        }
        h.append("</ol>\n");
    }

    /** One placeholder per chart (maps with {@code id}, {@code title}, {@code note}); {@code extraNote} follows each note. */
    public static void charts(StringBuilder h, String heading, List<Map<String, Object>> charts, String extraNote) {
        h.append("<h2>").append(esc(heading)).append("</h2>\n<div class=\"charts\">\n");
        for (Map<String, Object> c : charts) {
            h.append("<div class=\"chart\" id=\"chart-").append(esc(c.get("id").toString())).append("\">")
                    .append("<h3>").append(esc(c.get("title").toString())).append("</h3>")
                    .append("<p class=\"note\">").append(esc(c.get("note").toString())).append(esc(extraNote))
                    .append("</p><div class=\"plot\"></div></div>\n");
        }
        h.append("</div>\n");
    }

    /**
     * Closes {@code <main>} and embeds the chart data ({@code x}, {@code spanSeconds}, {@code charts}; a chart may
     * carry its own {@code x}), uPlot and the drawing script.
     */
    public static void tail(StringBuilder h, Map<String, Object> data) {
        h.append("</main>\n");
        h.append("<script type=\"application/json\" id=\"twlab-data\">")
                .append(Json.writeCompact(data).replace("</", "<\\/")).append("</script>\n");
        h.append("<script>\n/*! uPlot | MIT licence:\n").append(resource("vendor/LICENSE").replace("*/", "* /"))
                .append("*/\n").append(resource("vendor/uPlot.iife.min.js")).append("\n</script>\n");
        h.append("<script>\n").append(resource("report.js")).append("</script>\n</body>\n</html>\n");
    }

    /**
     * A chart for the drawing script: its placeholder id, title, y unit, note, log scale, and lines; a caller may
     * add {@code xLabel} or its own {@code x} to the (mutable) map.
     */
    public static Map<String, Object> chart(String id, String title, String unit, String note, boolean log,
                                            List<Map<String, Object>> lines) {
        Map<String, Object> c = new java.util.LinkedHashMap<>();
        c.put("id", id);
        c.put("title", title);
        c.put("unit", unit);
        c.put("note", note);
        c.put("log", log);
        c.put("series", lines);
        return c;
    }

    /**
     * A line of a chart, one value (or null for a gap) per x; {@code color} null takes the palette's next. A caller
     * may add {@code dash}, {@code scatter} or {@code spanGaps} to the (mutable) map.
     */
    public static Map<String, Object> line(String label, String color, List<Double> values) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("label", label);
        if (color != null) {
            m.put("color", color);
        }
        m.put("values", values);
        return m;
    }

    public static String fact(String label, String value) {
        return "<span>" + esc(label) + " <b>" + esc(value) + "</b></span>";
    }

    static String resource(String name) {
        try (InputStream in = HtmlPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("report resource " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
