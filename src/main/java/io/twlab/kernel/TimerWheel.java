package io.twlab.kernel;

/**
 * The 4.8+ non-cascading timer wheel (500462a9de65, kernel/time/timer.c calc_wheel_index): a timer due at jiffy
 * {@code expires}, armed at {@code clk}, is filed in level n by its delay (level n ≥ 1 from 63·8^(n-1) jiffies) and
 * runs at the next multiple of that level's granularity 8^n, never early: at HZ 250 a 1 s timer fires up to 32 ms
 * late, a 120 s one up to 2 s.
 */
public final class TimerWheel {
    private TimerWheel() {
    }

    /** The jiffy at which the wheel runs a timer due at {@code expires} and armed at {@code clk}. */
    public static long expiry(long expires, long clk) {
        long delta = expires - clk;
        int level = 0;
        while (level < 8 && delta >= (63L << (3 * level))) {
            level++;
        }
        int shift = 3 * level;
        return ((expires + (1L << shift)) >> shift) << shift;
    }
}
