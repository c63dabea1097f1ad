package io.twlab.tcp;

/**
 * The one PAWS test (RFC 7323 §5) all input paths share: include/net/tcp.h tcp_paws_check() and
 * tcp_paws_reject(). A synchronized socket allows a window of one tick (TCP_PAWS_WINDOW, tcp_paws_discard()),
 * request and TIME_WAIT sockets none.
 */
final class Paws {
    /** TCP_PAWS_WINDOW: tcp_validate_incoming() tolerates a TSval one tick older than ts_recent. */
    static final int ESTABLISHED_WINDOW = 1;
    /** TCP_PAWS_MSL: an RST this many seconds after ts_recent_stamp is not PAWS-rejected. */
    static final long MSL_SECONDS = 60;

    private Paws() {
    }

    /**
     * tcp_paws_check(): the segment passes when its TSval is at most {@code window} ticks older than ts_recent,
     * when ts_recent is older than the wrap limit (24 days; INT_MAX ms ≈ 2147 s since 6.7), or when unset.
     */
    static boolean passes(int tsRecent, long tsRecentStamp, int tsVal, int window, long nowSec, long wrapSeconds) {
        return tsRecent - tsVal <= window || nowSec >= tsRecentStamp + wrapSeconds || tsRecent == 0;
    }

    /** tcp_paws_reject(): window 0, and an RST is let through once ts_recent is older than TCP_PAWS_MSL. */
    static boolean rejects(int tsRecent, long tsRecentStamp, int tsVal, boolean rst, long nowSec, long wrapSeconds) {
        if (passes(tsRecent, tsRecentStamp, tsVal, 0, nowSec, wrapSeconds)) {
            return false;
        }
        return !(rst && nowSec >= tsRecentStamp + MSL_SECONDS);
    }
}
