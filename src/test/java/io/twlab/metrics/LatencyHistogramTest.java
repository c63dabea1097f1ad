package io.twlab.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyHistogramTest {
    @Test
    void quantilesAreWithinThreePercent() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 100_000; v++) {
            h.record(v);
        }
        // Exact p50 = 50 000, p99 = 99 000; 32 sub-buckets per octave bound the error by 1/32 ≈ 3.1 %.
        assertThat(h.quantile(0.50)).isBetween(50_000L, (long) (50_000 * 1.032));
        assertThat(h.quantile(0.99)).isBetween(99_000L, 100_000L);
        assertThat(h.max()).isEqualTo(100_000);
        assertThat(h.min()).isEqualTo(1);
    }

    @Test
    void bucketsAreContiguous() {
        for (long v = 0; v < 1_000_000; v++) {
            int i = LatencyHistogram.index(v);
            assertThat(LatencyHistogram.upperEdge(i)).isGreaterThanOrEqualTo(v);
            if (i > 0) {
                assertThat(LatencyHistogram.upperEdge(i - 1)).isLessThan(v);
            }
        }
    }
}
