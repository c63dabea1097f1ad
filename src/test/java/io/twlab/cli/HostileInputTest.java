package io.twlab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile inputs of issue 16, each answered with one `error:` line naming the problem and a hint, exit status 2,
 * and no stack trace: pathological YAML, endless or huge files, wrong encodings, values past what the model or the
 * JVM can hold, and combinations the kernel does not have.
 */
class HostileInputTest {
    @TempDir
    Path dir;

    private static final String GOOD = BadInputTest.GOOD;

    private CliRun file(byte[] content, String... extra) throws IOException {
        Path f = dir.resolve("s.yaml");
        Files.write(f, content);
        String[] args = new String[2 + extra.length];
        args[0] = "simulate";
        args[1] = f.toString();
        System.arraycopy(extra, 0, args, 2, extra.length);
        return CliRun.of(args);
    }

    private CliRun yaml(String text, String... extra) throws IOException {
        return file(text.getBytes(StandardCharsets.UTF_8), extra);
    }

    /** Exit 2, one error line with a hint, no stack trace. */
    private static void refused(CliRun r, String... fragments) {
        assertThat(r.err()).contains("hint: ");
        refusedOption(r, fragments);
    }

    /** Exit 2 and one error line; an option's error says how to fix it in its own words. */
    private static void refusedOption(CliRun r, String... fragments) {
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ");
        for (String f : fragments) {
            assertThat(r.err()).contains(f);
        }
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("Error:");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void yamlNested20000DeepIsRefused() throws IOException {
        refused(yaml("name: [" + "[".repeat(20_000) + "]".repeat(20_000) + "]\n"), "nested");
    }

    @Test
    void anAliasBombIsRefused() throws IOException {
        StringBuilder y = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            y.append("a").append(i).append(": &a").append(i).append(" [").append(("*a" + (i - 1) + ", ").repeat(8))
                    .append("*a").append(i - 1).append("]\n");
        }
        refused(yaml(y.toString()), "YAML");
    }

    @Test
    void aCustomTagIsRefused() throws IOException {
        refused(yaml(GOOD.replace("rate: 10", "rate: !foo 10")), "s.yaml:14:", "custom YAML tag !foo");
        // A tag that decodes to one with a space: the YAML library's own argument check (found by fuzzing).
        refused(yaml("name: !a%20 x\n"), "YAML error");
    }

    @Test
    void endlessAndOversizedFilesAreRefusedBeforeReading() throws IOException {
        refused(CliRun.of("simulate", "/dev/zero"), "/dev/zero is not a regular file");
        refused(CliRun.of("simulate", dir.toString()), "is a directory");
        // 2 MiB of comments: over the 1 MiB a scenario may have.
        refused(yaml(GOOD + ("# " + "x".repeat(1022) + "\n").repeat(2048)), "at most 1048576");
    }

    @Test
    void encodingsOtherThanUtf8AreNamed() throws IOException {
        byte[] utf16 = ("\uFEFF" + GOOD).getBytes(StandardCharsets.UTF_16BE);
        refused(file(utf16), "UTF-16", "save it as UTF-8");
        // "description: café" in Latin-1: 0xe9 followed by a newline starts no UTF-8 character (line 2).
        byte[] latin1 = GOOD.replace("duration: 10s", "description: caf\u00e9\nduration: 10s")
                .getBytes(StandardCharsets.ISO_8859_1);
        refused(file(latin1), "not UTF-8", "0xe9", "(line 2)", "Latin-1");
        refused(file(new byte[]{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0}), "NUL byte at byte offset 7", "binary");
    }

    @Test
    void durationsPastTenYearsOrWrappingInt64AreRefused() throws IOException {
        refused(yaml(GOOD.replace("duration: 10s", "duration: 10000000d")), "s.yaml:2:", "longer than 10 years");
        // 106752 d is just past the int64-nanosecond range; the compound one wraps int64 when summed naively.
        refused(yaml(GOOD.replace("duration: 10s", "duration: 106752d")), "longer than 10 years");
        refused(yaml(GOOD.replace("duration: 10s", "duration: 106751d106751d171283.709551616s")),
                "longer than 10 years");
        refused(yaml(GOOD, "--set", "duration=300000y"), "expected a duration");
        refused(yaml(GOOD.replace("rate: 10", "rate: 10\n    think: 1000000000000d")), "longer than 10 years");
        // Ten years parse, but a per-second series of 315 million rows does not fit this heap: said before the run,
        // with the estimate and the longest duration that fits.
        refused(yaml(GOOD, "--set", "duration=3652d", "--set", "workloads.w.rate=0.000001"), "315,532,800 simulated "
                + "seconds", "more than half of this JVM's", "shorten the duration to at most");
    }

    @Test
    void ratesAndRepeatsThatCannotRunAreRefused() throws IOException {
        refused(yaml(GOOD.replace("rate: 10", "rate: 0")), "s.yaml:14:", "rate is 0");
        refused(yaml(GOOD.replace("rate: 10", "rate: {ramp: [[0s, 10]], repeat: 0s}")), "repeat must be positive");
        refused(yaml(GOOD.replace("rate: 10", "rate: {ramp: [[0s, 10], [2h, 50]], repeat: 1h}")),
                "at least the ramp's last point (7200s)");
        refused(yaml(GOOD.replace("rate: 10", "rate: {ramp: [[0s, 0], [1h, 0]]}")), "0 everywhere");
    }

    @Test
    void namesAddressesAndNatSettingsThatDoNotExistAreRefused() throws IOException {
        refused(yaml(GOOD.replace("kernel: linux-4.19", "kernel: linux-4.19\n    count: 10\n    address: 255.255.255.250")),
                "run past 255.255.255.255");
        String twoWorkloads = GOOD + """
                  - name: w
                    from: client
                    to: server:81
                    rate: 5
                """;
        refused(yaml(twoWorkloads), "workloads: the name 'w' is used twice");
        String nat = GOOD.replace("links:\n  - between: [client, server]", """
                nats:
                  - name: gw
                    inside: []
                    public-ips: [20.1.1.1]
                links:
                  - between: [client, gw]
                  - between: [gw, server]""");
        refused(yaml(nat), "nats.gw.inside is empty");
        String rr = nat.replace("inside: []", "inside: [client]\n    allocation: round-robin\n    flags: fully-random");
        refused(yaml(rr), "applies to allocation: linux only");
        assertThat(yaml(rr.replace("\n    flags: fully-random", ""), "--json").status()).isZero();
    }

    @Test
    void sysctlValuesTheKernelDoesNotHaveAreRefused() throws IOException {
        // tcp_timestamps=2 (timestamps without random offsets) came with the offsets; 2.6.32 has neither.
        refused(yaml(GOOD, "--set", "hosts.server.sysctl.net.ipv4.tcp_timestamps=2"), "tcp_timestamps");
        assertThat(yaml(GOOD, "--set", "hosts.client.sysctl.net.ipv4.tcp_timestamps=2", "--json").status()).isZero();
    }

    @Test
    void valuesPastWhatFitsInMemoryAreRefused() throws IOException {
        refused(yaml(GOOD, "--set", "hosts.client.count=100000"), "count");
        refusedOption(CliRun.of("capacity", "--kernel", "linux-2.6.32", "--ports", "2048-65535", "--src-ips",
                "2000000000"), "at most 20,000,000");
    }

    private static java.util.Map<String, Object> analyzeJson(Path capture) {
        CliRun r = CliRun.of("analyze", capture.toString(), "--json");
        assertThat(r.status()).as(r.err()).isZero();
        return io.twlab.report.Json.object(io.twlab.report.Json.parse(r.out()));
    }

    private static long packets(java.util.Map<String, Object> doc) {
        return io.twlab.report.Json.asLong(io.twlab.report.Json.object(doc.get("packets")).get("total"));
    }

    private static String warnings(java.util.Map<String, Object> doc) {
        return String.valueOf(doc.get("warnings"));
    }

    @Test
    void damagedGzipCapturesAreAnalyzedUpToTheDamage() throws IOException {
        // The real server capture of examples/bundle-lab-6.18 (600 packets), gzip-compressed here.
        byte[] pcap = Files.readAllBytes(Path.of("examples/bundle-lab-6.18/server/capture.pcap"));
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(pcap);
        }
        byte[] whole = gz.toByteArray();
        Path good = dir.resolve("good.pcap.gz");
        Files.write(good, whole);
        assertThat(packets(analyzeJson(good))).isEqualTo(600);
        // Cut in the middle of the deflate stream: the packets inflated before the cut are analyzed, with a warning.
        Path cut = dir.resolve("cut.pcap.gz");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        var c = analyzeJson(cut);
        assertThat(packets(c)).isBetween(100L, 599L);
        assertThat(warnings(c)).contains("gzip stream is damaged");
        // A wrong CRC in the trailer (the last 8 bytes: CRC-32, then the length): every packet, and a warning.
        byte[] badCrc = whole.clone();
        badCrc[badCrc.length - 8] ^= 0x5a;
        Path crc = dir.resolve("crc.pcap.gz");
        Files.write(crc, badCrc);
        var b = analyzeJson(crc);
        assertThat(packets(b)).isEqualTo(600);
        assertThat(warnings(b)).contains("gzip stream is damaged").contains("Corrupt GZIP trailer");
    }

    @Test
    void aDamagedFirstRecordIsTreatedLikeAnEmptyCapture() throws IOException {
        // A classic pcap header written from the format (little-endian µs magic, version 2.4, snaplen 262144,
        // Ethernet), then a 16-byte record header and 60 bytes of frame.
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24 + 16 + 60).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262_144).putInt(1);
        b.putInt(1_700_000_000).putInt(0).putInt(60).putInt(60);
        byte[] pcap = b.array();
        Path headerOnly = dir.resolve("header.pcap");
        Files.write(headerOnly, java.util.Arrays.copyOf(pcap, 24));
        var h = analyzeJson(headerOnly);
        assertThat(packets(h)).isZero();
        // The same header and a first record whose captured length (bytes 8-11 of the record) is absurd.
        byte[] damaged = pcap.clone();
        damaged[24 + 8] = (byte) 0xff;
        damaged[24 + 9] = (byte) 0xff;
        damaged[24 + 10] = (byte) 0xff;
        damaged[24 + 11] = (byte) 0x7f;
        Path bad = dir.resolve("bad.pcap");
        Files.write(bad, damaged);
        var d = analyzeJson(bad);
        assertThat(packets(d)).isZero();
        assertThat(warnings(d)).contains("byteOffset=24").contains("corrupt");
    }

    @Test
    void commandLineMistakesGetTheErrorForm() throws IOException {
        refused(yaml(GOOD, "--set", "duration="), "missing value after '='");
        refusedOption(yaml(GOOD, "--out", ""), "--out needs a directory name");
        refused(yaml(GOOD, "--no-such-option"), "Unknown option", "twlab simulate --help");
        refused(CliRun.of("capacity", "--kernel", "linux-2.6.32", "--ports", "1-2", "--src-ips", "many"), "many");
        refusedOption(CliRun.of("analyze", dir.toString()), "is a directory");
    }
}
