package io.twlab.analyzer.corpus;

import io.twlab.analyzer.Analysis;
import io.twlab.report.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `twlab analyze` on the independent labelled corpus ({@link Corpus}: captures written byte by byte without the
 * simulator, ground truth beside each): exact host counts, every expected finding kind with its exact count where
 * the truth knows it, and no other kind (100 % recall, no false positive per kind). The truth and the capture of
 * each case are written to {@code -Dtwlab.corpus.out=DIR} when given; a table of expected against found goes to
 * target/corpus-report.md (the one in docs/analyze.md comes from it).
 */
class CorpusTest {
    private static final List<String> REPORT = new ArrayList<>();

    @TempDir
    static Path dir;

    @TestFactory
    List<DynamicTest> everyCaseFindsWhatItHoldsAndNothingElse() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Corpus.Case c : Corpus.all()) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> check(c)));
        }
        return tests;
    }

    @SuppressWarnings("unchecked")
    private static void check(Corpus.Case c) throws Exception {
        Path out = System.getProperty("twlab.corpus.out") != null ? Path.of(System.getProperty("twlab.corpus.out"))
                : dir;
        Files.createDirectories(out);
        Path capture = out.resolve(c.name() + "." + c.extension());
        Files.write(capture, c.bytes());
        Files.writeString(out.resolve(c.name() + ".truth.json"), Json.write(truthMap(c)) + "\n");

        Analysis a = Analysis.run(capture);
        assertThat(a.warnings()).as("warnings").isEmpty();
        Map<String, Object> m = (Map<String, Object>) Json.parse(Json.write(a.toMap()));
        Map<String, Long> found = new TreeMap<>();
        for (Object f : (List<?>) m.get("findings")) {
            Map<String, Object> fm = (Map<String, Object>) f;
            found.merge((String) fm.get("kind"), ((Number) fm.get("count")).longValue(), Long::sum);
        }
        Map<String, Object> busiest = busiestSource(m);
        REPORT.add(row(c, found, busiest));

        assertThat(found.keySet()).as("finding kinds of %s", c.name())
                .containsExactlyInAnyOrderElementsOf(c.truth().kinds().keySet());
        for (Map.Entry<String, Long> e : c.truth().kinds().entrySet()) {
            if (e.getValue() >= 0) {
                assertThat(found.get(e.getKey())).as("%s count in %s", e.getKey(), c.name()).isEqualTo(e.getValue());
            }
        }
        Corpus.Truth t = c.truth();
        if (t.clockHosts() != null) {
            assertThat(busiest).as("a source with timestamps").isNotNull();
            assertThat(busiest.get("hosts") == null ? null : ((Number) busiest.get("hosts")).intValue())
                    .as("hosts of %s", busiest.get("ip")).isEqualTo(t.hosts());
            assertThat(((Number) busiest.get("clockHosts")).intValue()).as("clock lines").isEqualTo(t.clockHosts());
            assertThat(busiest.get("perConnectionOffsets")).as("per-connection offsets")
                    .isEqualTo(t.perConnectionOffsets());
            int reboots = 0;
            for (Object h : (List<?>) busiest.get("hostLines")) {
                reboots += ((Number) ((Map<String, Object>) h).get("reboots")).intValue();
            }
            assertThat(reboots).as("reboots").isEqualTo(t.reboots());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> busiestSource(Map<String, Object> analysis) {
        Map<String, Object> best = null;
        for (Object s : (List<?>) analysis.get("sources")) {
            Map<String, Object> sm = (Map<String, Object>) s;
            if (best == null || ((Number) sm.get("connections")).longValue()
                    > ((Number) best.get("connections")).longValue()) {
                best = sm;
            }
        }
        return best;
    }

    private static Map<String, Object> truthMap(Corpus.Case c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("case", c.name());
        m.put("description", c.description());
        m.put("kinds", c.truth().kinds());
        m.put("hosts", c.truth().hosts());
        m.put("clockHosts", c.truth().clockHosts());
        m.put("perConnectionOffsets", c.truth().perConnectionOffsets());
        m.put("reboots", c.truth().reboots());
        m.put("figures", new TreeMap<>(c.truth().figures()));
        return m;
    }

    private static String row(Corpus.Case c, Map<String, Long> found, Map<String, Object> busiest) {
        Map<String, Long> expected = new TreeMap<>(c.truth().kinds());
        TreeSet<String> kinds = new TreeSet<>(expected.keySet());
        kinds.addAll(found.keySet());
        StringBuilder e = new StringBuilder();
        StringBuilder f = new StringBuilder();
        for (String k : kinds) {
            if (expected.containsKey(k)) {
                e.append(e.length() == 0 ? "" : ", ").append(k).append(expected.get(k) >= 0 ? " " + expected.get(k) : "");
            }
            if (found.containsKey(k)) {
                f.append(f.length() == 0 ? "" : ", ").append(k).append(' ').append(found.get(k));
            }
        }
        String hosts = c.truth().clockHosts() == null || busiest == null ? ""
                : c.truth().hosts() == null ? "per-connection offsets / " + (Boolean.TRUE.equals(
                busiest.get("perConnectionOffsets")) ? "per-connection offsets" : busiest.get("hosts"))
                : c.truth().hosts() + " / " + busiest.get("hosts") + (c.truth().reboots() > 0 ? " (" + c.truth().reboots()
                + " reboot)" : "");
        return "| " + c.name() + " | " + hosts + " | " + (e.length() == 0 ? "none" : e) + " | "
                + (f.length() == 0 ? "none" : f) + " |";
    }

    @AfterAll
    static void writeReport() throws Exception {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("corpus-report.md"), "| case | hosts expected / found | expected | found |\n"
                    + "|---|---|---|---|\n" + String.join("\n", REPORT) + "\n");
        }
    }
}
