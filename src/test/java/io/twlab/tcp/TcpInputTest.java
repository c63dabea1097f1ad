package io.twlab.tcp;

import io.twlab.net.Packet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.twlab.tcp.TcpFixture.PEER_ISN;
import static io.twlab.tcp.TcpFixture.PEER_TS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One test per (state, input) of the TCP input path, on {@link TcpFixture}: the verdict, the state after, and the
 * exact fields of what the host sends back. Expectations come from the kernel functions each verdict names
 * (net/ipv4/tcp_input.c, tcp_minisocks.c, tcp_ipv4.c) and RFC 793/5961/7323, not from earlier runs.
 */
class TcpInputTest {
    private static final String KERNEL = "linux-6.18";

    private static Packet only(List<Packet> sent) {
        assertThat(sent).hasSize(1);
        return sent.get(0);
    }

    // ---- LISTEN (tcp_v4_rcv, tcp_rcv_state_process, tcp_conn_request) ----

    @Test
    void listenAnswersASynWithASynAckThatAcksItAndEchoesItsTimestamp() {
        TcpFixture f = TcpFixture.on(KERNEL).listening();
        assertThat(f.send(f.seg(Packet.SYN).seq(PEER_ISN).ts(PEER_TS, 0))).isEqualTo(TcpVerdict.SYN_ACCEPTED);
        Packet synAck = only(f.drain());
        assertThat(synAck.flags).isEqualTo(Packet.SYN | Packet.ACK);
        assertThat(synAck.ack).isEqualTo(PEER_ISN + 1);
        assertThat(synAck.hasTimestamp).isTrue();
        assertThat(synAck.tsEcr).isEqualTo(PEER_TS);
        assertThat(synAck.payloadLength).isZero();
    }

    /** tcp_v4_send_reset for a SYN to a port nobody listens on: RST|ACK, seq 0, acking the SYN (RFC 793). */
    @Test
    void aSynToAClosedPortIsAnsweredWithRstAck() {
        TcpFixture f = TcpFixture.on(KERNEL);
        assertThat(f.send(f.seg(Packet.SYN).seq(PEER_ISN).ts(PEER_TS, 0))).isEqualTo(TcpVerdict.NO_LISTENER);
        Packet rst = only(f.drain());
        assertThat(rst.flags).isEqualTo(Packet.RST | Packet.ACK);
        assertThat(rst.seq).isZero();
        assertThat(rst.ack).isEqualTo(PEER_ISN + 1);
    }

    /** An ACK to a listener with no request: tcp_rcv_state_process returns 1, the reset takes seq from its ack. */
    @Test
    void aStrayAckToAListenerIsResetWithItsOwnAckAsSequence() {
        TcpFixture f = TcpFixture.on(KERNEL).listening();
        assertThat(f.send(f.seg(Packet.ACK).seq(PEER_ISN).ack(777))).isEqualTo(TcpVerdict.LISTEN_NOT_SYN);
        Packet rst = only(f.drain());
        assertThat(rst.flags).isEqualTo(Packet.RST);
        assertThat(rst.seq).isEqualTo(777);
    }

    /** A full request queue drops the SYN without an answer (tcp_conn_request: ListenDrops). */
    @Test
    void aSynBeyondTheBacklogIsDroppedSilently() {
        TcpFixture f = TcpFixture.on(KERNEL).listening(1);
        assertThat(f.send(f.seg(Packet.SYN).seq(PEER_ISN).ts(PEER_TS, 0))).isEqualTo(TcpVerdict.SYN_ACCEPTED);
        f.drain();
        assertThat(f.send(f.seg(Packet.SYN).seq(PEER_ISN).ts(PEER_TS, 0).fromPort(40001)))
                .isEqualTo(TcpVerdict.BACKLOG_FULL);
        assertThat(f.drain()).isEmpty();
        assertThat(f.counter(Counter.ListenDrops)).isEqualTo(1);
    }

    // ---- SYN_SENT (tcp_rcv_synsent_state_process) ----

    @Test
    void synSentCompletesOnASynAckThatAcksItsSyn() {
        TcpFixture f = TcpFixture.on(KERNEL).synSent();
        assertThat(f.connection.state()).isEqualTo(TcpState.SYN_SENT);
        assertThat(f.send(f.seg(Packet.SYN | Packet.ACK).seq(PEER_ISN).ack(f.hostIsn + 1).ts(PEER_TS, f.hostTs)))
                .isEqualTo(TcpVerdict.SYN_ACK_ACCEPTED);
        Packet ack = only(f.drain());
        assertThat(ack.flags).isEqualTo(Packet.ACK);
        assertThat(ack.seq).isEqualTo(f.hostIsn + 1);
        assertThat(ack.ack).isEqualTo(PEER_ISN + 1);
        assertThat(ack.tsEcr).isEqualTo(PEER_TS);
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    /** RFC 793: an ACK outside (ISS, SND.NXT] in SYN_SENT gets <SEQ=SEG.ACK><CTL=RST> and the socket stays. */
    @Test
    void synSentResetsASynAckWithTheWrongAck() {
        TcpFixture f = TcpFixture.on(KERNEL).synSent();
        int wrong = f.hostIsn + 5;
        assertThat(f.send(f.seg(Packet.SYN | Packet.ACK).seq(PEER_ISN).ack(wrong).ts(PEER_TS, f.hostTs)))
                .isEqualTo(TcpVerdict.UNACCEPTABLE_ACK);
        Packet rst = only(f.drain());
        assertThat(rst.flags).isEqualTo(Packet.RST);
        assertThat(rst.seq).isEqualTo(wrong);
        assertThat(f.connection.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void synSentIsRefusedByAnRstThatAcksItsSyn() {
        TcpFixture f = TcpFixture.on(KERNEL).synSent();
        assertThat(f.send(f.seg(Packet.RST | Packet.ACK).seq(0).ack(f.hostIsn + 1)))
                .isEqualTo(TcpVerdict.CONNECTION_REFUSED);
        assertThat(f.drain()).isEmpty();
        assertThat(f.closed).isEqualTo(CloseReason.REFUSED);
    }

    /** An RST without ACK in SYN_SENT is ignored (tcp_rcv_synsent_state_process: "discard the segment"). */
    @Test
    void synSentIgnoresAnRstWithoutAck() {
        TcpFixture f = TcpFixture.on(KERNEL).synSent();
        assertThat(f.send(f.seg(Packet.RST).seq(PEER_ISN))).isEqualTo(TcpVerdict.SYN_SENT_NO_ACK);
        assertThat(f.drain()).isEmpty();
        assertThat(f.connection.state()).isEqualTo(TcpState.SYN_SENT);
        assertThat(f.closed).isNull();
    }

    // ---- SYN_RECV (tcp_check_req) ----

    @Test
    void synRecvCompletesOnTheAckOfItsSynAck() {
        TcpFixture f = TcpFixture.on(KERNEL).synReceived();
        assertThat(f.accepted).isEmpty();
        assertThat(f.send(f.seg(Packet.ACK).seq(PEER_ISN + 1).ack(f.hostIsn + 1).ts(PEER_TS + 1, f.hostTs)))
                .isEqualTo(TcpVerdict.HANDSHAKE_COMPLETED);
        assertThat(f.drain()).isEmpty();
        assertThat(f.accepted).hasSize(1);
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(f.counter(Counter.PassiveOpens)).isEqualTo(1);
    }

    /** A retransmitted SYN in SYN_RECV re-sends the same SYN-ACK (tcp_check_req: inet_rtx_syn_ack). */
    @Test
    void synRecvResendsItsSynAckForARetransmittedSyn() {
        TcpFixture f = TcpFixture.on(KERNEL).synReceived();
        int isn = f.hostIsn;
        assertThat(f.send(f.seg(Packet.SYN).seq(PEER_ISN).ts(PEER_TS + 1000, 0)))
                .isEqualTo(TcpVerdict.SYN_RECV_SYN_RESENT);
        Packet synAck = only(f.drain());
        assertThat(synAck.flags).isEqualTo(Packet.SYN | Packet.ACK);
        assertThat(synAck.seq).isEqualTo(isn);
        assertThat(synAck.ack).isEqualTo(PEER_ISN + 1);
    }

    /** An ACK that does not ack the SYN-ACK: tcp_check_req returns the listener, which resets with seq = ack. */
    @Test
    void synRecvResetsAnAckOfTheWrongSequence() {
        TcpFixture f = TcpFixture.on(KERNEL).synReceived();
        int wrong = f.hostIsn + 100;
        assertThat(f.send(f.seg(Packet.ACK).seq(PEER_ISN + 1).ack(wrong).ts(PEER_TS + 1, f.hostTs)))
                .isEqualTo(TcpVerdict.SYN_RECV_BAD_ACK);
        Packet rst = only(f.drain());
        assertThat(rst.flags).isEqualTo(Packet.RST);
        assertThat(rst.seq).isEqualTo(wrong);
        assertThat(f.accepted).isEmpty();
    }

    /** An in-window RST removes the request silently (tcp_check_req: inet_csk_reqsk_queue_drop). */
    @Test
    void synRecvDropsTheRequestOnAnRst() {
        TcpFixture f = TcpFixture.on(KERNEL).synReceived();
        assertThat(f.send(f.seg(Packet.RST).seq(PEER_ISN + 1))).isEqualTo(TcpVerdict.SYN_RECV_RESET);
        assertThat(f.drain()).isEmpty();
        // The request is gone: its final ACK now meets the listener alone.
        assertThat(f.send(f.seg(Packet.ACK).seq(PEER_ISN + 1).ack(f.hostIsn + 1).ts(PEER_TS + 1, f.hostTs)))
                .isEqualTo(TcpVerdict.LISTEN_NOT_SYN);
    }

    // ---- ESTABLISHED (tcp_validate_incoming, tcp_ack, tcp_data_queue) ----

    @Test
    void establishedAcksInOrderData() {
        TcpFixture f = TcpFixture.on(KERNEL).established();
        assertThat(f.send(f.seg(Packet.ACK | Packet.PSH).seq(PEER_ISN + 1).ack(f.hostIsn + 1)
                .ts(PEER_TS + 2, f.hostTs).len(100))).isEqualTo(TcpVerdict.SEGMENT_ACCEPTED);
        // The first data segment is acknowledged at once (quick-ACK mode at the start of a connection).
        Packet ack = only(f.drain());
        assertThat(ack.flags & Packet.ACK).isNotZero();
        assertThat(ack.ack).isEqualTo(PEER_ISN + 1 + 100);
        assertThat(ack.tsEcr).isEqualTo(PEER_TS + 2);
    }

    /** PAWS (RFC 7323 5.3): a TSval older than ts_recent drops the segment and answers with a duplicate ACK. */
    @Test
    void establishedRejectsAnOldTimestampWithADuplicateAck() {
        TcpFixture f = TcpFixture.on(KERNEL).established();
        assertThat(f.send(f.seg(Packet.ACK | Packet.PSH).seq(PEER_ISN + 1).ack(f.hostIsn + 1)
                .ts(PEER_TS - 100, f.hostTs).len(100))).isEqualTo(TcpVerdict.PAWS_ESTAB);
        Packet dup = only(f.drain());
        assertThat(dup.flags).isEqualTo(Packet.ACK);
        assertThat(dup.ack).isEqualTo(PEER_ISN + 1);
        assertThat(dup.tsEcr).isEqualTo(PEER_TS + 1);
        assertThat(f.counter(Counter.PAWSEstab)).isEqualTo(1);
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    /** RFC 5961 4.2 (3.6+): an in-window SYN on a synchronized connection gets a challenge ACK. */
    @Test
    void establishedAnswersAnInWindowSynWithAChallengeAck() {
        TcpFixture f = TcpFixture.on(KERNEL).established();
        assertThat(f.send(f.seg(Packet.SYN).seq(PEER_ISN + 10).ts(PEER_TS + 2, 0)))
                .isEqualTo(TcpVerdict.CHALLENGE_ACK);
        Packet ack = only(f.drain());
        assertThat(ack.flags).isEqualTo(Packet.ACK);
        assertThat(ack.ack).isEqualTo(PEER_ISN + 1);
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(f.counter(Counter.TCPChallengeACK)).isEqualTo(1);
    }

    /** Before RFC 5961 (2.6.32's tcp_validate_incoming): an in-window SYN resets the connection. */
    @Test
    void onTwoSixThirtyTwoAnInWindowSynResetsTheConnection() {
        TcpFixture f = TcpFixture.on("linux-2.6.32").established();
        assertThat(f.send(f.seg(Packet.SYN).seq(PEER_ISN + 10).ts(PEER_TS + 2, 0)))
                .isEqualTo(TcpVerdict.SYN_RESETS_CONNECTION);
        assertThat(f.closed).isEqualTo(CloseReason.RESET);
    }

    /** RFC 5961 3.2: an RST in the window but not at RCV.NXT gets a challenge ACK; exactly at RCV.NXT it resets. */
    @Test
    void establishedChallengesAnInexactRstAndAcceptsAnExactOne() {
        TcpFixture f = TcpFixture.on(KERNEL).established();
        assertThat(f.send(f.seg(Packet.RST).seq(PEER_ISN + 1 + 50))).isEqualTo(TcpVerdict.CHALLENGE_ACK);
        assertThat(only(f.drain()).ack).isEqualTo(PEER_ISN + 1);
        assertThat(f.send(f.seg(Packet.RST).seq(PEER_ISN + 1))).isEqualTo(TcpVerdict.RESET_ACCEPTED);
        assertThat(f.closed).isEqualTo(CloseReason.RESET);
    }

    @Test
    void onTwoSixThirtyTwoAnyInWindowRstResets() {
        TcpFixture f = TcpFixture.on("linux-2.6.32").established();
        assertThat(f.send(f.seg(Packet.RST).seq(PEER_ISN + 1 + 50))).isEqualTo(TcpVerdict.RESET_ACCEPTED);
        assertThat(f.closed).isEqualTo(CloseReason.RESET);
    }

    /** A segment beyond RCV.NXT is out of order: not accepted, and answered with a duplicate ACK (tcp_data_queue). */
    @Test
    void establishedAnswersDataAheadOfRcvNxtWithADuplicateAck() {
        TcpFixture f = TcpFixture.on(KERNEL).established();
        assertThat(f.send(f.seg(Packet.ACK).seq(PEER_ISN + 1 + 500).ack(f.hostIsn + 1).ts(PEER_TS + 2, f.hostTs)
                .len(100))).isEqualTo(TcpVerdict.OUT_OF_ORDER);
        Packet dup = only(f.drain());
        assertThat(dup.ack).isEqualTo(PEER_ISN + 1);
    }

    /** tcp_ack: an ACK of data never sent is discarded; the connection is unchanged. */
    @Test
    void establishedDiscardsAnAckOfUnsentData() {
        TcpFixture f = TcpFixture.on(KERNEL).established();
        assertThat(f.send(f.seg(Packet.ACK).seq(PEER_ISN + 1).ack(f.hostIsn + 1 + 1000).ts(PEER_TS + 2, f.hostTs)))
                .isEqualTo(TcpVerdict.ACK_OF_UNSENT_DATA);
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    /** The peer's FIN is acknowledged (RCV.NXT + 1) and the connection waits for its own close (tcp_fin). */
    @Test
    void establishedMovesToCloseWaitOnAFin() {
        TcpFixture f = TcpFixture.on(KERNEL).established();
        assertThat(f.send(f.seg(Packet.FIN | Packet.ACK).seq(PEER_ISN + 1).ack(f.hostIsn + 1)
                .ts(PEER_TS + 2, f.hostTs))).isEqualTo(TcpVerdict.SEGMENT_ACCEPTED);
        Packet ack = only(f.drain());
        assertThat(ack.ack).isEqualTo(PEER_ISN + 2);
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSE_WAIT);
    }

    // ---- TIME_WAIT on the active closer (tcp_timewait_state_process) ----

    /**
     * tcp_timewait_state_process: a retransmitted FIN lies before tw_rcv_nxt, so it is not the in-window bare
     * segment; it takes the out-of-window path, which answers with an ACK (rate-limited) and re-arms the timer.
     */
    @Test
    void theActiveCloserHoldsTimeWaitAndAcksARetransmittedFin() {
        TcpFixture f = TcpFixture.on(KERNEL).timeWait();
        assertThat(f.host.timeWait().count()).isEqualTo(1);
        assertThat(f.send(f.seg(Packet.FIN | Packet.ACK).seq(PEER_ISN + 1).ack(f.hostIsn + 2)
                .ts(PEER_TS + 2, f.hostTs))).isEqualTo(TcpVerdict.TW_OUT_OF_WINDOW);
        Packet ack = only(f.drain());
        assertThat(ack.flags).isEqualTo(Packet.ACK);
        assertThat(ack.seq).isEqualTo(f.hostIsn + 2);
        assertThat(ack.ack).isEqualTo(PEER_ISN + 2);
    }

    /** The in-window bare ACK (seq = tw_rcv_nxt, no data) is taken without an answer. */
    @Test
    void timeWaitTakesAnInWindowBareAckSilently() {
        TcpFixture f = TcpFixture.on(KERNEL).timeWait();
        assertThat(f.send(f.seg(Packet.ACK).seq(PEER_ISN + 2).ack(f.hostIsn + 2).ts(PEER_TS + 2, f.hostTs)))
                .isEqualTo(TcpVerdict.TW_BARE_ACK);
        assertThat(f.drain()).isEmpty();
        assertThat(f.host.timeWait().count()).isEqualTo(1);
    }

    @Test
    void fixtureStatesUseTheSysctlsGiven() {
        // A positive control for the fixture itself: tcp_timestamps=0 leaves the options out of the SYN-ACK.
        TcpFixture f = TcpFixture.on(KERNEL, Map.of("net.ipv4.tcp_timestamps", 0L)).listening();
        f.send(f.seg(Packet.SYN).seq(PEER_ISN).ts(PEER_TS, 0));
        assertThat(only(f.drain()).hasTimestamp).isFalse();
    }
}
