package io.twlab.sweep;

import io.twlab.cli.CliRunner;
import io.twlab.report.Chromium;
import io.twlab.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `twlab sweep`: the axis forms, seed 000's map against capacity, resuming, thread-count independence, bad input. */
class SweepTest {
    private static final String MAP = "scenarios/sweep/nat-paws-map.yaml";

    @TempDir
    Path dir;

    /** Runs the CLI, returning {exit status, stdout}. */
    private static Object[] cli(String... args) {
        CliRunner.Output o = CliRunner.runWithOutput(args);
        return new Object[]{o.status(), o.out() + (o.status() == 0 ? "" : o.err())};
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Object[] r) {
        assertThat(r[0]).as("exit status, output %s", r[1]).isEqualTo(0);
        return (Map<String, Object>) Json.parse((String) r[1]);
    }

    @Test
    void axesTakeListsRangesDurationsAndFactors() {
        assertThat(Axis.parse("hosts.nginx.kernel=linux-2.6.32, linux-6.18").values())
                .containsExactly("linux-2.6.32", "linux-6.18");
        // 400, 450, ... 1200: (1200 - 400) / 50 + 1 = 17 values.
        Axis rate = Axis.parse("workloads.partner.rate=400..1200/50");
        assertThat(rate.values()).hasSize(17).startsWith("400", "450").endsWith("1200");
        assertThat(rate.numeric()).isTrue();
        // 10 min to 2 h by 10 min: 12 values, written in seconds.
        assertThat(Axis.parse("duration=10m..2h/10m").values()).hasSize(12).startsWith("600s").endsWith("7200s");
        assertThat(Axis.parse("workloads.a.rate=10..10000*10").values()).containsExactly("10", "100", "1000", "10000");
        assertThat(Axis.parse("x=0.1..0.5/0.1").values()).containsExactly("0.1", "0.2", "0.3", "0.4", "0.5");
        assertThatThrownBy(() -> Axis.parse("workloads.a.rate=900..400/50")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Axis.parse("workloads.a.rate=400..900/0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> Axis.parse("workloads.a.rate=400..900")).hasMessageContaining("step");
        assertThatThrownBy(() -> Axis.parse("rate")).hasMessageContaining("PATH=SPEC");
    }

    @Test
    void latinHypercubeIsSeededAndCoversEveryStratum() {
        Axis a = Axis.parse("a=1..100/1");
        Axis b = Axis.parse("b=1..100/1");
        SweepPlan one = SweepPlan.latinHypercube(List.of(a, b), 10, 7, 1);
        SweepPlan again = SweepPlan.latinHypercube(List.of(a, b), 10, 7, 1);
        assertThat(one.points()).isEqualTo(again.points());
        // 10 strata of 10 values each: exactly one point per stratum on each axis.
        for (int axis = 0; axis < 2; axis++) {
            int finalAxis = axis;
            assertThat(one.points().stream().map(p -> (Integer.parseInt(p.values().get(finalAxis)) - 1) / 10)
                    .distinct().count()).isEqualTo(10);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void seed000sMapPutsTheOnsetOfPawsRejectsWithinOneStepOfCapacity() throws Exception {
        Path out = dir.resolve("map");
        Map<String, Object> doc = json(cli("sweep", MAP, "--vary", "workloads.partner.rate=20..200/10", "--vary",
                "hosts.nginx.kernel=linux-2.6.32,linux-3.10.0-1127,linux-4.19,linux-6.18", "--map", "pawsRejects",
                "--metrics", "pawsRejects,failureShare,attempts", "--threads", "2", "--out", out.toString(), "--json"));
        assertThat((List<?>) doc.get("points")).hasSize(19 * 4);
        Map<String, Object> first = (Map<String, Object>) ((Map<String, Object>) doc.get("boundary")).get("firstAbove");
        List<Map<String, Object>> edges = (List<Map<String, Object>>) doc.get("capacityEdges");
        assertThat(edges).hasSize(4);
        for (Map<String, Object> e : edges) {
            String kernel = (String) e.get("hosts.nginx.kernel");
            double edge = ((Number) e.get("maxRate")).doubleValue();
            double onset = Double.parseDouble((String) first.get(kernel));
            // The rate at which a port (6,000 of them) comes back within the server's longest TIME_WAIT, against
            // the first swept rate with a PAWS reject: no more than one 10/s step apart.
            assertThat(Math.abs(onset - edge)).as("%s: onset %s, capacity %s", kernel, onset, edge)
                    .isLessThanOrEqualTo(10);
        }
        // 6000 ports / 112.5 s = 53.3/s on a loaded 2.6.32; 6000 / 67 s = 89.6/s on 3.10.0-1127; 6000 / ~62 s on
        // 4.19 and 6.18 (a 60 s TIME_WAIT plus the reaper's slack): the older the kernel, the earlier the edge.
        double[] rates = edges.stream().mapToDouble(e -> ((Number) e.get("maxRate")).doubleValue()).toArray();
        assertThat(rates[0]).isBetween(50.0, 56.0);
        assertThat(rates[1]).isBetween(86.0, 92.0);
        assertThat(rates[2]).isBetween(93.0, 100.0);
        assertThat(Files.readString(out.resolve("sweep.html"))).contains("\"kind\":\"heatmap\"");
        assertThat(out.resolve("runs.parquet")).isNotEmptyFile();
        assertThat(out.resolve("points.parquet")).isNotEmptyFile();
        if (Chromium.available() || "1".equals(System.getenv("TWLAB_REQUIRE_BROWSER"))) {
            Chromium.assume();
            // Two charts: the heatmap and the lines per kernel.
            Chromium.check(out.resolve("sweep.html"), 2, "sweep-nat-paws-map", dir);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRerunSkipsStoredRunsAndThreadsDoNotChangeTheRows() throws Exception {
        String[] grid = {"--vary", "workloads.partner.rate=60,120", "--vary", "hosts.nginx.kernel=linux-2.6.32,linux-6.18",
                "--seeds", "2", "--set", "duration=2m", "--metrics", "pawsRejects,attempts,connectP99Ms"};
        Path one = dir.resolve("one");
        Path two = dir.resolve("two");
        Map<String, Object> a = json(cli(concat(new String[]{"sweep", MAP, "--threads", "1", "--out", one.toString(),
                "--json", "--map", "pawsRejects"}, grid)));
        Map<String, Object> b = json(cli(concat(new String[]{"sweep", MAP, "--threads", "2", "--out", two.toString(),
                "--json", "--map", "pawsRejects"}, grid)));
        assertThat(a.get("ran")).isEqualTo(8L);
        assertThat(b.get("points")).isEqualTo(a.get("points"));
        // The same rows, byte for byte, whatever the thread count.
        assertThat(Files.readAllBytes(two.resolve("runs.parquet"))).isEqualTo(Files.readAllBytes(one.resolve(
                "runs.parquet")));
        Map<String, Object> again = json(cli(concat(new String[]{"sweep", MAP, "--out", one.toString(), "--json",
                "--map", "pawsRejects"}, grid)));
        assertThat(again.get("ran")).isEqualTo(0L);
        assertThat(again.get("reused")).isEqualTo(8L);
        assertThat(again.get("points")).isEqualTo(a.get("points"));
        // A point more runs only that point's seeds.
        String[] wider = grid.clone();
        wider[1] = "workloads.partner.rate=60,120,180";
        Map<String, Object> more = json(cli(concat(new String[]{"sweep", MAP, "--out", one.toString(), "--json",
                "--map", "pawsRejects"}, wider)));
        assertThat(more.get("ran")).isEqualTo(4L);
        // --report re-renders the page from the store alone.
        Files.delete(one.resolve("sweep.html"));
        assertThat(cli("sweep", "--report", one.toString(), "--quiet")[0]).isEqualTo(0);
        assertThat(one.resolve("sweep.html")).isNotEmptyFile();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRunThatFailsIsRecordedAndTheSweepGoesOn() {
        // Ten years of per-second series do not fit the test JVM's heap: that run fails, the other one runs.
        Map<String, Object> doc = json(cli("sweep", MAP, "--vary", "duration=1m,3650d", "--metrics", "attempts",
                "--map", "attempts", "--out", dir.resolve("f").toString(), "--json"));
        assertThat(doc.get("failedRuns")).isEqualTo(1L);
        List<Map<String, Object>> points = (List<Map<String, Object>>) doc.get("points");
        assertThat(points.get(0).get("seeds")).isEqualTo(1L);
        assertThat(((Number) ((Map<String, Object>) points.get(0).get("metrics")).get("attempts")).longValue())
                .isPositive();
        assertThat(points.get(1).get("seeds")).isEqualTo(0L);
    }

    @Test
    void badInputIsExitTwo() {
        String out = dir.resolve("bad").toString();
        assertThat(cli("sweep", MAP, "--vary", "workloads.nobody.rate=1,2", "--out", out)[0]).isEqualTo(2);
        assertThat(cli("sweep", MAP, "--vary", "workloads.partner.rate=900..400/50", "--out", out)[0]).isEqualTo(2);
        assertThat(cli("sweep", MAP, "--vary", "workloads.partner.rate=400..900/0", "--out", out)[0]).isEqualTo(2);
        assertThat(cli("sweep", MAP, "--vary", "workloads.partner.rate=1,2", "--metrics", "nonsense", "--out",
                out)[0]).isEqualTo(2);
        // 1001 x 1001 = 1,002,001 points, over the 1,000,000 that need --yes.
        assertThat(cli("sweep", MAP, "--vary", "workloads.partner.rate=0..1000/1", "--vary", "duration=1..1001/1",
                "--out", out)[0]).isEqualTo(2);
        assertThat(cli("sweep", "--report", dir.resolve("nothing").toString())[0]).isEqualTo(2);
        // The Spark engine lives in twlab-spark.jar, not on the core's class path: a clear refusal.
        Object[] spark = cli("sweep", MAP, "--vary", "workloads.partner.rate=1,2", "--engine", "spark", "--out", out);
        assertThat(spark[0]).isEqualTo(2);
        assertThat((String) spark[1]).contains("twlab-spark");
    }

    private static String[] concat(String[] a, String[] b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(new String[0]);
    }
}
