package io.twlab.ipvs;

import io.twlab.engine.RandomStreams;
import io.twlab.net.Packet;

/**
 * How a packet of an entry is rewritten on its way through the director, per forwarding mode (ip_vs_xmit.c).
 * DR leaves the packet as it is and only routes it to the real server; NAT rewrites the destination toward the
 * server and the source of replies back to the VIP; full NAT also rewrites the client side to a local address
 * and, in Alibaba's flavour, moves sequence numbers to a new ISN and strips the timestamp option.
 */
final class Forwarding {
    private Forwarding() {
    }

    /** ip_vs_nat_xmit / ip_vs_fnat_xmit: a client's packet rewritten toward the entry's real server. */
    static void towardServer(IpvsConnection c, Packet p) {
        p.dstIp = c.server.ip;
        p.dstPort = c.server.port;
        if (c.service.mode == ForwardingMode.FULLNAT) {
            p.srcIp = c.serverSideIp;
            p.srcPort = c.serverSidePort;
            p.seq += c.seqDelta;
            if (p.has(Packet.ACK)) {
                p.ack += c.serverSeqDelta;
            }
            if (c.service.flavor == FullNatFlavor.ALIBABA) {
                p.hasTimestamp = false; // timestamp_remove_entry: the real server judges reuse by sequence only
            }
        }
    }

    /** ip_vs_out (handle_response): a real server's reply rewritten to come from the VIP. */
    static void towardClient(IpvsConnection c, Packet p) {
        p.srcIp = c.service.vip;
        p.srcPort = c.service.port;
        if (c.service.mode == ForwardingMode.FULLNAT) {
            p.dstIp = c.clientIp;
            p.dstPort = c.clientPort;
            p.seq -= c.serverSeqDelta;
            if (p.has(Packet.ACK)) {
                p.ack -= c.seqDelta;
            }
        }
    }

    /**
     * Alibaba full NAT's ISN toward the real server (secure_tcp_sequence_number of the new tuple and a clock)
     * minus the client's; 0 for the modes and flavours that keep sequence numbers.
     */
    static int isnDelta(IpvsConnection c, int clientIsn, long secret, long nowNs) {
        if (c.service.mode != ForwardingMode.FULLNAT || c.service.flavor != FullNatFlavor.ALIBABA) {
            return 0;
        }
        long tuple = ((c.serverSideIp & 0xffffffffL) << 32) ^ ((long) c.serverSidePort << 16) ^ c.server.ip
                ^ ((long) c.server.port << 48);
        return (int) RandomStreams.mix(secret ^ tuple) + (int) (nowNs >>> 6) - clientIsn;
    }

    /** A segment the director itself sends (SYNPROXY's SYN-ACK to the client, its SYN and ACK to the server). */
    static Packet ownPacket(int srcIp, int srcPort, int dstIp, int dstPort, int flags, int seq, int ack) {
        Packet p = new Packet();
        p.srcIp = srcIp;
        p.srcPort = srcPort;
        p.dstIp = dstIp;
        p.dstPort = dstPort;
        p.flags = flags;
        p.seq = seq;
        p.ack = ack;
        p.window = 65535;
        return p;
    }
}
