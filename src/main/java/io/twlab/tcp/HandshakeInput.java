package io.twlab.tcp;

import io.twlab.net.Packet;

import static io.twlab.net.Seq.after;
import static io.twlab.net.Seq.between;

/**
 * The two handshake states: SYN_SENT (tcp_rcv_synsent_state_process(), net/ipv4/tcp_input.c) and a request
 * socket in SYN_RECV (tcp_check_req(), net/ipv4/tcp_minisocks.c).
 */
final class HandshakeInput {
    private final TcpHost host;

    HandshakeInput(TcpHost host) {
        this.host = host;
    }

    TcpVerdict synSent(TcpConnection c, Packet p) {
        if (!p.has(Packet.ACK)) {
            // A bare RST or a SYN without ACK (simultaneous open, not modelled) is dropped.
            return TcpVerdict.SYN_SENT_NO_ACK;
        }
        if (!after(p.ack, c.iss) || after(p.ack, c.sndNxt)) {
            // Unacceptable ACK (e.g. a TIME_WAIT's old ACK): reset it with seq = its ack number.
            if (!p.has(Packet.RST)) {
                host.output.sendReset(p);
                if (host.profile.resendSynAfterInvalidAck() && c.retransmits == 0) {
                    // "Reduce SYN resend delay if a suspicious ACK is received" (5.7+): TCP_TIMEOUT_MIN, 2 jiffies.
                    host.timers.setRto(c, 2 * host.clock.jiffyNs());
                }
            }
            return TcpVerdict.UNACCEPTABLE_ACK;
        }
        if (c.tsOk && p.hasTimestamp && p.tsEcr != 0 && !between(p.tsEcr, c.synTsVal, host.clocks.tsNow(c))) {
            host.counters.inc(Counter.PAWSActive);
            host.output.sendReset(p);
            return TcpVerdict.PAWS_ACTIVE;
        }
        if (p.has(Packet.RST)) {
            host.counters.inc(Counter.AttemptFails);
            host.finish(c, CloseReason.REFUSED);
            return TcpVerdict.CONNECTION_REFUSED;
        }
        if (!p.has(Packet.SYN)) {
            return TcpVerdict.SYN_SENT_NO_ACK;
        }
        long now = host.sim.now();
        c.irs = p.seq;
        c.rcvNxt = p.seq + 1;
        c.sndUna = p.ack;
        c.tsOk = c.tsOk && p.hasTimestamp;
        if (c.tsOk) {
            c.tsRecent = p.tsVal;
            c.tsRecentStamp = host.clock.seconds(now);
        }
        c.mss = p.mss > 0 ? Math.min(p.mss, TcpHost.OUR_MSS) : 536;
        host.timers.rttSample(c, p.ack);
        c.synRetransmissions = c.retransmits;
        c.retransmits = 0;
        c.rtoNs = host.timers.rtoFromEstimate(c);
        host.timers.clearRto(c);
        c.state = TcpState.ESTABLISHED;
        host.output.sendControl(c, Packet.ACK);
        c.app.onEstablished(c);
        return TcpVerdict.SYN_ACK_ACCEPTED;
    }

    TcpVerdict synRecv(TcpConnection c, Packet p) {
        if (p.has(Packet.SYN) && !p.has(Packet.ACK) && p.seq == c.irs) {
            host.output.sendSynAck(c); // a re-sent SYN is answered again (inet_rtx_syn_ack)
            return TcpVerdict.SYN_RECV_SYN_RESENT;
        }
        long nowSec = host.clock.seconds(host.sim.now());
        boolean rst = p.has(Packet.RST);
        if (c.tsOk && p.hasTimestamp
                && Paws.rejects(c.tsRecent, c.tsRecentStamp, p.tsVal, rst, nowSec, host.profile.pawsWrapSeconds())) {
            host.counters.inc(Counter.PAWSEstab);
            if (!rst) {
                host.output.sendControl(c, Packet.ACK);
            }
            return TcpVerdict.PAWS_SYN_RECV;
        }
        if (rst) {
            if (p.seq != c.rcvNxt) {
                return TcpVerdict.SYN_RECV_RST_IGNORED;
            }
            host.destroy(c);
            return TcpVerdict.SYN_RECV_RESET;
        }
        if (!p.has(Packet.ACK)) {
            return TcpVerdict.SYN_RECV_NO_ACK;
        }
        if (p.ack != c.iss + 1) {
            host.output.sendReset(p);
            return TcpVerdict.SYN_RECV_BAD_ACK;
        }
        // The handshake completes: the child socket is created and queued for accept(). The child then processes
        // the ACK itself (tcp_child_process -> tcp_rcv_state_process), so tcp_replace_ts_recent takes its TSval.
        ListenInput.releaseRequest(c);
        if (c.tsOk && p.hasTimestamp && p.seq == c.rcvNxt && p.tsVal - c.tsRecent >= 0) {
            c.tsRecent = p.tsVal;
            c.tsRecentStamp = nowSec;
        }
        Listener l = host.listeners.get(c.localPort);
        c.state = TcpState.ESTABLISHED;
        c.sndUna = p.ack;
        host.timers.rttSample(c, p.ack);
        c.retransmits = 0;
        c.rtoNs = host.timers.rtoFromEstimate(c);
        host.timers.clearRto(c);
        host.counters.inc(Counter.PassiveOpens);
        c.app = l.acceptHandler.accept(c);
        c.app.onEstablished(c);
        if (p.payloadLength > 0 || p.has(Packet.FIN)) {
            host.synchronizedInput.input(c, p);
        }
        return TcpVerdict.HANDSHAKE_COMPLETED;
    }
}
