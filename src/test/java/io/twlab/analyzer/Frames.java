package io.twlab.analyzer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Test helper: builds link-layer frames holding TCP segments, byte by byte, for the reader and decoder tests. */
final class Frames {
    private Frames() {
    }

    /** A TCP header with the given flags, seq/ack and options (already padded to a multiple of 4). */
    static byte[] tcp(int srcPort, int dstPort, int seq, int ack, int flags, byte[] options, int payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + options.length + payload);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(seq).putInt(ack)
                .putShort((short) (((20 + options.length) / 4) << 12 | flags)).putShort((short) 29200)
                .putShort((short) 0).putShort((short) 0).put(options);
        return b.array();
    }

    /** MSS 1460, SACK-permitted, TS, NOP, window scale 7: Linux's SYN options. */
    static byte[] synOptions(int tsVal, int tsEcr) {
        return ByteBuffer.allocate(20).put(new byte[]{2, 4, 0x05, (byte) 0xb4, 4, 2, 8, 10}).putInt(tsVal)
                .putInt(tsEcr).put(new byte[]{1, 3, 3, 7}).array();
    }

    static byte[] tsOptions(int tsVal, int tsEcr) {
        return ByteBuffer.allocate(12).put(new byte[]{1, 1, 8, 10}).putInt(tsVal).putInt(tsEcr).array();
    }

    /** NOP NOP SACK with one block. */
    static byte[] sackOptions(int left, int right) {
        return ByteBuffer.allocate(12).put(new byte[]{1, 1, 5, 10}).putInt(left).putInt(right).array();
    }

    static byte[] ipv4(int src, int dst, byte[] tcp, byte[] ipOptions, int fragmentField) {
        int ihl = 20 + ipOptions.length;
        ByteBuffer b = ByteBuffer.allocate(ihl + tcp.length);
        b.put((byte) (0x40 | ihl / 4)).put((byte) 0).putShort((short) (ihl + tcp.length)).putShort((short) 0x1234)
                .putShort((short) fragmentField).put((byte) 64).put((byte) 6).putShort((short) 0).putInt(src)
                .putInt(dst).put(ipOptions).put(tcp);
        return b.array();
    }

    /** IPv6 with a hop-by-hop, a destination-options and a fragment header (offset 0, more fragments off) before TCP. */
    static byte[] ipv6WithExtensions(long srcLo, long dstLo, byte[] tcp) {
        int ext = 8 + 8 + 8;
        ByteBuffer b = ByteBuffer.allocate(40 + ext + tcp.length);
        b.putInt(0x60000000).putShort((short) (ext + tcp.length)).put((byte) 0).put((byte) 64)
                .putLong(0x20010db800000000L).putLong(srcLo).putLong(0x20010db800000000L).putLong(dstLo);
        b.put((byte) 60).put((byte) 0).put(new byte[]{1, 4, 0, 0, 0, 0});   // hop-by-hop -> dest opts (PadN)
        b.put((byte) 44).put((byte) 0).put(new byte[]{1, 4, 0, 0, 0, 0});   // dest opts -> fragment
        b.put((byte) 6).put((byte) 0).putShort((short) 0).putInt(0x0badcafe); // fragment -> TCP, offset 0
        b.put(tcp);
        return b.array();
    }

    static byte[] ethernet(int etherType, byte[] payload, int... vlanTags) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * vlanTags.length + payload.length);
        b.put(new byte[]{2, 0, 1, 1, 1, 1, 2, 0, 2, 2, 2, 2});
        for (int i = 0; i < vlanTags.length; i++) {
            b.putShort((short) (i == 0 && vlanTags.length > 1 ? 0x88a8 : 0x8100)).putShort((short) vlanTags[i]);
        }
        b.putShort((short) etherType).put(payload);
        return b.array();
    }

    static byte[] sll(byte[] ip, int protocol) {
        return ByteBuffer.allocate(16 + ip.length).putShort((short) 0).putShort((short) 1).putShort((short) 6)
                .put(new byte[8]).putShort((short) protocol).put(ip).array();
    }

    static byte[] sll2(byte[] ip, int protocol) {
        return ByteBuffer.allocate(20 + ip.length).putShort((short) protocol).putShort((short) 0).putInt(2)
                .putShort((short) 1).put((byte) 0).put((byte) 6).put(new byte[8]).put(ip).array();
    }

    /** BSD loopback (LINKTYPE_NULL): the address family in the writing host's (here little-endian) byte order. */
    static byte[] nullLoopback(byte[] ip, int family) {
        return ByteBuffer.allocate(4 + ip.length).order(ByteOrder.LITTLE_ENDIAN).putInt(family).put(ip).array();
    }

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** Classic pcap writer in either byte order and either time resolution. */
    static final class Pcap {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteOrder order;
        private final boolean nanos;

        Pcap(ByteOrder order, boolean nanos, int linkType, int snaplen) {
            this.order = order;
            this.nanos = nanos;
            write(ByteBuffer.allocate(24).order(order).putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2)
                    .putShort((short) 4).putInt(0).putInt(0).putInt(snaplen).putInt(linkType).array());
        }

        Pcap packet(long timeNs, byte[] frame, int captured) {
            long frac = nanos ? timeNs % 1_000_000_000L : timeNs % 1_000_000_000L / 1000;
            write(ByteBuffer.allocate(16).order(order).putInt((int) (timeNs / 1_000_000_000L)).putInt((int) frac)
                    .putInt(captured).putInt(frame.length).array());
            out.write(frame, 0, captured);
            return this;
        }

        Pcap packet(long timeNs, byte[] frame) {
            return packet(timeNs, frame, frame.length);
        }

        private void write(byte[] b) {
            out.write(b, 0, b.length);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** pcapng writer: sections of either byte order, interfaces with options, EPB/SPB/obsolete blocks, others. */
    static final class Pcapng {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteOrder order;

        Pcapng section(ByteOrder o) {
            order = o;
            ByteBuffer b = body(16 + 12).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1);
            b.putShort((short) 4).putShort((short) 5).put("tests".getBytes()).put(new byte[3]); // shb_userappl
            return block(0x0A0D0D0A, b);
        }

        /** tsresol: the if_tsresol byte (6 = µs, 9 = ns, 0x8a = 2^-10 s), or -1 for none; offset in seconds. */
        Pcapng iface(int linkType, int tsresol, long offsetSeconds) {
            ByteBuffer b = body(64).putShort((short) linkType).putShort((short) 0).putInt(262144);
            b.putShort((short) 2).putShort((short) 4).put("eth0".getBytes());
            if (tsresol >= 0) {
                b.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]);
            }
            if (offsetSeconds != 0) {
                b.putShort((short) 14).putShort((short) 8).putLong(offsetSeconds);
            }
            b.putShort((short) 0).putShort((short) 0);
            return block(1, b);
        }

        Pcapng epb(int iface, long units, byte[] frame) {
            ByteBuffer b = body(20 + frame.length + 3 + 12).putInt(iface).putInt((int) (units >>> 32))
                    .putInt((int) units).putInt(frame.length).putInt(frame.length).put(frame);
            pad(b);
            b.putShort((short) 1).putShort((short) 4).put("hi!!".getBytes()).putShort((short) 0).putShort((short) 0);
            return block(6, b);
        }

        Pcapng spb(byte[] frame) {
            ByteBuffer b = body(4 + frame.length + 3).putInt(frame.length).put(frame);
            pad(b);
            return block(3, b);
        }

        Pcapng obsoletePacket(int iface, long units, byte[] frame) {
            ByteBuffer b = body(20 + frame.length + 3).putShort((short) iface).putShort((short) 0)
                    .putInt((int) (units >>> 32)).putInt((int) units).putInt(frame.length).putInt(frame.length)
                    .put(frame);
            pad(b);
            return block(2, b);
        }

        /** A block this reader ignores (e.g. 4 = name resolution, 5 = interface statistics). */
        Pcapng other(int type, int bodyLength) {
            return block(type, body(bodyLength).put(new byte[bodyLength]));
        }

        private ByteBuffer body(int capacity) {
            return ByteBuffer.allocate(capacity).order(order);
        }

        private static void pad(ByteBuffer b) {
            while (b.position() % 4 != 0) {
                b.put((byte) 0);
            }
        }

        private Pcapng block(int type, ByteBuffer body) {
            int length = 12 + body.position();
            ByteBuffer b = ByteBuffer.allocate(length).order(order).putInt(type).putInt(length)
                    .put(body.array(), 0, body.position()).putInt(length);
            out.write(b.array(), 0, length);
            return this;
        }

        /** Raw bytes appended as they are (to build damaged files). */
        Pcapng raw(byte[] bytes) {
            out.write(bytes, 0, bytes.length);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
