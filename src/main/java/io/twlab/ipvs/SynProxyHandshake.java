package io.twlab.ipvs;

import io.twlab.engine.RandomStreams;
import io.twlab.engine.Simulator;
import io.twlab.net.Packet;

/**
 * SYNPROXY's two handshakes (Alibaba LVS, ip_vs_synproxy.c): the client's SYN is answered with a cookie SYN-ACK
 * and no state; the client's ACK with a valid cookie schedules a real server and opens the connection to it with
 * a SYN the proxy keeps, re-sent on the SYN_SENT timeout (ip_vs_conn_expire with syn_skb); the server's SYN-ACK
 * completes it, and from then on the server's sequence space is translated to the cookie's.
 */
final class SynProxyHandshake {
    private static final int PROXY_MSS = 1460;

    private final Simulator sim;
    private final IpvsDirector director;
    private final IpvsConnectionTable table;
    private final SynProxy settings;
    private final long synSentTimeoutNs;
    private final long cookieSecret;
    private long retries;

    SynProxyHandshake(Simulator sim, IpvsDirector director, IpvsConnectionTable table, SynProxy settings,
                      long synSentTimeoutNs, long cookieSecret) {
        this.sim = sim;
        this.director = director;
        this.table = table;
        this.settings = settings;
        this.synSentTimeoutNs = synSentTimeoutNs;
        this.cookieSecret = cookieSecret;
    }

    /** SYNs re-sent to real servers after the SYN_SENT timeout. */
    long retries() {
        return retries;
    }

    /** The SYN cookie: a keyed hash of the client tuple and its ISN. */
    private int cookie(int clientIp, int clientPort, VirtualService svc, int clientIsn) {
        return (int) RandomStreams.mix(cookieSecret ^ ((long) clientIp << 32) ^ ((long) clientPort << 16)
                ^ ((long) svc.vip * 31 + svc.port) ^ ((long) clientIsn << 8));
    }

    /**
     * A client's SYN (answered with a cookie), or its ACK (checked; if valid, a real server is scheduled, replacing
     * {@code old}, a closed entry of the same tuple, as synproxy_conn_reuse does).
     */
    IpvsVerdict fromClient(VirtualService svc, IpvsConnection old, Packet p) {
        boolean syn = p.has(Packet.SYN) && !p.has(Packet.ACK) && !p.has(Packet.RST);
        if (syn) {
            Packet synAck = Forwarding.ownPacket(svc.vip, svc.port, p.srcIp, p.srcPort, Packet.SYN | Packet.ACK,
                    cookie(p.srcIp, p.srcPort, svc, p.seq), p.seq + 1);
            synAck.mss = PROXY_MSS;
            director.emit(synAck);
            return IpvsVerdict.SYNPROXY_COOKIE_SENT;
        }
        boolean bareAck = p.has(Packet.ACK) && !p.has(Packet.SYN) && !p.has(Packet.RST);
        int clientIsn = p.seq - 1;
        if (!bareAck || p.ack - 1 != cookie(p.srcIp, p.srcPort, svc, clientIsn)) {
            return IpvsVerdict.SYNPROXY_BAD_COOKIE;
        }
        if (old != null) {
            table.expire(old);
        }
        RealServer rs = svc.choose(p.srcIp, p.srcPort, sim.now());
        if (rs == null) {
            return IpvsVerdict.NO_SERVER;
        }
        long side = svc.localPool.allocate(rs, p.srcPort, table);
        if (side < 0) {
            return IpvsVerdict.NO_LOCAL_PORT;
        }
        IpvsConnection c = new IpvsConnection(p.srcIp, p.srcPort, svc, rs, (int) (side >>> 16), (int) (side & 0xffff));
        c.clientIsn = clientIsn;
        c.seqDelta = Forwarding.isnDelta(c, clientIsn, cookieSecret, sim.now());
        c.proxyPending = true;
        c.synRetriesLeft = settings.synRetries();
        c.synRetryTimeoutNs = synSentTimeoutNs;
        director.admit(c);
        table.moveTo(c, IpvsTcpState.SYN_SENT, Long.MAX_VALUE); // re-sent by its own timer, not expired by the sweep
        if (p.payloadLength > 0) {
            c.held = p;
        }
        sendSyn(c);
        return IpvsVerdict.SYNPROXY_ACK_ACCEPTED;
    }

    /** A client's data or FIN while the server handshake is pending: only the latest is held, the client re-sends. */
    IpvsVerdict hold(IpvsConnection c, Packet p) {
        if (p.payloadLength > 0 || p.has(Packet.FIN)) {
            c.held = p;
        }
        return IpvsVerdict.SYNPROXY_HELD;
    }

    /** The SYN to the real server, and the timer that re-sends it. */
    private void sendSyn(IpvsConnection c) {
        Packet syn = Forwarding.ownPacket(c.serverSideIp, c.serverSidePort, c.server.ip, c.server.port, Packet.SYN,
                c.clientIsn + c.seqDelta, 0);
        syn.mss = PROXY_MSS;
        c.server.inPkts++;
        c.service.inPkts++;
        director.sendTowardServer(syn);
        c.retryEvent = director.scheduleSynRetry(c.synRetryTimeoutNs, c);
    }

    /** The SYN_SENT timer fired: re-send (doubling the timeout in the exponential variant) or let the entry die. */
    void onRetryTimer(IpvsConnection c) {
        if (!c.proxyPending) {
            return;
        }
        if (c.synRetriesLeft == 0) {
            c.expiresAt = sim.now(); // the entry dies; the client's retransmissions find nothing
            table.expire(c);
            return;
        }
        c.synRetriesLeft--;
        retries++;
        if (settings.exponential()) {
            c.synRetryTimeoutNs *= 2;
        }
        sendSyn(c);
    }

    /**
     * A real server's packet while its handshake is pending: its SYN-ACK is acknowledged by the proxy, the
     * sequence translation set, and the client's held segment forwarded; anything else is ignored.
     */
    IpvsVerdict fromServer(IpvsConnection c, Packet p, long establishedTimeoutNs) {
        if (!(p.has(Packet.SYN) && p.has(Packet.ACK))) {
            return IpvsVerdict.SYNPROXY_PENDING_IGNORED;
        }
        c.proxyPending = false;
        sim.cancel(c.retryEvent);
        int cookieIsn = cookie(c.clientIp, c.clientPort, c.service, c.clientIsn);
        c.serverSeqDelta = p.seq - cookieIsn;
        c.server.outPkts++;
        c.service.outPkts++;
        table.moveTo(c, IpvsTcpState.ESTABLISHED, table.expiry(establishedTimeoutNs));
        director.emit(Forwarding.ownPacket(c.serverSideIp, c.serverSidePort, c.server.ip, c.server.port, Packet.ACK,
                c.clientIsn + 1 + c.seqDelta, p.seq + 1));
        Packet held = c.held;
        c.held = null;
        if (held != null) {
            director.replay(c.service, held);
        }
        return IpvsVerdict.SYNPROXY_SERVER_ANSWERED;
    }
}
