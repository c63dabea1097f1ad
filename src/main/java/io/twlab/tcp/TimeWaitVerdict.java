package io.twlab.tcp;

/** What tcp_timewait_state_process() tells tcp_v4_rcv() to do with a segment that hit a TIME_WAIT socket. */
public enum TimeWaitVerdict {
    /** TCP_TW_SUCCESS: consume silently (also used when the socket was killed). */
    SUCCESS,
    /** TCP_TW_ACK (TCP_TW_ACK_OOW after 6.14): answer with the remembered ACK (tcp_v4_timewait_ack). */
    ACK,
    /** TCP_TW_RST: answer with a reset and kill the socket. */
    RST,
    /** TCP_TW_SYN: the SYN may open a new connection with ISN tw_snd_nxt + 65537. */
    SYN
}
