package io.twlab.nat;

import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.report.Finding;
import io.twlab.report.Findings;
import io.twlab.scenario.ScenarioLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SNAT insert race (nf_nat_core.c get_unique_tuple against confirmed entries only, nf_conntrack_core.c
 * __nf_conntrack_confirm): two clients open a connection at the same instant every second (paced-per-host) through a
 * 4.19 gateway whose 20 ports (61000-61019) lie outside the clients' own range, so every SYN searches; each SYN's CPU
 * is a hash of its tuple. Conntrack forgets closed entries after 1 s so the ports never run out.
 */
class InsertRaceTest {
    private static final int BURSTS = 100;

    private static RunResult run(int cpus, String flags) {
        String yaml = """
                name: race
                duration: %ds
                hosts:
                  - name: client
                    count: 2
                    kernel: linux-4.19
                    address: 10.0.0.1
                  - name: server
                    kernel: linux-4.19
                    address: 10.0.1.1
                nats:
                  - name: router
                    inside: [client]
                    public-ips: [20.0.0.1]
                    ports: 61000-61019
                    kernel: linux-4.19
                    flags: %s
                    cpus: %d
                    timeouts: {time-wait: 1s, close: 1s}
                links:
                  - between: [client, router]
                    latency: 1ms
                  - between: [router, server]
                    latency: 1ms
                workloads:
                  - name: w
                    from: client
                    to: server:80
                    rate: 2
                    arrivals: paced-per-host
                """.formatted(BURSTS, flags, cpus);
        return Runner.run(ScenarioLoader.parse(yaml, "race.yaml", List.of()), null);
    }

    private static SnatGateway router(RunResult r) {
        return r.model().nats().get(0);
    }

    /** One CPU sees every entry it made: no race, whatever the flag. */
    @Test
    void oneCpuNeverClashes() {
        assertThat(router(run(1, "none")).insertFailed()).isZero();
    }

    /**
     * Before 5.0 an unflagged search starts at the shared rover: both SYNs of a burst read the same value and pick
     * the same port, so the second clashes whenever the two land on different CPUs, probability 1/2 with 2 CPUs.
     * Over 100 bursts: binomial(100, 1/2), mean 50, sd 5; bounds at 4 sd.
     */
    @Test
    void theSharedRoverMakesSimultaneousSynsClashOnDifferentCpus() {
        RunResult r = run(2, "none");
        assertThat(router(r).insertFailed()).isBetween(30L, 70L);
        assertThat(router(r).verdicts(NatVerdict.INSERT_FAILED)).isEqualTo(router(r).insertFailed());
        // Each clash costs its client one SYN retransmission; nothing fails for good (a clash in the last burst at
        // 99 s is re-sent after the run's end at 100 s, so one request may still be open).
        assertThat(r.model().clientStats().failed()).isZero();
        assertThat(r.model().clientStats().successes()).isBetween(2L * BURSTS - 1, 2L * BURSTS);
        assertThat(Findings.of(r)).extracting(Finding::kind).contains("nat-insert-race");
    }

    /**
     * fully-random: each search starts at its own random offset, so two simultaneous searches pick the same of the
     * ~19 free ports with probability about 1/19, halved for the same CPU: 100 x 1/38 = 2.6 expected; at most 10.
     */
    @Test
    void fullyRandomMakesTheClashAMatterOfChance() {
        assertThat(router(run(2, "fully-random")).insertFailed()).isBetween(0L, 10L);
    }

    /** The scenario pair: lockstep pods on an 8-CPU 4.19 node, no flag against fully-random. */
    @Test
    void theKubeNodeScenarioLosesOneSynInFiftyWithoutFullyRandom() {
        RunResult plain = Runner.run(ScenarioLoader.load(Path.of("scenarios/nat-insert-race.yaml"), List.of()), null);
        RunResult fixed = Runner.run(ScenarioLoader.load(Path.of("scenarios/nat-insert-race-fully-random.yaml"),
                List.of()), null);
        long attempts = plain.model().clientStats().attempts();
        assertThat(router(plain).insertFailed()).isGreaterThan(attempts / 100);
        assertThat(router(fixed).insertFailed()).isLessThan(router(plain).insertFailed() / 20);
    }
}
