package io.twlab.tcp;

/** Why a connection ended, as the application sees it (errno of connect()/read()). */
public enum CloseReason {
    /** Orderly close. */
    NORMAL,
    /** ECONNREFUSED: RST answering our SYN. */
    REFUSED,
    /** ECONNRESET: RST on a synchronized connection. */
    RESET,
    /** ETIMEDOUT: SYN or data retransmissions exhausted. */
    TIMED_OUT,
    /** The application aborted the socket (e.g. its own connect timeout). */
    ABORTED,
    /** EADDRNOTAVAIL: no free ephemeral port for connect(). */
    NO_PORT
}
