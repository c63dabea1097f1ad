package io.twlab.tcp;

/**
 * Why connect() found no ephemeral port (EADDRNOTAVAIL from __inet_hash_connect), named by what held most of the
 * ports it tried. The kernel counts none of these; twlab does because each has a different fix. Names are output
 * keys.
 */
public enum NoPortCause {
    /** Held by open connections to the same destination: only more ports, addresses or fewer connections help. */
    IN_USE("in-use"),
    /** Held by TIME_WAIT and tcp_tw_reuse is off (or, from 4.19, 2 = loopback only): tcp_tw_reuse=1 relieves it. */
    TIME_WAIT("time-wait"),
    /** tcp_tw_reuse is on but the TIME_WAIT is too young for the version's rule in tcp_twsk_unique(). */
    TIME_WAIT_TOO_RECENT("time-wait-too-recent"),
    /** tcp_tw_reuse is on but the old connection had no timestamps: tcp_twsk_unique() needs ts_recent_stamp. */
    TIME_WAIT_NO_TIMESTAMPS("time-wait-no-timestamps"),
    /** Held by orphaned FIN_WAIT2 sockets (a timewait socket in FIN_WAIT2 is never reused): tcp_fin_timeout. */
    FIN_WAIT2("fin-wait-2");

    private final String key;

    NoPortCause(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
