package io.twlab.cli;

import io.twlab.report.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * --out directories (issue 16): a run that is killed, fails or runs out of disk leaves the earlier run's files
 * complete and byte for byte as they were; clean-up removes only what twlab's manifest lists; one run at a time;
 * `twlab report` refuses a directory whose files come from two runs.
 */
class OutputDirectoryTest {
    private static final String FLAGSHIP = "scenarios/nat-paws-2.6.yaml";

    @TempDir
    Path dir;

    /** Every file under {@code root} (names relative) with its bytes. */
    static Map<String, byte[]> snapshot(Path root) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    static void assertSame(Map<String, byte[]> before, Map<String, byte[]> after) {
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (String k : before.keySet()) {
            assertThat(Arrays.equals(before.get(k), after.get(k))).as(k + " unchanged").isTrue();
        }
    }

    private static int simulate(Path out, String... extra) {
        String[] args = new String[5 + extra.length];
        System.arraycopy(new String[]{"simulate", FLAGSHIP, "--quiet", "--out", out.toString()}, 0, args, 0, 5);
        System.arraycopy(extra, 0, args, 5, extra.length);
        return CliRun.of(args).status();
    }

    private Process background(Path out) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.twlab.cli.Main", "simulate",
                FLAGSHIP, "--quiet", "--out", out.toString(), "--capture", "partner:partner-nat")
                .redirectErrorStream(true).redirectOutput(dir.resolve("bg.log").toFile()).start();
    }

    /** Waits until the background run has staged a capture that is growing: it is well into its run. */
    private static void awaitStaging(Path out, Process p) throws InterruptedException {
        Path staging = out.resolveSibling(out.getFileName() + ".tmp-" + p.pid());
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && p.isAlive()) {
            Path cap = staging.resolve("capture-partner-partner-nat.pcap");
            if (Files.exists(cap)) {
                try {
                    if (Files.size(cap) > 1_000_000) {
                        return;
                    }
                } catch (IOException gone) {
                    // between checks
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the background run never got going");
    }

    @Test
    void aKilledRunLeavesTheEarlierRunByteForByte() throws Exception {
        Path out = dir.resolve("out");
        assertThat(simulate(out, "--set", "duration=20s", "--export", "parquet,csv")).isZero();
        Map<String, byte[]> before = snapshot(out);
        assertThat(before).containsKeys("summary.json", "results.duckdb", "series.csv", "report.html",
                OutputDirectory.MANIFEST);

        // SIGKILL in the middle of a 2 h run with a capture: nothing of it reaches DIR.
        Process killed = background(out);
        awaitStaging(out, killed);
        killed.destroyForcibly();
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertSame(before, snapshot(out));
        Path abandoned = out.resolveSibling("out.tmp-" + killed.pid());
        assertThat(abandoned).exists(); // SIGKILL leaves no chance to clean up

        // SIGTERM (Ctrl-C, kill): the shutdown hook removes the staging directory; DIR still as it was.
        Process stopped = background(out);
        awaitStaging(out, stopped);
        stopped.destroy();
        assertThat(stopped.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertSame(before, snapshot(out));
        assertThat(out.resolveSibling("out.tmp-" + stopped.pid())).doesNotExist();

        // The next run into DIR removes the killed run's leftovers and replaces the files it owns.
        assertThat(simulate(out, "--set", "duration=10s", "--export", "none")).isZero();
        assertThat(abandoned).doesNotExist();
        assertThat(Files.readAllLines(out.resolve("series.csv"))).hasSize(11); // 10 s: header and 10 rows
        assertThat(out.resolve("counters.csv")).as("the first run's export, listed in its manifest").doesNotExist();
    }

    @Test
    void cleanUpRemovesOnlyWhatTwlabWrote() throws Exception {
        Path out = dir.resolve("mine");
        Files.createDirectories(out);
        Files.writeString(out.resolve("connections.csv"), "my own notes\n");
        Files.writeString(out.resolve("counters.parquet.tmp"), "not twlab's either\n");
        assertThat(simulate(out, "--set", "duration=10s", "--export", "parquet")).isZero();
        assertThat(simulate(out, "--set", "duration=10s", "--export", "none")).isZero();
        assertThat(Files.readString(out.resolve("connections.csv"))).isEqualTo("my own notes\n");
        assertThat(out.resolve("counters.parquet.tmp")).exists();
        assertThat(out.resolve("counters.parquet")).doesNotExist();
        Map<String, Object> manifest = OutputDirectory.manifest(out);
        assertThat(Json.strings(manifest.get("files"))).containsExactly("report.html", "results.duckdb", "series.csv",
                "summary.json");
        // The run id is the summary's: the same scenario and seed give the same id.
        assertThat(manifest.get("runId")).isEqualTo(OutputDirectory.runId(Files.readString(out.resolve("summary.json"))));
    }

    @Test
    void aSecondConcurrentRunIsRefused() throws Exception {
        Path out = dir.resolve("busy");
        Files.createDirectories(out);
        try (FileChannel c = FileChannel.open(out.resolve(OutputDirectory.LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = c.lock()) {
            assertThat(held.isValid()).isTrue();
            CliRun r = CliRun.of("simulate", FLAGSHIP, "--set", "duration=10s", "--out", out.toString());
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: ").contains("another twlab run is writing into this directory");
        }
        assertThat(simulate(out, "--set", "duration=10s")).isZero();
    }

    @Test
    void aReportOptionCannotOverwriteTheStoreAndReportRefusesAMix() throws Exception {
        Path out = dir.resolve("run");
        assertThat(simulate(out, "--set", "duration=10s")).isZero();
        CliRun r = CliRun.of("simulate", FLAGSHIP, "--set", "duration=10s", "--out", out.toString(), "--report",
                out.resolve("results.duckdb").toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("no .html file");
        assertThat(CliRun.of("report", out.toString(), "--quiet").status()).isZero();
        // summary.json of another run (20 s) beside the 10 s store: report says so instead of rendering a mix.
        Path other = dir.resolve("other");
        assertThat(simulate(other, "--set", "duration=20s")).isZero();
        Files.copy(other.resolve("summary.json"), out.resolve("summary.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun mixed = CliRun.of("report", out.toString());
        assertThat(mixed.status()).isEqualTo(2);
        assertThat(mixed.err()).contains("mixes two runs");
    }

    @Test
    void aRunThatFillsTheDiskLeavesTheEarlierRunIntact() throws Exception {
        boolean root = "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes())
                .strip());
        if ("1".equals(System.getenv("TWLAB_REQUIRE_LAB"))) {
            assertThat(root).as("running as root (bin/test as root sets TWLAB_REQUIRE_LAB)").isTrue();
        }
        Assumptions.assumeTrue(root, "mounting a small tmpfs needs root");
        Path fs = dir.resolve("small");
        Files.createDirectories(fs);
        // 12 MB: room for a 20 s run (2 MB) and its staging copy, not for a 60 s capture (about 30 MB).
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", fs.toString())
                .redirectErrorStream(true).start();
        assertThat(mount.waitFor()).as(new String(mount.getInputStream().readAllBytes())).isZero();
        try {
            Path out = fs.resolve("out");
            assertThat(simulate(out, "--set", "duration=20s")).isZero();
            Map<String, byte[]> before = snapshot(out);
            CliRun full = CliRun.of("simulate", FLAGSHIP, "--set", "duration=60s", "--out", out.toString(),
                    "--capture", "partner:partner-nat", "--quiet");
            assertThat(full.status()).as(full.err()).isEqualTo(2);
            assertThat(full.err()).startsWith("error: ").containsIgnoringCase("space");
            assertSame(before, snapshot(out));
            try (Stream<Path> s = Files.list(fs)) {
                assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("out");
            }
        } finally {
            new ProcessBuilder("umount", fs.toString()).start().waitFor();
        }
    }
}
