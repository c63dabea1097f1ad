package io.twlab.kernel;

/** The clock behind the TSval a kernel sends. */
public enum TimestampClock {
    /** ≤4.12: tcp_time_stamp = (u32)jiffies, which starts at INITIAL_JIFFIES = -300*HZ at boot. */
    JIFFIES,
    /** 4.13+: milliseconds of the monotonic clock since boot (tcp_clock_ms, commit 9a568de4818d). */
    MILLISECONDS
}
