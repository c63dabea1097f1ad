package io.twlab.ipvs;

import io.twlab.ipvs.IpvsTcpState.Direction;
import org.junit.jupiter.api.Test;

import static io.twlab.ipvs.IpvsTcpState.CLOSE;
import static io.twlab.ipvs.IpvsTcpState.CLOSE_WAIT;
import static io.twlab.ipvs.IpvsTcpState.ESTABLISHED;
import static io.twlab.ipvs.IpvsTcpState.FIN_WAIT;
import static io.twlab.ipvs.IpvsTcpState.LAST_ACK;
import static io.twlab.ipvs.IpvsTcpState.LISTEN;
import static io.twlab.ipvs.IpvsTcpState.NONE;
import static io.twlab.ipvs.IpvsTcpState.SYN_RECV;
import static io.twlab.ipvs.IpvsTcpState.SYN_SENT;
import static io.twlab.ipvs.IpvsTcpState.TIME_WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IPVS TCP state table, row by row, against tcp_states[] of net/netfilter/ipvs/ip_vs_proto_tcp.c (v6.x; the
 * INPUT ack row's NONE column is CLOSE there, ESTABLISHED in some 2.6 trees), transcribed here independently of
 * the model's encoding: for each direction and event, the next state from each current state in the order NONE,
 * ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, SYNACK.
 */
class IpvsTcpStateTest {
    private static final IpvsTcpState SA = IpvsTcpState.SYNACK;
    private static final int SYN = 0;
    private static final int FIN = 1;
    private static final int ACK = 2;
    private static final int RST = 3;

    private static final IpvsTcpState[][] INPUT = {
            {SYN_RECV, ESTABLISHED, ESTABLISHED, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV},
            {CLOSE, CLOSE_WAIT, SYN_SENT, TIME_WAIT, TIME_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, TIME_WAIT},
            {CLOSE, ESTABLISHED, SYN_SENT, ESTABLISHED, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, CLOSE, LISTEN, ESTABLISHED},
            {CLOSE, CLOSE, CLOSE, SYN_RECV, CLOSE, CLOSE, CLOSE, CLOSE, LAST_ACK, LISTEN, SYN_RECV}};
    private static final IpvsTcpState[][] OUTPUT = {
            {SYN_SENT, ESTABLISHED, SYN_SENT, SYN_RECV, SYN_SENT, SYN_SENT, SYN_SENT, SYN_SENT, SYN_SENT, LISTEN, SYN_RECV},
            {TIME_WAIT, FIN_WAIT, SYN_SENT, TIME_WAIT, FIN_WAIT, TIME_WAIT, CLOSE, TIME_WAIT, LAST_ACK, LISTEN, TIME_WAIT},
            {ESTABLISHED, ESTABLISHED, SYN_SENT, ESTABLISHED, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, ESTABLISHED, ESTABLISHED},
            {CLOSE, CLOSE, SYN_SENT, CLOSE, CLOSE, TIME_WAIT, CLOSE, CLOSE, CLOSE, CLOSE, CLOSE}};
    private static final IpvsTcpState[][] INPUT_ONLY = {
            {SYN_RECV, ESTABLISHED, ESTABLISHED, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV},
            {CLOSE, FIN_WAIT, SYN_SENT, TIME_WAIT, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, TIME_WAIT},
            {CLOSE, ESTABLISHED, SYN_SENT, ESTABLISHED, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, CLOSE, LISTEN, ESTABLISHED},
            {CLOSE, CLOSE, CLOSE, SYN_RECV, CLOSE, CLOSE, CLOSE, CLOSE, LAST_ACK, LISTEN, CLOSE}};

    private static void assertRows(Direction d, IpvsTcpState[][] table) {
        for (int event = 0; event < 4; event++) {
            for (IpvsTcpState from : IpvsTcpState.values()) {
                assertThat(from.next(d, event)).as("%s event %d from %s", d, event, from)
                        .isEqualTo(table[event][from.ordinal()]);
            }
        }
    }

    @Test
    void inputRowsMatchTheKernelTable() {
        assertRows(Direction.INPUT, INPUT);
    }

    @Test
    void outputRowsMatchTheKernelTable() {
        assertRows(Direction.OUTPUT, OUTPUT);
    }

    @Test
    void inputOnlyRowsMatchTheKernelTable() {
        assertRows(Direction.INPUT_ONLY, INPUT_ONLY);
    }

    /** tcp_state_idx(): RST is looked at first, then SYN, FIN, ACK; no flag at all leaves set_tcp_state's CLOSE. */
    @Test
    void theFirstFlagAmongRstSynFinAckSelectsTheRow() {
        assertThat(IpvsTcpState.event(true, true, true, true)).isEqualTo(RST);
        assertThat(IpvsTcpState.event(false, true, true, true)).isEqualTo(SYN);
        assertThat(IpvsTcpState.event(false, false, true, true)).isEqualTo(FIN);
        assertThat(IpvsTcpState.event(false, false, false, true)).isEqualTo(ACK);
        assertThat(IpvsTcpState.event(false, false, false, false)).isEqualTo(-1);
        assertThat(ESTABLISHED.next(Direction.INPUT, -1)).isEqualTo(CLOSE);
    }

    /**
     * A NAT-mode connection whose server closes first, as seed 000's nginx does: SYN in, SYN-ACK out, ACK in,
     * the server's FIN out, the client's ACK and FIN in, the server's last ACK out. The entry ends in TIME_WAIT
     * (then lives the TIME_WAIT timeout), which is where a reused source port finds it.
     */
    @Test
    void aServerFirstCloseThroughNatModeEndsInTimeWait() {
        IpvsTcpState s = NONE;
        s = s.next(Direction.INPUT, SYN);
        assertThat(s).isEqualTo(SYN_RECV);
        s = s.next(Direction.OUTPUT, SYN); // SYN-ACK: SYN is its first flag
        assertThat(s).isEqualTo(SYN_RECV);
        s = s.next(Direction.INPUT, ACK);
        assertThat(s).isEqualTo(ESTABLISHED);
        s = s.next(Direction.OUTPUT, FIN);
        assertThat(s).isEqualTo(FIN_WAIT);
        s = s.next(Direction.INPUT, ACK);
        assertThat(s).isEqualTo(FIN_WAIT);
        s = s.next(Direction.INPUT, FIN);
        assertThat(s).isEqualTo(TIME_WAIT);
        s = s.next(Direction.OUTPUT, ACK);
        assertThat(s).isEqualTo(TIME_WAIT);
        assertThat(s.closed()).isTrue();
        assertThat(ESTABLISHED.closed()).isFalse();
    }
}
