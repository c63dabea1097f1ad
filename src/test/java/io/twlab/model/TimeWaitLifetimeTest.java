package io.twlab.model;

import io.twlab.engine.Simulator;
import io.twlab.kernel.Profiles;
import io.twlab.metrics.TimeWaitLifetimes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * TIME_WAIT lifetimes produced by each kernel's reaper, against the arithmetic of
 * shared/reference/kernel-facts.md §1.2-1.4.
 */
class TimeWaitLifetimeTest {
    private static final long S = Simulator.NS_PER_SEC;
    /** One jiffy at HZ=1000, the tolerance for jiffy-aligned timers. */
    private static final double JIFFY = 0.001;

    private static TimeWaitLifetimes run(String kernel, int hz, double rate) {
        return ReaperExperiment.measure(Profiles.get(kernel), hz, rate, 240 * S, 240 * S);
    }

    @Test
    void deathRowLoneSocketLivesExactlySixtySeconds() {
        // First TW after idle arms the hangman at now + 7.5 s; it sits in cell slot+7, served 7 ticks later:
        // 7.5 + 7 * 7.5 = 60 s.
        TimeWaitLifetimes l = ReaperExperiment.measure(Profiles.get("linux-2.6.32"), 1000, 0.001, 0, 2000 * S);
        assertThat(l.count()).isEqualTo(2);
        assertThat(l.minSeconds()).isCloseTo(60.0, within(JIFFY));
        assertThat(l.maxSeconds()).isCloseTo(60.0, within(JIFFY));
    }

    @Test
    void deathRowBelowQuotaLivesBetween52AndAHalfAnd60Seconds() {
        // 10 TW/s * 7.5 s = 75 per cell <= 100: no cell overflows, so a TW inserted at t dies at the 8th tick
        // after it: t + delta + 52.5 with delta in (0, 7.5] -> (52.5, 60].
        TimeWaitLifetimes l = run("linux-2.6.32", 1000, 10);
        assertThat(l.minSeconds()).isGreaterThan(52.5 - JIFFY);
        assertThat(l.maxSeconds()).isLessThanOrEqualTo(60.0 + JIFFY);
    }

    @Test
    void deathRowUnderSustainedLoadLivesUpTo112AndAHalfSeconds() {
        // 200 TW/s >> 101/7.5 = 13.5/s: every cell overflows, costs one extra 7.5 s tick, and the slot advances
        // every second tick. Inserted TWs wait 13 or 14 ticks plus the partial one:
        // (97.5, 112.5], worst case 7.5 + 7 * 7.5 + 7 * 7.5 = 112.5 s.
        TimeWaitLifetimes l = run("linux-2.6.32", 1000, 200);
        assertThat(l.minSeconds()).isGreaterThan(97.5 - JIFFY);
        assertThat(l.maxSeconds()).isLessThanOrEqualTo(112.5 + JIFFY);
        assertThat(l.maxSeconds()).isGreaterThan(112.5 - 0.1);
    }

    @Test
    void rhelReapsLoadedCellsOneSecondLaterSoAtMost67Seconds() {
        // 200 TW/s * 8.5 s >= 202 per cell: the deferred work hits the quota too, so the timer is re-armed at
        // +1 s instead of +7.5 s. Worst case: 60 + 7 cells * 1 s = 67 s (seed 000's 60.5 s is not derivable).
        TimeWaitLifetimes l = run("linux-3.10.0-1127", 1000, 200);
        assertThat(l.maxSeconds()).isLessThanOrEqualTo(67.0 + JIFFY);
        assertThat(l.maxSeconds()).isGreaterThan(66.0);
        assertThat(l.minSeconds()).isGreaterThan(52.5);
    }

    @Test
    void rhelCellsOfOneToTwoHundredStillSlipSevenAndAHalfSeconds() {
        // 20 TW/s: cells get 20 * 7.5 = 150 to 20 * 15 = 300 entries. A cell of 101..201 overflows the hangman's
        // quota but not the work's, so no 1 s re-arm: the full 7.5 s slip, lifetimes well above 67 s.
        TimeWaitLifetimes l = run("linux-3.10.0-1127", 1000, 20);
        assertThat(l.maxSeconds()).isGreaterThan(67.0);
    }

    @Test
    void perSocketTimerBeforeFourEightIsExactToTheJiffy() {
        // 4.1-4.7: mod_timer(jiffies + 60 * HZ); HZ=250 -> 15000 jiffies, a 4 ms jiffy.
        TimeWaitLifetimes l = run("linux-4.4", 250, 500);
        assertThat(l.minSeconds()).isGreaterThanOrEqualTo(60.0 - 0.004);
        assertThat(l.maxSeconds()).isLessThanOrEqualTo(60.0 + 0.004);
    }

    @Test
    void timerWheelRoundsSixtySecondsUpToTheLevelGranularity() {
        // 4.8+: 60 s = 15000 jiffies at HZ=250 is >= LVL_START(3) = 63 << 6 = 4032 and < LVL_START(4) = 32256:
        // level 3, granularity 8^3 = 512 jiffies = 2.048 s -> lifetimes in [60, 62.048].
        TimeWaitLifetimes l250 = run("linux-4.19", 250, 500);
        assertThat(l250.minSeconds()).isGreaterThanOrEqualTo(60.0 - 0.004);
        assertThat(l250.maxSeconds()).isLessThanOrEqualTo(62.048 + 0.004);
        assertThat(l250.maxSeconds()).isGreaterThan(61.5);
        // HZ=1000: 60000 jiffies >= LVL_START(4) = 32256: level 4, granularity 4096 jiffies = 4.096 s.
        TimeWaitLifetimes l1000 = run("linux-6.18", 1000, 500);
        assertThat(l1000.maxSeconds()).isLessThanOrEqualTo(64.096 + 0.001);
        assertThat(l1000.maxSeconds()).isGreaterThan(63.5);
    }
}
