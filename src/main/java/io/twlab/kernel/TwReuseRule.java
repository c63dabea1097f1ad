package io.twlab.kernel;

/** The time rule of tcp_twsk_unique() (net/ipv4/tcp_ipv4.c) that lets connect() take over a TIME_WAIT tuple. */
public enum TwReuseRule {
    /** ≤4.18: get_seconds() - tw_ts_recent_stamp > 1. */
    SECONDS_DIFF_GREATER_THAN_ONE,
    /** 4.19-6.13: the seconds counter advanced since tw_ts_recent_stamp. */
    SECONDS_ADVANCED,
    /** 6.14+: tcp_clock_ms() after tw_entry_stamp + tcp_tw_reuse_delay (ms). */
    ENTRY_STAMP_PLUS_DELAY_MS
}
