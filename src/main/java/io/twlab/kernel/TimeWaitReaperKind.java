package io.twlab.kernel;

/** How a kernel version ends TIME_WAIT sockets; the lifetime under load follows from the mechanism. */
public enum TimeWaitReaperKind {
    /** 2.6.32 / upstream 3.10: central 8-slot wheel of 7.5 s, kill quota 100, slot not advanced on overflow
     *  (net/ipv4/inet_timewait_sock.c inet_twdr_hangman, inet_twdr_do_twkill_work). */
    DEATH_ROW_WHEEL,
    /** RHEL 7.8 3.10.0-1127: the same wheel, but inet_twdr_twkill_work re-arms the timer 1 s later when the
     *  deferred work itself overflowed the quota. */
    DEATH_ROW_WHEEL_RHEL_REARM,
    /** 4.1-4.7: one timer per TIME_WAIT socket, exact to the jiffy (inet_twsk_schedule, commit 789f558cfb36). */
    PER_SOCKET_TIMER,
    /** 4.8+: per-socket timer on the non-cascading timer wheel, expiry rounded up to the level granularity
     *  (kernel/time/timer.c calc_wheel_index). */
    PER_SOCKET_TIMER_WHEEL_ROUNDED
}
