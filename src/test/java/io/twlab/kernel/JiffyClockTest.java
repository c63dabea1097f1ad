package io.twlab.kernel;

import io.twlab.engine.Simulator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timeouts in jiffies: conntrack's from the start of the arrival's jiffy (nf_ct_refresh, nf_ct_is_expired), IPVS
 * entry timers also rounded by the 4.8+ wheel.
 */
class JiffyClockTest {
    private static final long MS = Simulator.NS_PER_MS;
    private static final long S = Simulator.NS_PER_SEC;

    /**
     * HZ 250: 4 ms jiffies. A packet at 10.0021 s falls in the jiffy that began at 10.000 s; 60 s later is jiffy
     * 10.000 + 60 = 70.000 s, 2.1 ms before arrival + 60 s. This is the lab's 59.998-60.009 s reuse gaps.
     */
    @Test
    void aTimeoutRunsFromTheStartOfTheArrivalsJiffy() {
        JiffyClock c = JiffyClock.ofHz(250, 0);
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
        JiffyClock c = JiffyClock.ofHz(250, MS);
        // Boundaries at 0.003, 0.007, ... (t + 1 ms a multiple of 4 ms): 10.0021 s lies in [9.999, 10.003).
        assertThat(c.expiry(10 * S + 2_100_000, 60 * S)).isEqualTo(70 * S - MS);
        assertThat(JiffyClock.ofHz(250, 4 * MS + MS)).isEqualTo(c);
    }

    @Test
    void aGatewayThatIsNotLinuxKeepsExactTimes() {
        assertThat(JiffyClock.EXACT.expiry(10 * S + 2_100_000, 60 * S)).isEqualTo(70 * S + 2_100_000);
    }

    /**
     * An IPVS entry's timer (mod_timer(jiffies + timeout)) on a 4.8+ wheel at HZ 250: armed at 10.0021 s in jiffy
     * 2500 for 120 s = 30,000 jiffies, due at jiffy 32,500; a delta of 30,000 is level 3 (32,256 > 30,000 >= 4,032),
     * granularity 512, so it runs at ((32500 + 512) >> 9) << 9 = 32,768 jiffies = 131.072 s: 121.07 s after arming.
     * Before 4.8 (no wheel rounding) it runs at jiffy 32,500 = 130.000 s.
     */
    @Test
    void anIpvsEntryTimerIsRoundedUpByTheWheel() {
        assertThat(JiffyClock.ofHz(250, 0, true).expiry(10 * S + 2_100_000, 120 * S)).isEqualTo(131_072 * MS);
        assertThat(JiffyClock.ofHz(250, 0, false).expiry(10 * S + 2_100_000, 120 * S)).isEqualTo(130 * S);
    }
}
