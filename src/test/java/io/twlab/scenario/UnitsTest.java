package io.twlab.scenario;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UnitsTest {
    private static final long S = 1_000_000_000L;

    @Test
    void durations() {
        assertThat(Units.duration("90")).isEqualTo(90 * S);
        assertThat(Units.duration("500ms")).isEqualTo(S / 2);
        assertThat(Units.duration("1.5s")).isEqualTo(3 * S / 2);
        assertThat(Units.duration("2h")).isEqualTo(7200 * S);
        assertThat(Units.duration("10min")).isEqualTo(600 * S);
        // Combined units: 11h40m = 42000 s, 2m15s = 135 s.
        assertThat(Units.duration("11h40m")).isEqualTo(42_000 * S);
        assertThat(Units.duration("2m15s")).isEqualTo(135 * S);
        assertThat(Units.duration("10 parsecs")).isEqualTo(-1);
        assertThat(Units.duration("1h30")).isEqualTo(-1);
    }

    @Test
    void ratesSizesFractionsAndPorts() {
        assertThat(Units.rate("35400/min")).isEqualTo(590.0);
        assertThat(Units.rate("590/s")).isEqualTo(590.0);
        assertThat(Units.rate("fast")).isNaN();
        assertThat(Units.size("2KiB")).isEqualTo(2048);
        assertThat(Units.size("2KB")).isEqualTo(2000);
        assertThat(Units.fraction("5%")).isEqualTo(0.05);
        assertThat(Units.portRange("2048-65535")).containsExactly(2048, 65535);
        assertThat(Units.portRange("32768 60999")).containsExactly(32768, 60999);
    }
}
