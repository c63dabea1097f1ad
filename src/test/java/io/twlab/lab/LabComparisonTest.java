package io.twlab.lab;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The lab comparison's request row: a rate, judged by what the arrivals allow (issue 13: 236 of 240 went unseen). */
class LabComparisonTest {
    private static Map<String, Object> summary(long attempts) {
        return Map.of("clients", Map.of("attempts", attempts, "failed", 0, "connectMs", Map.of("p50", 1.0, "p99", 1.0,
                "max", 1.0)), "hosts", Map.of());
    }

    private static Map<String, Object> requests(long lab, long sim, boolean paced) {
        List<Map<String, Object>> rows = LabComparison.compare(summary(lab), summary(sim), 60, paced);
        return rows.get(0);
    }

    /** Paced: 4 clients at 1/s for 60 s have a fixed schedule; 236 against 240 (one fewer each) is a difference. */
    @Test
    void pacedRunsMustHaveTheSameSchedule() {
        Map<String, Object> r = requests(236, 240, true);
        assertThat(r.get("metric")).isEqualTo("requests per second");
        assertThat((double) r.get("lab")).isEqualTo(236 / 60.0);
        assertThat(r.get("agreement")).isEqualTo("differs");
        assertThat(requests(240, 240, true).get("agreement")).isEqualTo("same schedule");
    }

    /** Poisson: the two counts' difference has sd sqrt(227 + 239) = 21.6; 12 apart is well inside 3 sd (64.8). */
    @Test
    void poissonRunsMayDifferByTheirNoise() {
        assertThat(requests(227, 239, false).get("agreement")).isEqualTo("within 3 sd of Poisson");
        // 160 against 240: 80 > 3 sqrt(400) = 60.
        assertThat(requests(160, 240, false).get("agreement")).isEqualTo("differs");
    }
}
