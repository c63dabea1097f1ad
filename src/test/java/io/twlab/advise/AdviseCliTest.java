package io.twlab.advise;

import io.twlab.advise.evidence.Bundle;
import io.twlab.cli.CliRunner;
import io.twlab.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * twlab advise and twlab collect on the command line. The bundle is examples/bundle-lab-6.18: real outputs of
 * Linux 6.18.44 collected by a `twlab lab` run of the calibration point (4 clients, nftables SNAT with 20 ports,
 * 4 conn/s for 60 s), trimmed as its README says.
 */
class AdviseCliTest {
    private static final String BUNDLE = "examples/bundle-lab-6.18";

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    static List<Map<String, Object>> list(Object o) {
        return ((List<?>) o).stream().map(AdviseCliTest::map).toList();
    }

    @Test
    void theLabBundleGivesThePawsFindingACalibrationAndRankedFixes() throws Exception {
        Path out = dir.resolve("advice");
        CliRunner.Output r = CliRunner.runWithOutput("advise", BUNDLE, "--json", "--out", out.toString());
        assertThat(r.status()).as(r.err()).isZero();
        Map<String, Object> doc = map(Json.parse(r.out()));
        assertThat(map(doc.get("hosts")).keySet()).containsExactly("client-1", "client-2", "client-3", "client-4",
                "router", "server");
        assertThat(map(map(doc.get("hosts")).get("router")).get("role")).isEqualTo("nat");

        List<Map<String, Object>> findings = list(doc.get("findings"));
        Map<String, Object> paws = findings.stream().filter(f -> f.get("rule").equals("paws-timewait-reject"))
                .findFirst().orElseThrow();
        assertThat(paws.get("severity")).isEqualTo("critical");
        assertThat(paws.get("host")).isEqualTo("server");
        // Every fact names where it was read: the two nstat readings of the server, file:line.
        assertThat(list(paws.get("facts")).get(0).get("source").toString())
                .matches(".*server/nstat-1\\.txt(:\\d+)? -> .*server/nstat-2\\.txt:\\d+");
        assertThat(findings).anyMatch(f -> f.get("rule").equals("snat-port-capacity")
                && f.get("severity").equals("critical"));
        assertThat(findings).anyMatch(f -> f.get("rule").equals("capture:paws-timewait-reject"));

        // Calibration: the simulated PAWSTimewait within ±25 % of the 108 the real server counted.
        Map<String, Object> pawsRow = list(map(doc.get("calibration")).get("counters")).stream()
                .filter(c -> c.get("counter").equals("PAWSTimewait")).findFirst().orElseThrow();
        assertThat(Json.asLong(pawsRow.get("observed"))).isEqualTo(108);
        assertThat(Json.asDouble(pawsRow.get("ratio"))).isBetween(0.75, 1.25);

        // Fixes ranked 1..n; widening the range to ≥ rate × 120 s and server timestamps off remove the rejects.
        List<Map<String, Object>> fixes = list(doc.get("fixes"));
        for (int i = 0; i < fixes.size(); i++) {
            assertThat(Json.asLong(fixes.get(i).get("rank"))).isEqualTo(i + 1);
            assertThat((List<?>) fixes.get(i).get("costs")).isNotEmpty();
            assertThat(fixes.get(i).get("appliesTo").toString()).isNotBlank();
        }
        for (String id : List.of("widen-snat-range", "server-timestamps-off")) {
            Map<String, Object> f = fixes.stream().filter(x -> x.get("id").equals(id)).findFirst().orElseThrow();
            assertThat(Json.asDouble(map(f.get("predicted")).get("pawsRejects"))).as(id).isZero();
            assertThat(Json.asLong(f.get("rank"))).as(id).isLessThanOrEqualTo(3);
        }
        Map<String, Object> widen = fixes.stream().filter(x -> x.get("id").equals("widen-snat-range")).findFirst()
                .orElseThrow();
        // 3.66/s × 120 s × 1.25 = 550 ports: 40000-40549.
        assertThat(Json.strings(widen.get("change"))).containsExactly("nats.nat.ports=40000-40549");
        // The current system sustains no rate without rejects; the widened range about 550 / 120 s = 4.6/s.
        assertThat(Json.asDouble(map(doc.get("current")).get("headroomRate"))).isLessThan(1);
        assertThat(Json.asDouble(map(widen.get("predicted")).get("headroomRate"))).isBetween(3.0, 5.0);

        // The written scenario runs as it is, and each fix's variant runs with its change applied.
        assertThat(Files.readString(out.resolve("calibrated.yaml"))).contains("conntrack-max: 262144  # ",
                "cpus: 2  # ").contains("ports: 40000-40019  # ")
                .contains("nft-ruleset.txt:5");
        CliRunner.Output sim = CliRunner.runWithOutput("simulate", out.resolve("fixes/widen-snat-range/scenario.yaml")
                .toString(), "--json");
        assertThat(sim.status()).as(sim.err()).isZero();
        Map<String, Object> server = map(map(map(Json.parse(sim.out())).get("hosts")).get("server"));
        assertThat(Json.asLong(map(server.get("counters")).get("PAWSTimewait"))).isZero();
        String page = Files.readString(out.resolve("advise.html"));
        assertThat(page).contains("data-charts=\"" + fixes.size() + "\"").contains("widen-snat-range");
        if (io.twlab.report.Chromium.available()) {
            io.twlab.report.Chromium.check(out.resolve("advise.html"), fixes.size(), "advise-lab-bundle", dir);
        }
    }

    @Test
    void theSameBundleGivesTheSameAdvice() throws Exception {
        CliRunner.Output a = CliRunner.runWithOutput("advise", BUNDLE, "--json");
        CliRunner.Output b = CliRunner.runWithOutput("advise", BUNDLE, "--json");
        assertThat(a.status()).isZero();
        assertThat(a.out()).isEqualTo(b.out());
    }

    @Test
    void badInputIsRefusedWithExitStatusTwo() throws Exception {
        CliRunner.Output missing = CliRunner.runWithOutput("advise", dir.resolve("nope").toString());
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: ").contains("no such file");
        CliRunner.Output role = CliRunner.runWithOutput("advise", BUNDLE, "--role", "server=database");
        assertThat(role.status()).isEqualTo(2);
        assertThat(role.err()).contains("--role server=database").contains("client, nat, director, server");
        CliRunner.Output ghost = CliRunner.runWithOutput("advise", BUNDLE, "--role", "ghost=server", "--no-simulate");
        assertThat(ghost.status()).isEqualTo(2);
        assertThat(ghost.err()).contains("no host named 'ghost'").contains("router");
        Files.writeString(dir.resolve("notes.md"), "# my notes\nnothing here\n");
        CliRunner.Output nothing = CliRunner.runWithOutput("advise", dir.toString());
        assertThat(nothing.status()).isEqualTo(2);
        assertThat(nothing.err()).contains("no file twlab can read").doesNotContain("Exception");
    }

    @Test
    void aForcedRoleOverridesWhatTheFilesShow() throws Exception {
        CliRunner.Output r = CliRunner.runWithOutput("advise", BUNDLE, "--role", "client-1=server", "--no-simulate",
                "--json");
        assertThat(r.status()).isZero();
        Map<String, Object> h = map(map(map(Json.parse(r.out())).get("hosts")).get("client-1"));
        assertThat(h.get("role")).isEqualTo("server");
        assertThat(h.get("roleFrom")).isEqualTo("--role client-1=server");
    }

    @Test
    void collectPrintsAReadOnlyPosixScriptAndItsBundleIsReadable() throws Exception {
        CliRunner.Output s = CliRunner.runWithOutput("collect", "--script");
        assertThat(s.status()).isZero();
        assertThat(s.out()).startsWith("#!/bin/sh\n").contains("# twlab-collect %s %s %s")
                .doesNotContain("sysctl -w").doesNotContain("> /proc").doesNotContain("ipvsadm -A")
                .doesNotContain("conntrack -F").doesNotContain("conntrack -D");
        Path script = dir.resolve("collect.sh");
        Files.writeString(script, s.out());
        Process check = new ProcessBuilder("sh", "-n", script.toString()).redirectErrorStream(true).start();
        assertThat(check.waitFor()).as(new String(check.getInputStream().readAllBytes())).isZero();

        // Run here, read-only, one second between the readings: every file it wrote is read or noted.
        Path out = dir.resolve("bundle");
        assertThat(CliRunner.run("collect", "--out", out.toString(), "--interval", "1")).isZero();
        Bundle b = Bundle.read(List.of(out), 10);
        assertThat(b.hosts).hasSize(1);
        var host = b.hosts.values().iterator().next();
        assertThat(host.kernelRelease).isNotNull();
        assertThat(host.sysctl("net.ipv4.tcp_timestamps")).isNotNull();
        assertThat(host.counters).hasSizeGreaterThanOrEqualTo(2);
        // Two timed readings one second apart.
        var active = b.change(host, "TcpActiveOpens");
        assertThat(active.seconds()).isBetween(1.0, 3.0);
        assertThat(b.ignored).isEmpty();
        assertThat(b.problems).isEmpty();
    }
}
