package io.twlab.tcp;

import io.twlab.net.Packet;

/**
 * A segment that found no socket but perhaps a listener: tcp_v4_rcv()'s listener lookup and
 * tcp_conn_request() (net/ipv4/tcp_input.c), with tw_recycle's per-peer check in front of it.
 */
final class ListenInput {
    private final TcpHost host;

    ListenInput(TcpHost host) {
        this.host = host;
    }

    /** {@code isnFromTimeWait} is the ISN a TIME_WAIT handed over with its SYN verdict, or 0. */
    TcpVerdict input(Packet p, int isnFromTimeWait) {
        Listener l = host.listeners.get(p.dstPort);
        if (l == null || !p.has(Packet.SYN) || p.has(Packet.ACK) || p.has(Packet.RST)) {
            host.output.sendReset(p);
            return l == null ? TcpVerdict.NO_LISTENER : TcpVerdict.LISTEN_NOT_SYN;
        }
        long now = host.sim.now();
        boolean sawTs = p.hasTimestamp && host.timestamps;
        // A SYN taken over from TIME_WAIT was already judged by tcp_timewait_state_process().
        if (isnFromTimeWait == 0 && host.twRecycle && host.peers.rejects(p, sawTs, now)) {
            host.counters.inc(Counter.PAWSPassive);
            return TcpVerdict.RECYCLE_PEER_TS;
        }
        if (l.pendingRequests >= Math.min(l.backlog, host.maxSynBacklog)) {
            host.counters.inc(Counter.ListenDrops);
            return TcpVerdict.BACKLOG_FULL;
        }
        long key = TcpHost.tupleKey(p.srcIp, p.srcPort, p.dstPort);
        TcpConnection c = new TcpConnection(host, key, p.dstIp, p.dstPort, p.srcIp, p.srcPort);
        c.irs = p.seq;
        c.rcvNxt = p.seq + 1;
        c.iss = isnFromTimeWait != 0 ? isnFromTimeWait
                : host.clocks.secureSequence(p.dstIp, p.dstPort, p.srcIp, p.srcPort);
        c.sndUna = c.iss;
        c.sndNxt = c.iss + 1;
        c.sendLimit = c.sndNxt;
        c.tsOk = sawTs;
        c.tsOffset = host.clocks.timestampOffset(p.dstIp, p.dstPort, p.srcIp, p.srcPort);
        if (sawTs) {
            c.tsRecent = p.tsVal;
            c.tsRecentStamp = host.clock.seconds(now);
        }
        c.mss = p.mss > 0 ? Math.min(p.mss, TcpHost.OUR_MSS) : 536;
        c.state = TcpState.SYN_RECV;
        c.rtoNs = host.initialRtoNs;
        c.app = null;
        c.appState = l;
        l.pendingRequests++;
        host.connections.put(key, c);
        host.output.sendSynAck(c);
        c.rttSampleSentNs = now;
        c.rttSampleSeq = c.iss;
        host.timers.setRto(c, c.rtoNs);
        return isnFromTimeWait != 0 ? TcpVerdict.TW_SYN_REOPENS : TcpVerdict.SYN_ACCEPTED;
    }

    /** The request leaves the listener's SYN queue (accepted, reset or timed out). */
    static void releaseRequest(TcpConnection c) {
        if (c.appState instanceof Listener l) {
            l.pendingRequests--;
            c.appState = null;
        }
    }
}
