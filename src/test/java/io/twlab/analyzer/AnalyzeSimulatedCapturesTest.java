package io.twlab.analyzer;

import io.twlab.cli.CliRunner;
import io.twlab.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `twlab analyze` on captures the simulator writes for each incident: the right findings, the counts the
 * simulated kernels counted, and none on a clean capture.
 */
class AnalyzeSimulatedCapturesTest {
    @TempDir
    Path dir;

    /** Simulates with a capture of the link A:B and returns (summary JSON, analysis JSON). */
    private Map<String, Object>[] simulateAndAnalyze(String scenario, String capture, String... sets) throws Exception {
        Path out = dir.resolve("run-" + Math.abs((scenario + capture + String.join(",", sets)).hashCode()));
        List<String> args = new ArrayList<>(List.of("simulate", "scenarios/" + scenario + ".yaml", "--out",
                out.toString(), "--capture", capture, "--quiet", "--export", "none", "--connections", "none"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        assertThat(CliRunner.run(args.toArray(new String[0]))).isZero();
        Path pcap = out.resolve("capture-" + capture.replace(':', '-') + ".pcap");
        Analysis a = Analysis.run(pcap);
        assertThat(a.warnings()).isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object>[] both = new Map[]{(Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json"))),
                (Map<String, Object>) Json.parse(Json.write(a.toMap()))};
        return both;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    static List<Map<String, Object>> findings(Map<String, Object> analysis) {
        return ((List<?>) analysis.get("findings")).stream().map(AnalyzeSimulatedCapturesTest::map).toList();
    }

    static Map<String, Object> finding(Map<String, Object> analysis, String kind) {
        return findings(analysis).stream().filter(f -> kind.equals(f.get("kind"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + analysis.get("findings")));
    }

    static long number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }

    @Test
    void seed000AtTheServerEveryRejectIsFoundWithItsEvidence() throws Exception {
        // 3000 NAT ports at 200 conn/s: a port returns every 3000 / 200 = 15 s, well inside nginx's TIME_WAIT.
        Map<String, Object>[] r = simulateAndAnalyze("nat-paws-2.6", "partner-nat:nginx",
                "workloads.partner.rate=200", "duration=40s", "nats.partner-nat.ports=2048-5047");
        long pawsEstab = number(map(map(map(r[0].get("hosts")).get("nginx")).get("counters")), "PAWSEstab");
        assertThat(pawsEstab).isPositive();
        Map<String, Object> paws = finding(r[1], "paws-timewait-reject");
        // Each SYN the simulated nginx rejected (TcpExtPAWSEstab) is one found in its capture.
        assertThat(number(paws, "count")).isEqualTo(pawsEstab);
        assertThat(paws.get("severity")).isEqualTo("critical");
        assertThat(number(paws, "answeredByClientRst")).isEqualTo(pawsEstab);
        assertThat(number(paws, "tsValRegressed")).isEqualTo(pawsEstab);
        Map<String, Object> example = map(((List<?>) paws.get("evidence")).get(0));
        assertThat((List<?>) example.get("packets")).hasSize(3);
        assertThat(number(example, "tsValBehindBy")).isPositive();
        // Ports come back 15 s after their first use, a few ms after it closed: ~15 s since the close.
        assertThat(((Number) example.get("secondsSincePreviousClose")).doubleValue()).isBetween(14.9, 15.0);

        Map<String, Object> shared = finding(r[1], "nat-shared-ip");
        assertThat(shared.get("ip")).isEqualTo("20.1.1.1");
        assertThat(number(shared, "hosts")).isEqualTo(8);      // the scenario's 8 partner hosts
        assertThat(number(shared, "tsClockHz")).isEqualTo(250); // linux-3.10's HZ: jiffies as TSval

        Map<String, Object> reuse = finding(r[1], "port-reuse-pressure");
        assertThat(reuse.get("severity")).isEqualTo("critical");
        assertThat(number(reuse, "sourcePorts")).isEqualTo(3000);
        // 3000 ports / 60 s = 50 conn/s would be safe against any 60 s TIME_WAIT; 200 conn/s are seen.
        assertThat(((Number) map(reuse.get("safeRatePerSecond")).get("60.0s")).doubleValue()).isEqualTo(50.0);

        Map<String, Object> stall = finding(r[1], "syn-retransmit-stall");
        // linux-3.10 clients: 1 s initial RTO.
        assertThat(map(stall.get("schedules")).keySet()).allMatch(k -> k.startsWith("1 s initial RTO"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 20})
    void countsTheHostsBehindOneAddress(int hosts) throws Exception {
        // N partner hosts (uptimes 1-60 days, linux-3.10 jiffies TSval) behind one SNAT address, 100 conn/s for 35 s,
        // ports never reused: the TSval lines of the SYNs seen at the server tell the hosts apart.
        Map<String, Object>[] r = simulateAndAnalyze("nat-paws-2.6", "partner-nat:nginx", "hosts.partner.count=" + hosts,
                "workloads.partner.rate=100", "duration=35s");
        Map<String, Object> source = map(((List<?>) r[1].get("sources")).get(0));
        assertThat(source.get("ip")).isEqualTo("20.1.1.1");
        assertThat(number(source, "hosts")).isEqualTo(hosts);
        assertThat(number(source, "tsClockHz")).isEqualTo(250);
        assertThat(((Number) source.get("confidence")).doubleValue()).isGreaterThanOrEqualTo(0.9);
        if (hosts == 1) {
            // One host behind the NAT: nothing wrong, nothing found.
            assertThat(findings(r[1])).isEmpty();
        } else {
            assertThat(number(finding(r[1], "nat-shared-ip"), "hosts")).isEqualTo(hosts);
        }
    }

    @Test
    void perConnectionTimestampOffsetsAreRecognisedNotCounted() throws Exception {
        // linux-6.18 clients offset TSval per 4-tuple: every connection starts its own line.
        Map<String, Object>[] r = simulateAndAnalyze("nat-paws-2.6", "partner-nat:nginx",
                "hosts.partner.kernel=linux-6.18", "workloads.partner.rate=100", "duration=35s");
        Map<String, Object> source = map(((List<?>) r[1].get("sources")).get(0));
        assertThat(source.get("perConnectionOffsets")).isEqualTo(Boolean.TRUE);
        assertThat(source.get("hosts")).isNull();
        assertThat(findings(r[1])).noneMatch(f -> f.get("kind").equals("nat-shared-ip"));
    }

    @Test
    void twRecycleBehindSwarmIngressIsTheSilentDropSignature() throws Exception {
        Map<String, Object>[] r = simulateAndAnalyze("swarm-ingress-recycle", "ingress:container", "duration=3m");
        long pawsPassive = number(map(map(map(r[0].get("hosts")).get("container")).get("counters")), "PAWSPassive");
        Map<String, Object> drop = finding(r[1], "silent-syn-drop");
        assertThat(drop.get("severity")).isEqualTo("critical");
        assertThat(drop.get("twRecycleSignature")).isEqualTo(Boolean.TRUE);
        // Every unanswered attempt had a regressed TSval; each retransmitted SYN was dropped again (PAWSPassive counts
        // SYNs, the finding counts attempts), so the counter is at least the attempts.
        assertThat(number(drop, "withTsValRegression")).isEqualTo(number(drop, "unansweredAttempts"));
        assertThat(pawsPassive).isGreaterThanOrEqualTo(number(drop, "count"));
        assertThat(number(finding(r[1], "nat-shared-ip"), "hosts")).isEqualTo(5);
    }

    @Test
    void synproxyStallsShowInTheClientsFirstByte() throws Exception {
        Map<String, Object>[] r = simulateAndAnalyze("fullnat-synproxy-stall", "client:lvs", "duration=3m");
        Map<String, Object> stall = finding(r[1], "syn-retransmit-stall");
        Map<String, Object> modes = map(stall.get("firstByteStalls"));
        long retries = number(map(map(r[0].get("directors")).get("lvs")), "synProxyRetries");
        // A request stalls 3 s per lost SYN toward the real server: 3 s after one retry, 6 s after two.
        assertThat(number(modes, "3s") + 2 * (modes.containsKey("6s") ? number(modes, "6s") : 0))
                .isEqualTo(retries);
        assertThat(findings(r[1])).noneMatch(f -> f.get("kind").equals("paws-timewait-reject"));
    }

    @Test
    void aCleanCaptureHasNoFindings() throws Exception {
        Map<String, Object>[] r = simulateAndAnalyze("nat-paws-2.6", "partner-nat:nginx", "hosts.partner.count=1",
                "workloads.partner.rate=50", "duration=35s");
        assertThat(findings(r[1])).isEmpty();
        assertThat(number(map(r[1].get("connections")), "generations")).isEqualTo(50 * 35);
    }
}
