package io.twlab.nat;

import io.twlab.kernel.JiffyClock;
import io.twlab.net.Packet;

import static io.twlab.net.Seq.after;

/**
 * The conntrack-like TCP state of each mapping (nf_conntrack_proto_tcp.c tcp_packet, simplified): SYN, FIN and
 * RST move it through SYN_SENT ... TIME_WAIT/CLOSE, and every state change or refreshing ACK sets its timeout
 * from now. The inside direction's highest sequence end is kept for nf_nat's eviction of closed entries.
 */
final class NatFlowTracking {
    private final NatTimeouts timeouts;
    private final JiffyClock clock;
    private final NatFlowTable table;

    NatFlowTracking(NatTimeouts timeouts, JiffyClock clock, NatFlowTable table) {
        this.timeouts = timeouts;
        this.clock = clock;
        this.table = table;
    }

    void setState(NatFlow f, NatTcpState s, long now) {
        f.state = s;
        f.expiresAt = clock.expiry(now, timeouts.of(s));
        table.expiryChanged(f);
    }

    /** A packet from the inside host (the original direction). */
    void inside(NatFlow f, Packet p, long now) {
        int end = p.endSeq();
        if (f.state == NatTcpState.SYN_SENT && p.has(Packet.SYN) || after(end, f.insideSeqEnd)) {
            f.insideSeqEnd = end;
        }
        if (p.has(Packet.RST)) {
            setState(f, NatTcpState.CLOSE, now);
        } else if (p.has(Packet.SYN)) {
            setState(f, NatTcpState.SYN_SENT, now);
        } else if (p.has(Packet.FIN)) {
            f.finFromInside = true;
            setState(f, f.finFromOutside ? NatTcpState.LAST_ACK : NatTcpState.FIN_WAIT, now);
        } else {
            advanceOnAck(f, now);
        }
    }

    /** A packet from the remote end (the reply direction). */
    void outside(NatFlow f, Packet p, long now) {
        if (p.has(Packet.RST)) {
            setState(f, NatTcpState.CLOSE, now);
        } else if (p.has(Packet.SYN)) {
            setState(f, NatTcpState.SYN_RECV, now);
        } else if (p.has(Packet.FIN)) {
            f.finFromOutside = true;
            setState(f, f.finFromInside ? NatTcpState.LAST_ACK : NatTcpState.CLOSE_WAIT, now);
        } else {
            advanceOnAck(f, now);
        }
    }

    private void advanceOnAck(NatFlow f, long now) {
        switch (f.state) {
            case SYN_RECV -> {
                // tcp_packet(): SYN_RECV -> ESTABLISHED with a reply seen sets IPS_ASSURED.
                f.assured = true;
                setState(f, NatTcpState.ESTABLISHED, now);
            }
            case LAST_ACK -> setState(f, NatTcpState.TIME_WAIT, now);
            case ESTABLISHED, FIN_WAIT, CLOSE_WAIT -> setState(f, f.state, now);
            default -> {
            }
        }
    }

    /** A closed mapping reused as is by a new SYN (devices that are not Linux): back to SYN_SENT. */
    void reopen(NatFlow f) {
        f.finFromInside = false;
        f.finFromOutside = false;
        f.state = NatTcpState.SYN_SENT;
    }
}
