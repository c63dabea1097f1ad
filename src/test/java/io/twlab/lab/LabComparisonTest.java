package io.twlab.lab;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lab comparison's request row: the lab's connects against their schedule, as a rate (issue 13: a driver that
 * made 236 of its 240 paced connects went unseen inside a 25 % band on totals).
 */
class LabComparisonTest {
    private static Map<String, Object> summary(long attempts) {
        return Map.of("clients", Map.of("attempts", attempts, "failed", 0, "connectMs", Map.of("p50", 1.0, "p99", 1.0,
                "max", 1.0)), "hosts", Map.of());
    }

    private static Map<String, Object> requests(long lab, boolean paced, double scheduled) {
        List<Map<String, Object>> rows = LabComparison.compare(summary(lab), summary(lab), 60, paced, scheduled);
        return rows.get(0);
    }

    /** Paced: 4 clients at 1/s for 60 s open at 0, 1, ..., 59 s: ceil(1 x 60) x 4 = 240, exactly. */
    @Test
    void pacedRunsMustKeepTheirSchedule() {
        Map<String, Object> r = requests(236, true, 240);
        assertThat(r.get("metric")).isEqualTo("requests per second (scheduled 4)");
        assertThat((double) r.get("lab")).isEqualTo(236 / 60.0);
        assertThat(r.get("agreement")).isEqualTo("differs");
        assertThat(requests(240, true, 240).get("agreement")).isEqualTo("on schedule");
    }

    /** Poisson at 4/s for 60 s: mean 240, sd sqrt(240) = 15.5; 227 is inside 3 sd (46.5), 180 is not. */
    @Test
    void poissonRunsMayDifferByTheirNoise() {
        assertThat(requests(227, false, 240).get("agreement")).isEqualTo("within 3 sd of the schedule");
        assertThat(requests(180, false, 240).get("agreement")).isEqualTo("differs");
    }
}
