package io.twlab.metrics;

/** Why a client request failed, as the application would log it. Names are stable output keys. */
public enum FailureCause {
    CONNECT_TIMEOUT("connect-timeout"),
    SYN_TIMEOUT("syn-timeout"),
    REFUSED("refused"),
    RESET("reset"),
    TIMEOUT("timeout"),
    NO_PORT("no-port"),
    INCOMPLETE("incomplete");

    private final String key;

    FailureCause(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
