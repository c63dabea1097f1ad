package io.twlab.analyzer.corpus;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The packets of one corpus capture, written byte by byte as Ethernet frames (IPv4 or IPv6, TCP with correct
 * checksums and Linux's option layout) into classic pcap (ns) or pcapng with several interfaces. Nothing here knows
 * the simulator: it is the independent writer the analyzer's labelled corpus is built with.
 */
final class Wire {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    /** An address: IPv4 in {@code lo} (hi = -1 marks IPv4), or the two halves of an IPv6 address. */
    record Addr(long hi, long lo) {
        static Addr v4(int a, int b, int c, int d) {
            return new Addr(-1, (long) a << 24 | b << 16 | c << 8 | d);
        }

        static Addr v6(long hi, long lo) {
            return new Addr(hi, lo);
        }

        boolean v6() {
            return hi != -1;
        }
    }

    /** One TCP segment on the wire; {@code tsVal} < 0 means no timestamp option. */
    record Pkt(long timeNs, int iface, Addr src, int sport, Addr dst, int dport, int seq, int ack, int flags,
               int window, long tsVal, long tsEcr, int payload) {
    }

    final List<Pkt> packets = new ArrayList<>();

    void add(Pkt p) {
        packets.add(p);
    }

    /** The packets in time order (stable: packets at one instant keep the order they were added in). */
    List<Pkt> sorted() {
        List<Pkt> out = new ArrayList<>(packets);
        out.sort(Comparator.comparingLong(Pkt::timeNs));
        return out;
    }

    static byte[] frame(Pkt p) {
        byte[] tcp = tcp(p);
        byte[] ip = p.src().v6() ? ipv6(p, tcp) : ipv4(p, tcp);
        ByteBuffer b = ByteBuffer.allocate(14 + ip.length);
        b.put(new byte[]{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) (p.src().v6() ? 0x86dd : 0x0800))
                .put(ip);
        return b.array();
    }

    private static byte[] tcp(Pkt p) {
        byte[] options;
        boolean syn = (p.flags() & SYN) != 0;
        if (syn) {
            // MSS 1460, SACK permitted, timestamps, NOP, window scale 7: the order Linux writes (tcp_options_write).
            ByteBuffer o = ByteBuffer.allocate(p.tsVal() >= 0 ? 20 : 12).put(new byte[]{2, 4, 0x05, (byte) 0xb4});
            if (p.tsVal() >= 0) {
                o.put(new byte[]{4, 2, 8, 10}).putInt((int) p.tsVal()).putInt((int) p.tsEcr());
            } else {
                o.put(new byte[]{1, 1, 4, 2});
            }
            o.put(new byte[]{1, 3, 3, 7});
            options = o.array();
        } else if (p.tsVal() >= 0) {
            options = ByteBuffer.allocate(12).put(new byte[]{1, 1, 8, 10}).putInt((int) p.tsVal())
                    .putInt((int) p.tsEcr()).array();
        } else {
            options = new byte[0];
        }
        ByteBuffer b = ByteBuffer.allocate(20 + options.length + p.payload());
        b.putShort((short) p.sport()).putShort((short) p.dport()).putInt(p.seq()).putInt(p.ack())
                .putShort((short) (((20 + options.length) / 4) << 12 | p.flags())).putShort((short) p.window())
                .putShort((short) 0).putShort((short) 0).put(options);
        for (int i = 0; i < p.payload(); i++) {
            b.put((byte) ('a' + i % 26));
        }
        byte[] seg = b.array();
        long sum = pseudoHeaderSum(p, seg.length) + sum(seg, 0, seg.length);
        int check = fold(sum);
        seg[16] = (byte) (check >>> 8);
        seg[17] = (byte) check;
        return seg;
    }

    private static long pseudoHeaderSum(Pkt p, int length) {
        long s = 0;
        if (p.src().v6()) {
            s += words(p.src().hi()) + words(p.src().lo()) + words(p.dst().hi()) + words(p.dst().lo());
        } else {
            s += words(p.src().lo()) + words(p.dst().lo());
        }
        return s + 6 + length;
    }

    private static long words(long v) {
        return (v >>> 48 & 0xffff) + (v >>> 32 & 0xffff) + (v >>> 16 & 0xffff) + (v & 0xffff);
    }

    private static long sum(byte[] b, int from, int to) {
        long s = 0;
        for (int i = from; i + 1 < to; i += 2) {
            s += (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
        }
        if (((to - from) & 1) != 0) {
            s += (b[to - 1] & 0xff) << 8;
        }
        return s;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }

    private static byte[] ipv4(Pkt p, byte[] tcp) {
        ByteBuffer b = ByteBuffer.allocate(20 + tcp.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcp.length)).putShort((short) (p.sport() ^ p.seq()))
                .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0).putInt((int) p.src().lo())
                .putInt((int) p.dst().lo());
        byte[] ip = b.array();
        int check = fold(sum(ip, 0, 20));
        ip[10] = (byte) (check >>> 8);
        ip[11] = (byte) check;
        System.arraycopy(tcp, 0, ip, 20, tcp.length);
        return ip;
    }

    private static byte[] ipv6(Pkt p, byte[] tcp) {
        ByteBuffer b = ByteBuffer.allocate(40 + tcp.length);
        b.putInt(0x60000000).putShort((short) tcp.length).put((byte) 6).put((byte) 64).putLong(p.src().hi())
                .putLong(p.src().lo()).putLong(p.dst().hi()).putLong(p.dst().lo()).put(tcp);
        return b.array();
    }

    /** Classic pcap, nanosecond magic, little-endian, Ethernet; packets in the given order. */
    static byte[] pcap(List<Pkt> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b23c4d).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1).array());
        for (Pkt p : packets) {
            byte[] f = frame(p);
            write(out, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt((int) (p.timeNs() / 1_000_000_000L))
                    .putInt((int) (p.timeNs() % 1_000_000_000L)).putInt(f.length).putInt(f.length).array());
            write(out, f);
        }
        return out.toByteArray();
    }

    /** pcapng: one section, one Ethernet interface per name (ns resolution), enhanced packet blocks. */
    static byte[] pcapng(List<Pkt> packets, String... interfaces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer shb = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN).putInt(0x0A0D0D0A).putInt(28)
                .putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        write(out, shb.array());
        for (String name : interfaces) {
            byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int namePadded = (n.length + 3) / 4 * 4;
            int length = 20 + 4 + namePadded + 8 + 4;
            ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(length)
                    .putShort((short) 1).putShort((short) 0).putInt(262144)
                    .putShort((short) 2).putShort((short) n.length).put(n).put(new byte[namePadded - n.length])
                    .putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3])
                    .putShort((short) 0).putShort((short) 0).putInt(length);
            write(out, b.array());
        }
        for (Pkt p : packets) {
            byte[] f = frame(p);
            int padded = (f.length + 3) / 4 * 4;
            int length = 32 + padded;
            ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN).putInt(6).putInt(length)
                    .putInt(p.iface()).putInt((int) (p.timeNs() >>> 32)).putInt((int) p.timeNs()).putInt(f.length)
                    .putInt(f.length).put(f).put(new byte[padded - f.length]).putInt(length);
            write(out, b.array());
        }
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, byte[] b) {
        out.write(b, 0, b.length);
    }
}
