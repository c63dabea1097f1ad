package io.twlab.tcp;

import io.twlab.net.Verdict;

/**
 * How one inbound segment ended at a host: the branch of the kernel's input path it took, named for that branch
 * and the function it comes from. Every call of {@link TcpHost#receive} ends in exactly one verdict; the
 * counters and the per-reason drop totals follow from it.
 */
public enum TcpVerdict implements Verdict {
    // ---- accepted ----
    /** tcp_conn_request(): a request socket is created and the SYN-ACK sent. */
    SYN_ACCEPTED(false, "tcp_conn_request"),
    /** tcp_timewait_state_process() TCP_TW_SYN: a SYN newer than the TIME_WAIT reopens the tuple. */
    TW_SYN_REOPENS(false, "tcp_timewait_state_process"),
    /** tcp_check_req(): a re-sent SYN for a pending request is answered with the SYN-ACK again. */
    SYN_RECV_SYN_RESENT(false, "tcp_check_req"),
    /** tcp_check_req(): the handshake's ACK creates the child socket, queued for accept(). */
    HANDSHAKE_COMPLETED(false, "tcp_check_req"),
    /** tcp_rcv_synsent_state_process(): the SYN-ACK establishes the connection. */
    SYN_ACK_ACCEPTED(false, "tcp_rcv_synsent_state_process"),
    /** tcp_rcv_state_process()/tcp_rcv_established(): in-order segment processed. */
    SEGMENT_ACCEPTED(false, "tcp_rcv_state_process"),
    /** tcp_reset(): an RST at exactly rcv_nxt closes the connection. */
    RESET_ACCEPTED(false, "tcp_reset"),
    /** tcp_check_req(): an RST for a pending request removes it. */
    SYN_RECV_RESET(false, "tcp_check_req"),
    /** tcp_rcv_synsent_state_process(): an RST acknowledging our SYN: connection refused. */
    CONNECTION_REFUSED(false, "tcp_rcv_synsent_state_process"),
    /** tcp_timewait_state_process(): FIN of an orphaned FIN_WAIT2 bucket; it becomes TIME_WAIT and ACKs. */
    TW_FIN_WAIT2_FIN(false, "tcp_timewait_state_process"),
    /** tcp_timewait_state_process(): a bare ACK at rcv_nxt (the last ACK again): timer re-armed, consumed. */
    TW_BARE_ACK(false, "tcp_timewait_state_process"),
    /** tcp_timewait_state_process(): an in-window RST kills the TIME_WAIT (rfc1337=0, the RFC 1337 hazard). */
    TW_KILLED_BY_RST(false, "tcp_timewait_state_process"),

    // ---- rejected or dropped ----
    /** tcp_v4_send_reset(): no socket and no listener on the port; an RST answers (unless it was an RST). */
    NO_LISTENER(true, "tcp_v4_rcv"),
    /** tcp_rcv_state_process() LISTEN: a segment without SYN (or with ACK) to a listener is reset. */
    LISTEN_NOT_SYN(true, "tcp_rcv_state_process"),
    /** tcp_conn_request(): the SYN backlog is full (ListenDrops). */
    BACKLOG_FULL(true, "tcp_conn_request"),
    /** tcp_peer_is_proven()/inet_peer check of tw_recycle: the peer's timestamp went backwards (PAWSPassive). */
    RECYCLE_PEER_TS(true, "tcp_peer_is_proven"),
    /** tcp_validate_incoming() PAWS on a synchronized socket: old TSval, duplicate ACK sent (PAWSEstab). */
    PAWS_ESTAB(true, "tcp_validate_incoming"),
    /** tcp_check_req() PAWS on a request socket: ACK sent, segment dropped (PAWSEstab). */
    PAWS_SYN_RECV(true, "tcp_check_req"),
    /** tcp_rcv_synsent_state_process(): the SYN-ACK's TSecr is not one we sent (PAWSActive), reset. */
    PAWS_ACTIVE(true, "tcp_rcv_synsent_state_process"),
    /** tcp_rcv_synsent_state_process(): the ACK does not cover our SYN (e.g. a TIME_WAIT's old ACK): reset. */
    UNACCEPTABLE_ACK(true, "tcp_rcv_synsent_state_process"),
    /** tcp_rcv_synsent_state_process(): no ACK (bare RST, or simultaneous open, not modelled): dropped. */
    SYN_SENT_NO_ACK(true, "tcp_rcv_synsent_state_process"),
    /** tcp_check_req(): the ACK does not acknowledge our SYN-ACK: reset. */
    SYN_RECV_BAD_ACK(true, "tcp_check_req"),
    /** tcp_check_req(): neither SYN, RST nor ACK: dropped. */
    SYN_RECV_NO_ACK(true, "tcp_check_req"),
    /** tcp_check_req(): an RST whose sequence number is not rcv_nxt: ignored. */
    SYN_RECV_RST_IGNORED(true, "tcp_check_req"),
    /** tcp_validate_incoming() before RFC 5961 (3.6): an in-window SYN resets the connection (TCPAbortOnSyn). */
    SYN_RESETS_CONNECTION(true, "tcp_validate_incoming"),
    /** tcp_validate_incoming() RFC 5961: a SYN, or an in-window RST not at rcv_nxt, gets a challenge ACK. */
    CHALLENGE_ACK(true, "tcp_validate_incoming"),
    /** tcp_validate_incoming(): an RST outside the receive window is dropped. */
    RST_OUT_OF_WINDOW(true, "tcp_validate_incoming"),
    /** tcp_data_queue(): data or FIN not at rcv_nxt (old duplicate, or after a loss): duplicate ACK. */
    OUT_OF_ORDER(true, "tcp_data_queue"),
    /** tcp_ack(): the ACK covers data never sent: ACK and drop. */
    ACK_OF_UNSENT_DATA(true, "tcp_ack"),
    /** tcp_timewait_state_process() PAWS: the segment's TSval is older than the TIME_WAIT's ts_recent. */
    TW_PAWS_REJECT(true, "tcp_timewait_state_process"),
    /** tcp_timewait_state_process(): a SYN that may not reopen (not newer) is answered with the old ACK. */
    TW_SYN_NOT_NEWER(true, "tcp_timewait_state_process"),
    /** tcp_timewait_state_process(): a SYN that could reopen but no listener is on the port: the old ACK. */
    TW_SYN_NO_LISTENER(true, "tcp_timewait_state_process"),
    /** tcp_timewait_state_process(): any other segment: the remembered ACK (TCP_TW_ACK). */
    TW_OUT_OF_WINDOW(true, "tcp_timewait_state_process"),
    /** tcp_timewait_check_oow_rate_limit(): the ACK is skipped (TCPACKSkippedTimeWait). */
    TW_ACK_RATE_LIMITED(true, "tcp_timewait_check_oow_rate_limit"),
    /** tcp_timewait_state_process(): RST in TIME_WAIT with tcp_rfc1337=1, or a PAWS-rejected or stray RST: ignored. */
    TW_RST_IGNORED(true, "tcp_timewait_state_process"),
    /** tcp_timewait_state_process() FIN_WAIT2 bucket: a segment that must be answered with a reset. */
    TW_FIN_WAIT2_RESET(true, "tcp_timewait_state_process"),
    /** tcp_timewait_state_process() FIN_WAIT2 bucket: nothing new in the segment: consumed. */
    TW_FIN_WAIT2_IGNORED(true, "tcp_timewait_state_process");

    private static final TcpVerdict[] ALL = values();

    private final boolean drop;
    private final String kernelFunction;

    TcpVerdict(boolean drop, String kernelFunction) {
        this.drop = drop;
        this.kernelFunction = kernelFunction;
    }

    /** The segment was rejected or dropped rather than processed as the sender meant. */
    @Override
    public boolean drop() {
        return drop;
    }

    @Override
    public String kernelFunction() {
        return kernelFunction;
    }

    static TcpVerdict of(int ordinal) {
        return ALL[ordinal];
    }
}
