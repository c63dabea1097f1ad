package io.twlab.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bench's bare heap must be a heap: times leave it in order, and its size stays at the pending count. */
class HoldModelTest {
    @Test
    void timesLeaveInNonDecreasingOrder() {
        HoldModel h = new HoldModel(1000, 7);
        long previous = h.earliest();
        for (int i = 0; i < 100_000; i++) {
            long removed = h.run(1);
            assertThat(removed).isGreaterThanOrEqualTo(previous);
            // What was just removed was the minimum: the new earliest is not before it.
            assertThat(h.earliest()).isGreaterThanOrEqualTo(removed);
            previous = removed;
        }
        assertThat(h.pending()).isEqualTo(1000);
    }

    /**
     * Each step inserts the removed time plus an increment of mean 1 ms: after 10^6 steps at 100 pending the clock
     * has advanced by about 10^6 x 1 ms / 100 = 10 s (each pending event is held about 100 increments' worth).
     */
    @Test
    void theClockAdvancesByTheMeanIncrementOverThePendingCount() {
        HoldModel h = new HoldModel(100, 1);
        long start = h.earliest();
        long end = h.run(1_000_000);
        assertThat((end - start) / 1e9).isBetween(8.0, 12.0);
    }

    @Test
    void anEmptyHoldModelIsRefused() {
        assertThatThrownBy(() -> new HoldModel(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
