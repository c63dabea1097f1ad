package io.twlab.trace;

import io.twlab.net.Packet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds the bytes of a simulated packet as tcpdump on the sending interface would see them: Ethernet framing,
 * real IPv4 and TCP headers with valid checksums, TCP options in the order Linux writes them
 * (net/ipv4/tcp_output.c, tcp_options_write), payload bytes zero-filled. One reusable buffer: no allocation per packet.
 */
final class FrameEncoder {
    static final int LINKTYPE_ETHERNET = 1;
    static final int MAX_FRAME = 14 + 20 + 60 + 65_536;

    private final ByteBuffer buf;
    private final int frameStart;

    /** Frames are written into {@code target} at {@code offset}, leaving the bytes before it to the file format. */
    FrameEncoder(byte[] target, int offset) {
        this.buf = ByteBuffer.wrap(target).order(ByteOrder.BIG_ENDIAN);
        this.frameStart = offset;
    }

    /** Encodes {@code p} and returns the frame's length in bytes. */
    int encode(Packet p) {
        buf.clear();
        buf.position(frameStart);
        // Ethernet: locally administered MACs derived from the addresses (02:00:a.b.c.d).
        putMac(p.dstIp);
        putMac(p.srcIp);
        buf.putShort((short) 0x0800);
        int ipStart = buf.position();
        int tcpOptionsLength = optionsLength(p);
        int tcpHeaderLength = 20 + tcpOptionsLength;
        int ipTotal = 20 + tcpHeaderLength + p.payloadLength;
        buf.put((byte) 0x45).put((byte) 0).putShort((short) ipTotal).putShort((short) p.ipId)
                .putShort((short) 0x4000) // DF, as Linux sets on TCP
                .put((byte) p.ttl).put((byte) 6).putShort((short) 0).putInt(p.srcIp).putInt(p.dstIp);
        buf.putShort(ipStart + 10, checksum(buf.array(), ipStart, 20, 0));
        int tcpStart = buf.position();
        buf.putShort((short) p.srcPort).putShort((short) p.dstPort).putInt(p.seq)
                .putInt(p.has(Packet.ACK) ? p.ack : 0)
                .putShort((short) ((tcpHeaderLength / 4) << 12 | (p.flags & 0x3f)))
                .putShort((short) Math.min(p.window, 65535)).putShort((short) 0).putShort((short) 0);
        putOptions(p);
        for (int i = 0; i < p.payloadLength; i++) {
            buf.put((byte) 0);
        }
        int tcpLength = tcpHeaderLength + p.payloadLength;
        long pseudo = ((p.srcIp >>> 16) & 0xffff) + (p.srcIp & 0xffff) + ((p.dstIp >>> 16) & 0xffff)
                + (p.dstIp & 0xffff) + 6 + tcpLength;
        buf.putShort(tcpStart + 16, checksum(buf.array(), tcpStart, tcpLength, pseudo));
        return buf.position() - frameStart;
    }

    private void putMac(int ip) {
        buf.put((byte) 0x02).put((byte) 0).putInt(ip);
    }

    private static int optionsLength(Packet p) {
        if (p.has(Packet.SYN)) {
            int n = p.mss > 0 ? 4 : 0;
            n += p.hasTimestamp ? 12 : (p.sackPermitted ? 4 : 0); // SACK_PERM+TS share 12 bytes
            n += p.windowScale >= 0 ? 4 : 0;
            return n;
        }
        return p.hasTimestamp ? 12 : 0;
    }

    /** Linux's order: MSS; SACK-permitted with TS (or NOP NOP SACK-permitted); TS; NOP window-scale. */
    private void putOptions(Packet p) {
        if (p.has(Packet.SYN)) {
            if (p.mss > 0) {
                buf.put((byte) 2).put((byte) 4).putShort((short) p.mss);
            }
            if (p.hasTimestamp) {
                if (p.sackPermitted) {
                    buf.put((byte) 4).put((byte) 2);
                } else {
                    buf.put((byte) 1).put((byte) 1);
                }
                buf.put((byte) 8).put((byte) 10).putInt(p.tsVal).putInt(p.tsEcr);
            } else if (p.sackPermitted) {
                buf.put((byte) 1).put((byte) 1).put((byte) 4).put((byte) 2);
            }
            if (p.windowScale >= 0) {
                buf.put((byte) 1).put((byte) 3).put((byte) 3).put((byte) p.windowScale);
            }
        } else if (p.hasTimestamp) {
            buf.put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10).putInt(p.tsVal).putInt(p.tsEcr);
        }
    }

    /** The Internet checksum (RFC 1071) over bytes [start, start+length), plus an initial sum. */
    static short checksum(byte[] b, int start, int length, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((b[start + i] & 0xff) << 8) | (b[start + i + 1] & 0xff);
        }
        if ((length & 1) != 0) {
            sum += (b[start + length - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (short) ~sum;
    }

}
