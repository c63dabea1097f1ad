package io.twlab.analyzer.capture;

/**
 * One decoded TCP segment, reused for every packet (no allocation per packet). Addresses are 128-bit, hi and lo
 * halves; IPv4 addresses are stored IPv4-mapped (::ffff:a.b.c.d), so both families share one key space.
 */
public final class Segment {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    public long number;
    public long timeNs;
    public long fileOffset;
    public int ipVersion;
    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;
    public int ttl;
    public int ipId;
    /** A first fragment carrying the TCP header (later fragments are not decoded as TCP). */
    public boolean fragmented;
    public int srcPort;
    public int dstPort;
    public int seq;
    public int ack;
    public int flags;
    public int window;
    public int payloadLength;
    public boolean hasTimestamp;
    public int tsVal;
    public int tsEcr;
    public int mss;
    public int windowScale;
    public boolean sackPermitted;
    public int sackBlocks;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The IPv4 address (when ipVersion is 4). */
    public int srcIpv4() {
        return (int) srcLo;
    }

    public int dstIpv4() {
        return (int) dstLo;
    }

    void clear() {
        fragmented = false;
        hasTimestamp = false;
        tsVal = 0;
        tsEcr = 0;
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        sackBlocks = 0;
        payloadLength = 0;
    }

    /** Text form of a 128-bit address held as hi/lo: dotted quad for IPv4-mapped, RFC 5952 style otherwise. */
    public static String address(long hi, long lo) {
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            int v = (int) lo;
            return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return java.net.InetAddress.getByAddress(b).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public String src() {
        return address(srcHi, srcLo);
    }

    public String dst() {
        return address(dstHi, dstLo);
    }
}
