package io.twlab.tcp;

import io.twlab.engine.Simulator;

/**
 * 4.1+: each TIME_WAIT has its own timer (net/ipv4/inet_timewait_sock.c __inet_twsk_schedule, tw_timer_handler).
 * From 4.8 the timer wheel files a timer in a level whose granularity grows with the delay and rounds the
 * expiry up (kernel/time/timer.c calc_wheel_index), so 60 s fires 60-64.1 s later at HZ=1000.
 * Entries that expire in the same jiffy share one simulator event.
 */
final class PerSocketTimerReaper extends TimeWaitReaper {
    private final boolean wheelRounding;

    PerSocketTimerReaper(Simulator sim, TimeWaitTable table, Counters counters, HostClock clock,
                         boolean wheelRounding, boolean countAtArming) {
        super(sim, table, counters, clock, countAtArming);
        this.wheelRounding = wheelRounding;
    }

    @Override
    protected void arm(int s, long timeoJiffies) {
        unlink(s);
        long now = clock.jiffies(sim.now());
        long expires = now + timeoJiffies;
        if (wheelRounding) {
            expires = wheelExpiry(expires, now);
        }
        linkToJiffy(s, expires);
    }

    @Override
    void deschedule(int s) {
        unlink(s);
    }

    /**
     * The jiffy at which the 4.8+ wheel runs a timer due at {@code expires}: level n (n ≥ 1) takes deltas from
     * 63·8^(n-1) jiffies and has a granularity of 8^n; the bucket index is (expires + gran) >> 3n.
     */
    static long wheelExpiry(long expires, long clk) {
        long delta = expires - clk;
        int level = 0;
        while (level < 8 && delta >= (63L << (3 * level))) {
            level++;
        }
        int shift = 3 * level;
        return ((expires + (1L << shift)) >> shift) << shift;
    }
}
