package io.twlab.tcp;

/** Connection states (include/net/tcp_states.h); TIME_WAIT entries live in {@link TimeWaitTable}. */
public enum TcpState {
    CLOSED, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, CLOSE_WAIT, LAST_ACK, TIME_WAIT
}
