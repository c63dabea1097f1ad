package io.twlab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every class of bad input: message with file:line:col, what was expected, exit status 2, no stack trace. */
class BadInputTest {
    @TempDir
    Path dir;

    /** A scenario that runs; the hostile-input tests break it one way at a time too. */
    static final String GOOD = """
            name: t
            duration: 10s
            hosts:
              - name: client
                kernel: linux-4.19
              - name: server
                kernel: linux-2.6.32
            links:
              - between: [client, server]
            workloads:
              - name: w
                from: client
                to: server:80
                rate: 10
            """;

    private CliRun simulate(String yaml, String... extra) throws IOException {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, yaml);
        String[] args = new String[2 + extra.length];
        args[0] = "simulate";
        args[1] = f.toString();
        System.arraycopy(extra, 0, args, 2, extra.length);
        return CliRun.of(args);
    }

    private void assertBadInput(CliRun r, String location, String... fragments) {
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains(location);
        for (String f : fragments) {
            assertThat(r.err()).contains(f);
        }
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void theGoodScenarioRuns() throws IOException {
        CliRun r = simulate(GOOD, "--json");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("\"attempts\": 100");
    }

    @Test
    void unknownKeyListsTheValidOnes() throws IOException {
        CliRun r = simulate(GOOD.replace("    kernel: linux-4.19", "    kernel: linux-4.19\n    cuont: 3"));
        assertBadInput(r, "s.yaml:6:5", "unknown key 'cuont' in hosts.client", "valid keys:", "count");
    }

    @Test
    void wrongTypeSaysWhatWasExpected() throws IOException {
        CliRun r = simulate(GOOD.replace("    kernel: linux-4.19", "    kernel: linux-4.19\n    count: lots"));
        assertBadInput(r, "s.yaml:6:12", "hosts.client.count: expected a whole number, found 'lots'");
    }

    @Test
    void badUnitNamesTheAcceptedUnits() throws IOException {
        CliRun r = simulate(GOOD.replace("duration: 10s", "duration: 10 parsecs"));
        assertBadInput(r, "s.yaml:2:11", "expected a duration", "500ms, 10s, 2h");
    }

    @Test
    void badRateNamesTheAcceptedForms() throws IOException {
        CliRun r = simulate(GOOD.replace("rate: 10", "rate: fast"));
        assertBadInput(r, "s.yaml:14:11", "expected a rate, found 'fast'", "590/s");
    }

    @Test
    void unknownKernelListsProfiles() throws IOException {
        CliRun r = simulate(GOOD.replace("kernel: linux-4.19", "kernel: linux-9.9"));
        assertBadInput(r, "s.yaml:5:13", "unknown kernel profile 'linux-9.9'", "linux-2.6.32", "linux-6.18");
    }

    @Test
    void sysctlTheKernelLacksIsRefused() throws IOException {
        CliRun r = simulate(GOOD.replace("    kernel: linux-4.19", "    kernel: linux-4.19\n    sysctl:\n      net.ipv4.tcp_tw_recycle: 1"));
        assertBadInput(r, "s.yaml:7:7", "sysctl net.ipv4.tcp_tw_recycle does not exist on linux-4.19",
                "removed in Linux 4.12");
    }

    @Test
    void sysctlOutOfRange() throws IOException {
        CliRun r = simulate(GOOD.replace("    kernel: linux-4.19", "    kernel: linux-4.19\n    sysctl:\n      net.ipv4.tcp_timestamps: 7"));
        assertBadInput(r, "s.yaml:7:32", "out of range", "allowed: 0 to 2");
    }

    @Test
    void yamlSyntaxErrorPointsAtTheProblem() throws IOException {
        CliRun r = simulate(GOOD.replace("rate: 10", "rate: [10"));
        assertBadInput(r, "s.yaml:", "YAML syntax error");
    }

    @Test
    void impossibleTopologyIsRefused() throws IOException {
        String yaml = GOOD.replace("  - between: [client, server]", "  - between: [client, island]")
                .replace("    kernel: linux-2.6.32", "    kernel: linux-2.6.32\n  - name: island\n    kernel: linux-4.19");
        CliRun r = simulate(yaml);
        assertBadInput(r, "s.yaml:", "no path of links from 'client' to 'server'");
    }

    @Test
    void linkToUnknownElement() throws IOException {
        CliRun r = simulate(GOOD.replace("between: [client, server]", "between: [client, sever]"));
        assertBadInput(r, "s.yaml:9:23", "no host group or NAT named 'sever'", "elements: client, server");
    }

    @Test
    void duplicateNamesAndAddresses() throws IOException {
        CliRun names = simulate(GOOD.replace("name: server", "name: client"));
        assertBadInput(names, "s.yaml:6:11", "the name 'client' is used twice");
        CliRun addrs = simulate(GOOD.replace("kernel: linux-4.19", "kernel: linux-4.19\n    address: 10.0.0.1")
                .replace("kernel: linux-2.6.32", "kernel: linux-2.6.32\n    address: 10.0.0.1"));
        assertBadInput(addrs, "s.yaml:", "address 10.0.0.1 of server is already used by client");
    }

    @Test
    void badOverridePathListsTheItems() throws IOException {
        CliRun r = simulate(GOOD, "--set", "hosts.nginx.kernel=linux-4.19");
        assertBadInput(r, "--set hosts.nginx.kernel=linux-4.19", "no item named 'nginx'", "client, server");
    }

    @Test
    void badOverrideValuePointsAtTheOverride() throws IOException {
        CliRun r = simulate(GOOD, "--set", "workloads.w.rate=abc");
        assertBadInput(r, "--set workloads.w.rate=abc (column 18)", "expected a rate, found 'abc'");
    }

    @Test
    void missingFile() {
        CliRun r = CliRun.of("simulate", dir.resolve("nope.yaml").toString());
        assertBadInput(r, "nope.yaml", "no such file");
    }

    @Test
    void unknownOption() throws IOException {
        CliRun r = simulate(GOOD, "--frobnicate");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--frobnicate'");
    }

    @Test
    void outPathThatIsAFileIsRefusedAndLeftAlone() throws IOException {
        Path file = dir.resolve("existing.txt");
        Files.writeString(file, "keep me");
        CliRun r = simulate(GOOD, "--out", file.toString());
        assertBadInput(r, "--out", "exists and is not a directory");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void variantScenarioErrorsPointIntoTheVariantFile() throws IOException {
        Files.writeString(dir.resolve("s.yaml"), GOOD);
        Path variant = dir.resolve("v.yaml");
        Files.writeString(variant, "base: s.yaml\nname: v\nset:\n  - workloads.w.rate=slow\n");
        CliRun r = CliRun.of("simulate", variant.toString());
        assertBadInput(r, "v.yaml:4:22", "expected a rate, found 'slow'");
    }

    private static final String WITH_DIRECTOR = GOOD.replace("  - between: [client, server]",
            "  - between: [client, lvs]\n  - between: [lvs, server]").replace("to: server:80", "to: lvs:80")
            .replace("workloads:", "directors:\n  - name: lvs\n    services:\n      - vip: 30.0.0.1\n"
                    + "        port: 80\n        real-servers: server\nworkloads:");

    @Test
    void directorScenarioRunsAndBadDirectorsAreRefused() throws IOException {
        assertThat(simulate(WITH_DIRECTOR, "--json").status()).isZero();
        CliRun mode = simulate(WITH_DIRECTOR.replace("real-servers: server", "real-servers: server\n        mode: tun"));
        assertBadInput(mode, "s.yaml:", "forwarding mode 'tun' is not modelled yet", "use mode: nat, dr or fullnat");
        CliRun port = simulate(WITH_DIRECTOR.replace("to: lvs:80", "to: lvs:81"));
        assertBadInput(port, "s.yaml:", "director lvs has no service on port 81", "[80]");
        CliRun sched = simulate(WITH_DIRECTOR.replace("real-servers: server", "real-servers: server\n        scheduler: fastest"));
        assertBadInput(sched, "s.yaml:", "unknown value 'fastest'", "rr, wrr, lc, wlc, sh, sh-port");
    }

    @Test
    void badOutputOptionsAreRefusedBeforeRunning() throws IOException {
        assertBadInput(simulate(GOOD, "--out", dir.resolve("o").toString(), "--connections", "1/0"), "--connections",
                "expected all, none, auto or 1/N");
        assertBadInput(simulate(GOOD, "--out", dir.resolve("o").toString(), "--export", "xml"), "--export",
                "parquet, csv");
        assertBadInput(simulate(GOOD, "--report", dir.toString()), "--report", "is a directory");
        assertBadInput(simulate(GOOD, "--out", dir.resolve("o").toString(), "--capture", "client:server",
                "--capture-format", "erf"), "--capture-format", "expected pcap or pcapng");
        assertBadInput(simulate(GOOD, "--report", dir.resolve("missing/r.html").toString()), "does not exist");
    }

    @Test
    void reportNeedsAStoredRunAndKeepsTheOldPageOnFailure() throws IOException {
        assertBadInput(CliRun.of("report", dir.resolve("nothing").toString()), "nothing", "is not a directory");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertBadInput(CliRun.of("report", empty.toString()), "results.duckdb does not exist",
                "twlab simulate ... --out DIR");
        // A damaged store: the error names the file, and the report already there is left as it was.
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("results.duckdb"), "this is not a database");
        Files.writeString(broken.resolve("report.html"), "earlier report");
        assertBadInput(CliRun.of("report", broken.toString()), "results.duckdb", "is not a readable twlab results store");
        assertThat(Files.readString(broken.resolve("report.html"))).isEqualTo("earlier report");
    }
}
