package io.twlab.workload;

/** Who closes a connection, and how many request/response exchanges it carries. */
public enum Pattern {
    /** HTTP/1.0: one exchange, the server closes first (TIME_WAIT on the server). */
    HTTP10,
    /** One exchange, the client closes first (TIME_WAIT on the client). */
    CLIENT_CLOSE,
    /** K exchanges on one connection, then the client closes. */
    KEEP_ALIVE
}
