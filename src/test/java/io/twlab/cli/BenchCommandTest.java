package io.twlab.cli;

import io.twlab.report.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `twlab bench --json` reports the bare hold-model heap beside the simulator (issue 15). No speed is asserted (speed
 * goals live in docs/BENCHMARKS.md): only that the comparison is made at the run's own pending count, on as many
 * events as the run had, and that the ratio is the quotient of the two rates it prints.
 */
class BenchCommandTest {
    @Test
    void benchSetsTheSimulatorBesideABareHeapAtItsPendingCount() {
        CliRunner.Output o = CliRunner.runWithOutput("bench", "--set", "duration=20s", "--json");
        assertThat(o.status()).as(o.err()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) Json.parse(o.out());
        // 8 partner hosts at 300 conn/s with 60 s TIME_WAITs and pending timers: far more than one pending event.
        assertThat(Json.asDouble(m.get("meanPendingEvents"))).isGreaterThan(10);
        double sim = Json.asDouble(m.get("eventsPerSecond"));
        double bare = Json.asDouble(m.get("bareHeapEventsPerSecond"));
        assertThat(sim).isPositive();
        assertThat(bare).isPositive();
        assertThat(Json.asDouble(m.get("ratioToBareHeap"))).isCloseTo(sim / bare, org.assertj.core.data.Percentage.withPercentage(0.01)); // JSON keeps 6 digits
        assertThat(Json.asDouble(m.get("events"))).isGreaterThan(0);
    }
}
