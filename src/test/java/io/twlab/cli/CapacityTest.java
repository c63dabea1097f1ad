package io.twlab.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** twlab capacity against the seed-000 arithmetic: rate* = tuples / max TIME_WAIT lifetime at rate*. */
class CapacityTest {
    private static double number(String json, String key) {
        int i = json.indexOf("\"" + key + "\": ");
        String rest = json.substring(i + key.length() + 4);
        return Double.parseDouble(rest.substring(0, rest.indexOf(rest.contains(",") && rest.indexOf(',') < rest.indexOf('\n') ? ',' : '\n')).trim());
    }

    @Test
    void rhel6SeedPortRange() {
        // 2048-65535 = 63488 ports; loaded 2.6.32 TIME_WAIT lives up to 112.5 s: 63488 / 112.5 = 564.3 conn/s.
        CliRun r = CliRun.of("capacity", "--kernel", "linux-2.6.32", "--ports", "2048-65535", "--json");
        assertThat(r.status()).isZero();
        assertThat(number(r.out(), "maxRate")).isCloseTo(564.3, within(0.5));
        assertThat(number(r.out(), "max")).isCloseTo(112.5, within(0.01));
        assertThat(number(r.out(), "min")).isGreaterThan(97.5);
        assertThat(number(r.out(), "idleTimeWaitSeconds")).isCloseTo(60.0, within(0.001));
    }

    @Test
    void rhel7SeedPortRange() {
        // 3.10.0-1127: at most 67 s under load: 63488 / 67 = 947.6 conn/s (the seed's 60.5 s would give 1049).
        CliRun r = CliRun.of("capacity", "--kernel", "linux-3.10.0-1127", "--ports", "2048-65535", "--json");
        assertThat(number(r.out(), "maxRate")).isCloseTo(947.6, within(1.0));
        assertThat(number(r.out(), "max")).isCloseTo(67.0, within(0.01));
    }

    @Test
    void moreSourceAddressesScaleTheRate() {
        // Three source addresses triple the tuples: 3 * 63488 / 112.5 = 1693 conn/s.
        CliRun r = CliRun.of("capacity", "--kernel", "linux-2.6.32", "--ports", "2048-65535", "--src-ips", "3", "--json");
        assertThat(number(r.out(), "maxRate")).isCloseTo(1693.0, within(1.5));
    }

    @Test
    void modernKernelSixtySecondsPlusWheelRounding() {
        // 4.19 at HZ=250: 60 s rounded up by at most 2.048 s: 63488 / 62.048 = 1023.2 conn/s at the lowest.
        CliRun r = CliRun.of("capacity", "--kernel", "linux-4.19", "--ports", "2048-65535", "--json");
        double rate = number(r.out(), "maxRate");
        assertThat(rate).isBetween(1023.0, 63488 / 60.0);
        assertThat(number(r.out(), "max")).isBetween(60.0, 62.048 + 0.004);
    }

    @Test
    void badArgumentsExitTwo() {
        CliRun r = CliRun.of("capacity", "--kernel", "linux-7", "--ports", "2048-65535");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("unknown profile 'linux-7'");
        CliRun p = CliRun.of("capacity", "--kernel", "linux-4.19", "--ports", "65535-2048");
        assertThat(p.status()).isEqualTo(2);
        assertThat(p.err()).contains("--ports");
    }
}
