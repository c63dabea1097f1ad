package io.twlab.tcp;

import io.twlab.engine.Simulator;
import io.twlab.kernel.TimerWheel;

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
            expires = TimerWheel.expiry(expires, now);
        }
        linkToJiffy(s, expires);
    }

    @Override
    void deschedule(int s) {
        unlink(s);
    }
}
