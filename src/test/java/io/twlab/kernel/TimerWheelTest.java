package io.twlab.kernel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The 4.8+ timer wheel's rounding of an expiry (kernel/time/timer.c calc_wheel_index). */
class TimerWheelTest {
    @Test
    void wheelExpiryLevels() {
        // delta 10 jiffies: level 0 (< 63), granularity 1: expiry + 1.
        assertThat(TimerWheel.expiry(1010, 1000)).isEqualTo(1011);
        // delta 15000: level 3, bucket (expires + 512) >> 9 << 9.
        long expires = 1_000_000 + 15000;
        assertThat(TimerWheel.expiry(expires, 1_000_000)).isEqualTo(((expires + 512) >> 9) << 9);
    }
}
