package io.twlab.tcp;

import io.twlab.net.Packet;

import static io.twlab.net.Seq.before;

/**
 * Everything a host sends: data and FIN up to the application's limit (tcp_write_xmit), SYN and SYN-ACK with
 * their options (tcp_transmit_skb, tcp_make_synack), pure ACKs, resets (tcp_v4_send_reset) and the
 * TIME_WAIT's remembered ACK (tcp_v4_timewait_ack).
 */
final class SegmentOutput {
    private final TcpHost host;
    private int ipId;

    SegmentOutput(TcpHost host) {
        this.host = host;
    }

    /** Sends what the window and the application allow: data segments of up to one MSS, then a queued FIN. */
    void output(TcpConnection c) {
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECV || c.state == TcpState.CLOSED) {
            return;
        }
        boolean sent = false;
        while (before(c.sndNxt, c.sendLimit)) {
            int len = Math.min(c.mss, c.sendLimit - c.sndNxt);
            boolean last = c.sndNxt + len == c.sendLimit;
            sendSegment(c, Packet.ACK | (last ? Packet.PSH : 0), c.sndNxt, len, false);
            if (c.rttSampleSentNs < 0) {
                c.rttSampleSentNs = host.sim.now();
                c.rttSampleSeq = c.sndNxt;
            }
            c.sndNxt += len;
            sent = true;
        }
        if (c.finQueued && !c.finSent && c.sndNxt == c.sendLimit) {
            c.finSeq = c.sndNxt;
            c.finSent = true;
            sendSegment(c, Packet.FIN | Packet.ACK, c.sndNxt, 0, false);
            c.sndNxt += 1;
            sent = true;
        }
        if (sent && c.rtoDeadline == Long.MAX_VALUE) {
            host.timers.setRto(c, c.rtoNs);
        }
    }

    void sendSynAck(TcpConnection c) {
        sendSegment(c, Packet.SYN | Packet.ACK, c.iss, 0, true);
    }

    /** A segment of connection {@code c}; every segment after the SYN carries the current ACK. */
    void sendSegment(TcpConnection c, int flags, int seq, int len, boolean synOptions) {
        Packet p = newPacket(c.localIp, c.remoteIp, c.localPort, c.remotePort);
        p.flags = flags;
        p.seq = seq;
        p.ack = (flags & Packet.ACK) != 0 ? c.rcvNxt : 0;
        p.window = TcpHost.WINDOW;
        p.payloadLength = len;
        if (synOptions) {
            p.mss = TcpHost.OUR_MSS;
            p.windowScale = 7;
            p.sackPermitted = true;
            // A SYN offers timestamps when tcp_timestamps is on; a SYN-ACK only when the SYN carried them.
            boolean offerTs = (flags & Packet.ACK) == 0 ? host.timestamps : c.tsOk;
            if (offerTs) {
                p.hasTimestamp = true;
                p.tsVal = host.clocks.tsNow(c);
                p.tsEcr = (flags & Packet.ACK) != 0 ? c.tsRecent : 0;
            }
            if ((flags & Packet.ACK) == 0) {
                c.tsOk = offerTs;
            }
        } else if (c.tsOk) {
            p.hasTimestamp = true;
            p.tsVal = host.clocks.tsNow(c);
            p.tsEcr = c.tsRecent;
        }
        if ((flags & Packet.ACK) != 0) {
            host.timers.ackSent(c);
        }
        transmit(p);
    }

    /** A segment without data at snd_nxt: a pure ACK, or the active reset of an aborted connection. */
    void sendControl(TcpConnection c, int flags) {
        sendSegment(c, flags, c.sndNxt, 0, false);
    }

    /** tcp_v4_send_reset(): never answers an RST; seq = the offending ACK, or RST|ACK covering the segment. */
    void sendReset(Packet in) {
        if (in.has(Packet.RST)) {
            return;
        }
        Packet p = newPacket(in.dstIp, in.srcIp, in.dstPort, in.srcPort);
        if (in.has(Packet.ACK)) {
            p.flags = Packet.RST;
            p.seq = in.ack;
        } else {
            p.flags = Packet.RST | Packet.ACK;
            p.seq = 0;
            p.ack = in.endSeq();
        }
        host.counters.inc(Counter.OutRsts);
        transmit(p);
    }

    /** tcp_v4_timewait_ack(): the remembered ACK, with the TIME_WAIT's own TSval and ts_recent as TSecr. */
    void timeWaitAck(int tw, Packet in) {
        TimeWaitTable t = host.timeWait;
        Packet p = newPacket(in.dstIp, in.srcIp, in.dstPort, in.srcPort);
        p.flags = Packet.ACK;
        p.seq = t.sndNxt[tw];
        p.ack = t.rcvNxt[tw];
        p.window = TimeWaitTable.RCV_WND;
        if (t.tsRecentStamp[tw] != 0) {
            p.hasTimestamp = true;
            p.tsVal = host.clocks.rawTs() + t.tsOffset[tw];
            p.tsEcr = t.tsRecent[tw];
        }
        transmit(p);
    }

    private Packet newPacket(int srcIp, int dstIp, int srcPort, int dstPort) {
        Packet p = new Packet();
        p.srcIp = srcIp;
        p.dstIp = dstIp;
        p.srcPort = srcPort;
        p.dstPort = dstPort;
        p.ipId = ipId++ & 0xffff;
        return p;
    }

    private void transmit(Packet p) {
        if (p.has(Packet.RST)) {
            p.window = 0;
        }
        host.counters.inc(Counter.OutSegs);
        host.send(p);
    }
}
