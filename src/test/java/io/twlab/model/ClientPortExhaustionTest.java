package io.twlab.model;

import io.twlab.metrics.FailureCause;
import io.twlab.report.Finding;
import io.twlab.report.Findings;
import io.twlab.report.RunFacts;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.tcp.Counter;
import io.twlab.tcp.NoPortCause;
import io.twlab.tcp.TcpHost;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * scenarios/client-port-exhaustion*.yaml: a client closing first, 1,000 local ports (40000-40999), 50 conn/s paced
 * for 120 s = 6,000 connects, each port in the client's TIME_WAIT for 60 s (plus the 6.x wheel's slack, under 1 s).
 */
class ClientPortExhaustionTest {
    private static RunResult run(String file) {
        return Runner.run(ScenarioLoader.load(Path.of("scenarios", file), List.of()), null);
    }

    private static TcpHost client(RunResult r) {
        return r.model().hostGroups().get("client").get(0);
    }

    /**
     * The 1,000 ports last 1000 / 50 = 20 s; the first of them leaves TIME_WAIT at 60-61 s, so connects from 20 s
     * to ~60.5 s fail; the next 1,000 succeed by ~80.5 s, then fail again until 120 s (the port taken at ~60.5 s
     * frees only at ~120.5 s). Successes 2 x 1,000 = 2,000, failures 6,000 - 2,000 = 4,000, all held by the
     * client's own TIME_WAIT with tcp_tw_reuse=2 (loopback only).
     */
    @Test
    void tcpTwReuseLoopbackOnlyLeavesTheClientsOwnTimeWaitHoldingEveryPort() {
        RunResult r = run("client-port-exhaustion.yaml");
        assertThat(r.model().clientStats().attempts()).isEqualTo(6000);
        assertThat(r.model().clientStats().successes()).isEqualTo(2000);
        assertThat(r.model().clientStats().failures(FailureCause.NO_PORT)).isEqualTo(4000);
        assertThat(client(r).noPortFailures(NoPortCause.TIME_WAIT)).isEqualTo(4000);
        assertThat(client(r).noPortFailures(NoPortCause.IN_USE)).isZero();
        List<Finding> findings = Findings.of(RunFacts.of(r));
        assertThat(findings).filteredOn(f -> f.kind().equals("client-port-exhaustion")).singleElement()
                .satisfies(f -> assertThat(f.text()).contains("time-wait 4,000", "tcp_tw_reuse=1"));
    }

    /**
     * tcp_tw_reuse=1 takes a TIME_WAIT over once it is older than 1000 ms (6.14+): 50 x 1 s = 50 ports would do.
     * No connect fails, and since at most 1,000 connects can find a never-used port, at least 6,000 - 1,000 =
     * 5,000 take a TIME_WAIT over (TWRecycled); the server never rejects them (each continues its old
     * connection's sequence numbers and timestamps).
     */
    @Test
    void tcpTwReuseOneClearsIt() {
        RunResult r = run("client-port-exhaustion-tw-reuse.yaml");
        assertThat(r.model().clientStats().successes()).isEqualTo(6000);
        for (NoPortCause c : NoPortCause.values()) {
            assertThat(client(r).noPortFailures(c)).as(c.key()).isZero();
        }
        assertThat(client(r).counters().get(Counter.TWRecycled)).isBetween(5000L, 6000L);
        TcpHost server = r.model().hostGroups().get("server").get(0);
        assertThat(server.counters().get(Counter.PAWSEstab) + server.counters().get(Counter.PAWSTimewait)).isZero();
        assertThat(Findings.of(RunFacts.of(r))).extracting(Finding::kind).doesNotContain("client-port-exhaustion");
    }

    /**
     * scenarios/lab/client-port-exhaustion-6.18.yaml, the lab-sized case: 200 ports at 10 conn/s last 20 s and the
     * first is free again at 60 s + wheel slack, after the 60 s run: 200 of 600 succeed, 400 fail as time-wait;
     * with tcp_tw_reuse=1 all 600 do.
     */
    @Test
    void theLabSizedCaseLosesTwoThirdsWithoutReuse() {
        RunResult plain = Runner.run(ScenarioLoader.load(Path.of("scenarios/lab/client-port-exhaustion-6.18.yaml"),
                List.of()), null);
        assertThat(plain.model().clientStats().successes()).isEqualTo(200);
        assertThat(client(plain).noPortFailures(NoPortCause.TIME_WAIT)).isEqualTo(400);
        RunResult reuse = Runner.run(ScenarioLoader.load(Path.of("scenarios/lab/client-port-exhaustion-6.18.yaml"),
                List.of("hosts.client.sysctl.net.ipv4.tcp_tw_reuse=1")), null);
        assertThat(reuse.model().clientStats().successes()).isEqualTo(600);
    }
}
