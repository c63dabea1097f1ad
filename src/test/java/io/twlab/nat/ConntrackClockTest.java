package io.twlab.nat;

import io.twlab.engine.Simulator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Conntrack timeouts counted in jiffies from the start of the arrival's jiffy (nf_ct_refresh, nf_ct_is_expired). */
class ConntrackClockTest {
    private static final long MS = Simulator.NS_PER_MS;
    private static final long S = Simulator.NS_PER_SEC;

    /**
     * HZ 250: 4 ms jiffies. A packet at 10.0021 s falls in the jiffy that began at 10.000 s; 60 s later is jiffy
     * 10.000 + 60 = 70.000 s, 2.1 ms before arrival + 60 s. This is the lab's 59.998-60.009 s reuse gaps.
     */
    @Test
    void aTimeoutRunsFromTheStartOfTheArrivalsJiffy() {
        ConntrackClock c = ConntrackClock.ofHz(250, 0);
        assertThat(c.expiry(10 * S + 2_100_000, 60 * S)).isEqualTo(70 * S);
        // On a jiffy boundary nothing is lost.
        assertThat(c.expiry(10 * S, 60 * S)).isEqualTo(70 * S);
        // At most one jiffy early, never late.
        for (long t = 5 * S; t < 5 * S + 8 * MS; t += 313_000) {
            long early = t + 60 * S - c.expiry(t, 60 * S);
            assertThat(early).isBetween(0L, 4 * MS - 1);
        }
    }

    /** The gateway's jiffy boundaries sit at its uptime's fraction of a jiffy: phase 1 ms moves them to x.001. */
    @Test
    void thePhaseMovesTheJiffyBoundaries() {
        ConntrackClock c = ConntrackClock.ofHz(250, MS);
        // Boundaries at 0.003, 0.007, ... (t + 1 ms a multiple of 4 ms): 10.0021 s lies in [9.999, 10.003).
        assertThat(c.expiry(10 * S + 2_100_000, 60 * S)).isEqualTo(70 * S - MS);
        assertThat(ConntrackClock.ofHz(250, 4 * MS + MS)).isEqualTo(c);
    }

    @Test
    void aGatewayThatIsNotLinuxKeepsExactTimes() {
        assertThat(ConntrackClock.EXACT.expiry(10 * S + 2_100_000, 60 * S)).isEqualTo(70 * S + 2_100_000);
    }
}
