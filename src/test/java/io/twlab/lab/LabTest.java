package io.twlab.lab;

import io.twlab.analyzer.Analysis;
import io.twlab.analyzer.capture.CaptureReader;
import io.twlab.analyzer.capture.Segment;
import io.twlab.analyzer.capture.SegmentDecoder;
import io.twlab.cli.CliRunner;
import io.twlab.report.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `twlab lab` on this machine's kernel: the public calibration point of shared/reference/real-kernel-6.18.md
 * (4 clients, 20 SNAT ports, 4 conn/s for 60 s) run for real, analyzed, compared with the simulation; a run killed
 * halfway leaves nothing behind. Needs root, iproute2, nftables and tcpdump: bin/test installs them and sets
 * TWLAB_REQUIRE_LAB=1, so there a missing piece fails instead of skipping.
 */
class LabTest {
    private static final Path SCENARIO = Path.of("scenarios/lab/calibration-6.18.yaml");

    @TempDir
    Path dir;

    static void assumeLab() {
        boolean root = "0".equals(Shell.run(null, "id", "-u").out().strip());
        boolean tools = List.of("/usr/sbin/ip", "/usr/sbin/nft", "/usr/bin/tcpdump", "/usr/bin/ss").stream()
                .allMatch(p -> Files.isExecutable(Path.of(p)) || Files.isExecutable(Path.of(p.replace("/usr", ""))));
        if ("1".equals(System.getenv("TWLAB_REQUIRE_LAB"))) {
            assertThat(root).as("running as root").isTrue();
            assertThat(tools).as("ip, nft, tcpdump and ss installed by bin/test").isTrue();
        }
        Assumptions.assumeTrue(root && tools, "the lab needs root, iproute2, nftables and tcpdump");
    }

    static List<String> namespaces(String prefix) {
        List<String> out = new ArrayList<>();
        for (String line : Shell.ok("ip", "netns", "list").split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (name.startsWith(prefix)) {
                out.add(name);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void calibrationPointShowsTheMechanismsAndMatchesTheSimulation() throws Exception {
        assumeLab();
        Path out = dir.resolve("lab");
        assertThat(CliRunner.run("lab", SCENARIO.toString(), "--out", out.toString(), "--quiet")).isZero();
        Map<String, Object> doc = map(Json.parse(Files.readString(out.resolve("lab.json"))));
        Map<String, Object> lab = map(doc.get("lab"));
        assertThat(map(doc.get("kernel")).get("profile")).asString().startsWith("linux-6.");

        // PAWS moved on the real server: TIME_WAIT sockets rejected reused-tuple SYNs (6.16+ counts PAWSTimewait).
        double labRejects = LabComparison.counter(lab, "server", "PAWSTimewait", "PAWSEstab");
        assertThat(labRejects).isPositive();
        // Each rejection costs the client one RST and one SYN retransmission.
        assertThat(LabComparison.counter(lab, "client", "OutRsts")).isGreaterThanOrEqualTo(labRejects);
        // 20 NAT ports, 60 s TIME_WAIT: at most 20 tuples can be in TIME_WAIT at once.
        assertThat(LabComparison.timeWaitPeak(lab)).isBetween(1.0, 20.0);

        // The simulation on the matching profile, five seeds over the lab's arrivals, lands within 25 % of the lab on
        // rejected SYNs (the seeds' mean: one seed alone is one draw, 94-114 over ten), and in the same latency decade
        // at p99.
        List<Map<String, Object>> rows = ((List<?>) doc.get("comparison")).stream().map(LabTest::map).toList();
        Map<String, Object> paws = rows.stream().filter(r -> r.get("metric").toString().startsWith("SYNs rejected"))
                .findFirst().orElseThrow();
        assertThat(paws.get("agreement")).as("%s", paws).isEqualTo("within 25 %");
        Map<String, Object> p99 = rows.stream().filter(r -> r.get("metric").toString().contains("p99")).findFirst()
                .orElseThrow();
        assertThat(p99.get("agreement")).as("%s", p99).isEqualTo("same decade");

        // The server-side capture shows the mechanisms: old-ACK answers to reused-tuple SYNs with a lower TSval
        // (per-4-tuple offsets), the client's RST, and the 2-jiffy re-send of the same SYN.
        Path pcap = out.resolve("capture-server.pcap");
        Analysis a = Analysis.run(pcap);
        Map<String, Object> analysis = map(Json.parse(Json.write(a.toMap())));
        List<Map<String, Object>> findings = ((List<?>) analysis.get("findings")).stream().map(LabTest::map).toList();
        Map<String, Object> reject = findings.stream().filter(f -> f.get("kind").equals("paws-timewait-reject"))
                .findFirst().orElseThrow();
        assertThat(((Number) reject.get("count")).doubleValue()).isBetween(labRejects * 0.9, labRejects);
        assertThat(((Number) reject.get("tsValRegressed")).longValue()).isEqualTo(((Number) reject.get("count")).longValue());
        Map<String, Object> stall = findings.stream().filter(f -> f.get("kind").equals("syn-retransmit-stall"))
                .findFirst().orElseThrow();
        assertThat(map(stall.get("schedules")).keySet()).anyMatch(k -> k.startsWith("immediate re-send"));
        // Per-4-tuple offsets on 6.x: the NAT address is not taken for several hosts.
        assertThat(findings).noneMatch(f -> f.get("kind").equals("nat-shared-ip"));

        // Nothing but the lab's own addresses in the capture: 198.18.0.0/15.
        SegmentDecoder decoder = new SegmentDecoder();
        Segment s = new Segment();
        long[] foreign = new long[2];
        try (CaptureReader r = CaptureReader.open(pcap)) {
            r.read((number, timeNs, linkType, iface, data, offset, captured, original, fileOffset) -> {
                if (decoder.decode(linkType, data, offset, captured, s)) {
                    foreign[1]++;
                    if ((s.srcIpv4() >>> 17) != (0xC612 >>> 1) || (s.dstIpv4() >>> 17) != (0xC612 >>> 1)) {
                        foreign[0]++;
                    }
                }
            });
        }
        assertThat(foreign[1]).isGreaterThan(1000);
        // The lab's page: the comparison and three charts with both series.
        String page = Files.readString(out.resolve("lab.html"));
        assertThat(page).contains("data-charts=\"3\"").contains("simulation: PAWS rejects")
                .contains("lab: SYNs answered by the old ACK");
        if (io.twlab.report.Chromium.available()) {
            io.twlab.report.Chromium.check(out.resolve("lab.html"), 3, "lab-calibration-6.18", dir);
        }
        assertThat(foreign[0]).isZero();
        assertThat(namespaces(LabRun.PREFIX)).isEmpty();
    }

    @Test
    void aCleanRealCaptureHasNoFindings() throws Exception {
        assumeLab();
        // The calibration topology with 20,000 NAT ports instead of 20: at 4 conn/s for 20 s no port comes back, so
        // nothing meets a TIME_WAIT and the analyzer must find nothing (no false positive on a real capture).
        Path out = dir.resolve("clean");
        assertThat(CliRunner.run("lab", SCENARIO.toString(), "--set", "nats.router.ports=40000-59999", "--set",
                "duration=20s", "--out", out.toString(), "--quiet")).isZero();
        Map<String, Object> lab = map(map(Json.parse(Files.readString(out.resolve("lab.json")))).get("lab"));
        assertThat(LabComparison.counter(lab, "server", "PAWSTimewait", "PAWSEstab")).isZero();
        Analysis a = Analysis.run(out.resolve("capture-server.pcap"));
        assertThat(a.packets()).isGreaterThan(500);
        assertThat(a.findings()).isEmpty();
        assertThat(a.warnings()).isEmpty();
        // twlab advise on the same run's bundle: nothing worse than information.
        CliRunner.Output advice = CliRunner.runWithOutput("advise", out.resolve("bundle").toString(), "--no-simulate",
                "--json");
        assertThat(advice.status()).as(advice.err()).isZero();
        List<Map<String, Object>> findings = ((List<?>) map(Json.parse(advice.out())).get("findings")).stream()
                .map(LabTest::map).toList();
        assertThat(findings).allMatch(f -> f.get("severity").equals("info"), "only information: " + findings);
    }

    @Test
    void adviceOnALabBundleIsConfirmedByLabRunsOfItsFixes() throws Exception {
        assumeLab();
        // The calibration point's bundle (what twlab collect would gather in each namespace) through twlab advise.
        Path out = dir.resolve("base");
        assertThat(CliRunner.run("lab", SCENARIO.toString(), "--out", out.toString(), "--quiet")).isZero();
        CliRunner.Output r = CliRunner.runWithOutput("advise", out.resolve("bundle").toString(), "--json");
        assertThat(r.status()).as(r.err()).isZero();
        Map<String, Object> doc = map(Json.parse(r.out()));
        List<Map<String, Object>> findings = ((List<?>) doc.get("findings")).stream().map(LabTest::map).toList();
        assertThat(findings).anyMatch(f -> f.get("rule").equals("paws-timewait-reject") && f.get("host").equals("server")
                && f.get("severity").equals("critical"));
        // Calibrated on the bundle alone, the simulation lands within ±25 % of the real PAWSTimewait.
        Map<String, Object> paws = ((List<?>) map(doc.get("calibration")).get("counters")).stream().map(LabTest::map)
                .filter(c -> c.get("counter").equals("PAWSTimewait")).findFirst().orElseThrow();
        assertThat(Json.asDouble(paws.get("ratio"))).as("%s", paws).isBetween(0.75, 1.25);
        // The two fixes the issue names are predicted to remove the rejects; run both for real and see.
        List<Map<String, Object>> fixes = ((List<?>) doc.get("fixes")).stream().map(LabTest::map).toList();
        for (String id : List.of("widen-snat-range", "server-timestamps-off")) {
            Map<String, Object> fix = fixes.stream().filter(f -> f.get("id").equals(id)).findFirst().orElseThrow();
            assertThat(Json.asDouble(map(fix.get("predicted")).get("pawsRejects"))).as(id).isZero();
            // The calibrated scenario calls the NAT "nat"; the lab scenario calls it "router".
            List<String> args = new ArrayList<>(List.of("lab", SCENARIO.toString(), "--out", dir.resolve(id).toString(),
                    "--quiet"));
            for (String set : Json.strings(fix.get("change"))) {
                args.add("--set");
                args.add(set.replaceFirst("^nats\\.nat\\.", "nats.router."));
            }
            assertThat(CliRunner.run(args.toArray(new String[0]))).as(id).isZero();
            Map<String, Object> lab = map(map(Json.parse(Files.readString(dir.resolve(id).resolve("lab.json"))))
                    .get("lab"));
            // The simulation predicts none; the real kernel may still show one or two: nf_conntrack keeps its
            // timeouts in jiffies and can free a NAT port a jiffy before the server's 60 s TIME_WAIT ends, and nft's
            // random port choice can pick exactly that port (issue 13 measured 7 of 16 rejects at 59.998-60.009 s).
            // The unfixed run this bundle came from rejects about a hundred: at most 2 is the fix working.
            assertThat(LabComparison.counter(lab, "server", "PAWSTimewait", "PAWSEstab")).as(id + " on the real kernel")
                    .isLessThanOrEqualTo(2.0);
            assertThat(Json.asLong(map(lab.get("clients")).get("attempts"))).as(id).isGreaterThan(150);
        }
    }

    /**
     * scenarios/lab/client-port-exhaustion-6.18.yaml on the real kernel: 200 local ports, the client closing first at
     * 10 conn/s for 60 s, its TIME_WAIT 60 s: 200 connects succeed and the other 400 fail in connect() with
     * EADDRNOTAVAIL, on the real kernel as in the simulation beside it (all held by time-wait). With tcp_tw_reuse=1
     * all 600 succeed and, with only 200 ports, at least 600 - 200 = 400 take a TIME_WAIT over (TWRecycled; the
     * lab counted 500 on 2026-12-02, the simulation 501).
     */
    @Test
    void clientPortExhaustionOnTheRealKernelMatchesTheSimulation() throws Exception {
        assumeLab();
        Path scenario = Path.of("scenarios/lab/client-port-exhaustion-6.18.yaml");
        Path plainOut = dir.resolve("plain");
        assertThat(CliRunner.run("lab", scenario.toString(), "--out", plainOut.toString(), "--quiet")).isZero();
        Map<String, Object> plain = map(Json.parse(Files.readString(plainOut.resolve("lab.json"))));
        Map<String, Object> labClients = map(map(plain.get("lab")).get("clients"));
        assertThat(Json.asDouble(labClients.get("successes"))).isEqualTo(200.0);
        assertThat(Json.asDouble(map(labClients.get("failures")).get("no-port"))).isEqualTo(400.0);
        Map<String, Object> sim = map(plain.get("simulation"));
        assertThat(Json.asDouble(map(sim.get("clients")).get("successes"))).isEqualTo(200.0);
        assertThat(Json.asDouble(map(map(map(sim.get("hosts")).get("client")).get("eaddrnotavail")).get("time-wait")))
                .isEqualTo(400.0);

        Path reuseOut = dir.resolve("reuse");
        assertThat(CliRunner.run("lab", scenario.toString(), "--set", "hosts.client.sysctl.net.ipv4.tcp_tw_reuse=1",
                "--out", reuseOut.toString(), "--quiet")).isZero();
        Map<String, Object> reuse = map(Json.parse(Files.readString(reuseOut.resolve("lab.json"))));
        assertThat(Json.asDouble(map(map(reuse.get("lab")).get("clients")).get("successes"))).isEqualTo(600.0);
        assertThat(LabComparison.counter(map(reuse.get("lab")), "client", "TWRecycled")).isGreaterThanOrEqualTo(400);
    }

    @Test
    void aRunStoppedHalfwayLeavesNoNamespace() throws Exception {
        assumeLab();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.twlab.cli.Main", "lab",
                SCENARIO.toString(), "--set", "duration=60s", "--out", dir.resolve("killed").toString(), "--quiet")
                .redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        String prefix = LabRun.PREFIX + p.pid() + "-";
        long deadline = System.currentTimeMillis() + 30_000;
        while (namespaces(prefix).size() < 6 && System.currentTimeMillis() < deadline && p.isAlive()) {
            Thread.sleep(100);
        }
        assertThat(namespaces(prefix)).as("the run built its namespaces").hasSize(6);
        Thread.sleep(3000); // well into the run: drivers started, tcpdump capturing
        p.destroy(); // SIGTERM, as Ctrl-C or a kill would send
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(namespaces(prefix)).isEmpty();
    }

    @Test
    void whatThisKernelCannotRunIsRefusedClearly() throws Exception {
        // A director: no IPVS here. Refused before anything is built (and before the root check).
        CliRunner.Output lvs = CliRunner.runWithOutput("lab", "scenarios/fullnat-synproxy-stall.yaml");
        assertThat(lvs.status()).isEqualTo(2);
        assertThat(lvs.err()).startsWith("error: lab: ").contains("IPVS").contains("ip_vs").doesNotContain("Exception");
        Path recycle = dir.resolve("recycle.yaml");
        Files.writeString(recycle, Files.readString(SCENARIO).replace("  - name: server\n    kernel: linux-6.18\n",
                "  - name: server\n    kernel: linux-6.18\n    sysctl:\n      net.ipv4.tcp_tw_recycle: 1\n"));
        // tcp_tw_recycle is no sysctl of the 6.18 profile either (removed in 4.12): refused with the file's line.
        CliRunner.Output r = CliRunner.runWithOutput("lab", recycle.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("recycle.yaml:").contains("tcp_tw_recycle");
        // A ramped rate cannot be driven open-loop at a constant rate: refused too.
        CliRunner.Output ramp = CliRunner.runWithOutput("lab", "scenarios/nat-paws-2.6.yaml");
        assertThat(ramp.status()).isEqualTo(2);
        assertThat(ramp.err()).contains("constant rates only");
    }
}
