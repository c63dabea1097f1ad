package io.twlab.report;

import io.twlab.cli.CliRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTML report of seed 000 in reduced form (700 conn/s for 150 s: ports back after 63488 / 700 = 90.7 s, PAWS
 * rejects once the ports wrap): self-contained, with the findings in words and one chart per view, each with data.
 */
class HtmlReportTest {
    @TempDir
    static Path dir;
    static Path out;
    static String html;

    @BeforeAll
    static void simulate() throws Exception {
        out = dir.resolve("run");
        assertThat(CliRunner.run("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=700",
                "--set", "duration=150s", "--quiet", "--out", out.toString())).isZero();
        html = Files.readString(out.resolve("report.html"));
    }

    /** The chart data embedded in the page. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> data(String page) {
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"twlab-data\">(.*?)</script>",
                Pattern.DOTALL).matcher(page);
        assertThat(m.find()).isTrue();
        return (Map<String, Object>) Json.parse(m.group(1).replace("<\\/", "</"));
    }

    @Test
    void pageIsSelfContained() {
        // Nothing fetched when opened: no external scripts, styles, images or fonts.
        assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//")
                .doesNotContain("@import").doesNotContain("url(http");
        assertThat(html).contains("uPlot").contains("function clock(");
        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    }

    @Test
    void findingsSayWhatHappenedWithTheFigures() throws Exception {
        // The finding's time span is the first and last second with a reject in the series; the first cannot come
        // before ports wrap at 63488 / 700 = 90.7 s (it comes later: the first TIME_WAITs, made before the load
        // built up past the reaper's quota, lived at most 60 s).
        List<String> csv = Files.readAllLines(out.resolve("series.csv"));
        int col = List.of(csv.get(0).split(",")).indexOf("nginx.PAWSEstab");
        List<Long> secondsWithRejects = csv.subList(1, csv.size()).stream().map(l -> l.split(","))
                .filter(f -> Long.parseLong(f[col]) > 0).map(f -> Long.parseLong(f[0])).toList();
        long first = secondsWithRejects.get(0);
        long last = secondsWithRejects.get(secondsWithRejects.size() - 1);
        assertThat(first).isGreaterThan(90);
        assertThat(html).contains("PAWS rejected").contains(String.format("on nginx between %s and %s",
                io.twlab.report.rules.Wording.clock(first), io.twlab.report.rules.Wording.clock(last))).contains("Onset at 700 conn/s offered")
                .contains("still in TIME_WAIT on linux-2.6.32");
        // The NAT's shortest reuse age: 63488 ports / 700 conn/s = 90.7 s.
        Matcher age = Pattern.compile("after as little as ([0-9.]+) s").matcher(html);
        assertThat(age.find()).isTrue();
        assertThat(Double.parseDouble(age.group(1))).isBetween(90.5, 91.0);
        assertThat(html).contains("packets rejects in established connections because of timestamp");
    }

    @Test
    void everyChartHasData() {
        Map<String, Object> data = data(html);
        List<?> x = (List<?>) data.get("x");
        // 150 one-second rows, below the downsampling threshold: one point per second.
        assertThat(x).hasSize(150);
        List<?> charts = (List<?>) data.get("charts");
        List<String> ids = charts.stream().map(c -> (String) ((Map<?, ?>) c).get("id")).toList();
        assertThat(ids).containsExactly("requests", "latency", "timewait", "counters", "reuse-partner-nat");
        for (Object c : charts) {
            for (Object line : (List<?>) ((Map<?, ?>) c).get("series")) {
                List<?> values = (List<?>) ((Map<?, ?>) line).get("values");
                assertThat(values).as("%s", ((Map<?, ?>) line).get("label")).hasSize(150);
            }
            long points = ((List<?>) ((Map<?, ?>) c).get("series")).stream()
                    .flatMap(l -> ((List<?>) ((Map<?, ?>) l).get("values")).stream()).filter(v -> v != null).count();
            assertThat(points).as("%s", ((Map<?, ?>) c).get("id")).isPositive();
        }
        assertThat(html).contains("data-charts=\"5\"");
    }

    @Test
    void reportCommandRendersTheSamePageFromTheStore() throws Exception {
        Path again = dir.resolve("again.html");
        assertThat(CliRunner.run("report", out.toString(), "--report", again.toString(), "--quiet")).isZero();
        assertThat(Files.readString(again)).isEqualTo(html);
    }

    @Test
    void sameSeedSamePage() throws Exception {
        Path second = dir.resolve("second");
        assertThat(CliRunner.run("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=700",
                "--set", "duration=150s", "--quiet", "--out", second.toString())).isZero();
        assertThat(Files.readString(second.resolve("report.html"))).isEqualTo(html);
    }

    @Test
    void longRunsAreDrawnWithBoundedPoints() throws Exception {
        // 3 h = 10,800 rows; at most 2,400 points per line means buckets of ceil(10800 / 2400) = 5 s: 2,160 points.
        Path report = dir.resolve("long.html");
        assertThat(CliRunner.run("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=20",
                "--set", "duration=3h", "--quiet", "--report", report.toString())).isZero();
        String page = Files.readString(report);
        assertThat((List<?>) data(page).get("x")).hasSize(2160);
        assertThat(page).contains("Each point covers 5 s.");
    }
}
