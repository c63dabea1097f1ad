package io.twlab.trace;

import io.twlab.net.NetNode;
import io.twlab.net.Packet;
import io.twlab.net.PacketObserver;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the packets put on a link as a classic pcap file with nanosecond timestamps (magic 0xa1b23c4d) and
 * Ethernet framing, as tcpdump on the sending interface would see them: real IPv4 and TCP headers with valid
 * checksums, TCP options in the order Linux writes them (tcp_options_write), payload bytes zero-filled.
 * A filter on port, host and time keeps day-long runs to what was asked for.
 */
public final class PcapWriter implements PacketObserver, AutoCloseable {
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int SNAPLEN = 262_144;

    private final OutputStream out;
    private final CaptureFilter filter;
    private final ByteBuffer buf = ByteBuffer.allocate(16 + 14 + 20 + 60 + 65_536).order(ByteOrder.BIG_ENDIAN);
    private long written;

    public PcapWriter(Path file, CaptureFilter filter) {
        this.filter = filter;
        try {
            this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                    .putInt(LINKTYPE_ETHERNET);
            out.write(h.array());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write capture " + file + ": " + e.getMessage(), e);
        }
    }

    public long written() {
        return written;
    }

    @Override
    public void onTransmit(long timeNs, NetNode from, NetNode to, Packet p, boolean lost) {
        if (!filter.accepts(timeNs, p)) {
            return;
        }
        buf.clear();
        buf.position(16); // record header written last, once the length is known
        int frameStart = buf.position();
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
        int frameLength = buf.position() - frameStart;
        ByteBuffer rec = ByteBuffer.wrap(buf.array(), 0, 16).order(ByteOrder.LITTLE_ENDIAN);
        rec.putInt((int) (timeNs / 1_000_000_000L)).putInt((int) (timeNs % 1_000_000_000L)).putInt(frameLength)
                .putInt(frameLength);
        try {
            out.write(buf.array(), 0, 16 + frameLength);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write capture: " + e.getMessage(), e);
        }
        written++;
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

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish capture: " + e.getMessage(), e);
        }
    }
}
