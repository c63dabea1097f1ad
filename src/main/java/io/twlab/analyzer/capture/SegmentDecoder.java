package io.twlab.analyzer.capture;

import java.nio.ByteBuffer;

/**
 * Finds the TCP segment in a captured frame: link layers Ethernet (802.1Q/802.1ad/QinQ tags), Linux cooked
 * SLL and SLL2, raw IP (101, 228, 229), BSD loopback (0, 108); IPv4 with options and fragments; IPv6 with
 * hop-by-hop, routing, fragment, destination-options and AH headers; TCP with every option parsed (MSS, window
 * scale, SACK-permitted, SACK, timestamps). Reads with absolute gets on a big-endian buffer: no allocation.
 */
public final class SegmentDecoder {
    public static final int LINKTYPE_NULL = 0;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_RAW = 101;
    public static final int LINKTYPE_LOOP = 108;
    public static final int LINKTYPE_LINUX_SLL = 113;
    public static final int LINKTYPE_IPV4 = 228;
    public static final int LINKTYPE_IPV6 = 229;
    public static final int LINKTYPE_LINUX_SLL2 = 276;

    /** Why the last frame gave no TCP segment. */
    public enum Outcome { TCP, NOT_TCP, FRAGMENT, UNKNOWN_LINK, SHORT }

    private Outcome outcome;
    private String problem;

    public Outcome outcome() {
        return outcome;
    }

    /** For {@link Outcome#SHORT} and {@link Outcome#UNKNOWN_LINK}: what was cut or unknown. */
    public String problem() {
        return problem;
    }

    /** Decodes the frame at [off, off + len); true when it holds a TCP header (then {@code s} is filled). */
    public boolean decode(int linkType, ByteBuffer b, int off, int len, Segment s) {
        s.clear();
        int end = off + len;
        int p;
        int etherType;
        switch (linkType) {
            case LINKTYPE_ETHERNET -> {
                if (len < 14) {
                    return fail(Outcome.SHORT, "Ethernet header needs 14 bytes, " + len + " captured");
                }
                p = off + 12;
                etherType = u16(b, p);
                p += 2;
                while (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100) {
                    if (p + 4 > end) {
                        return fail(Outcome.SHORT, "VLAN tag cut short");
                    }
                    etherType = u16(b, p + 2);
                    p += 4;
                }
            }
            case LINKTYPE_LINUX_SLL -> {
                if (len < 16) {
                    return fail(Outcome.SHORT, "Linux cooked header needs 16 bytes, " + len + " captured");
                }
                etherType = u16(b, off + 14);
                p = off + 16;
            }
            case LINKTYPE_LINUX_SLL2 -> {
                if (len < 20) {
                    return fail(Outcome.SHORT, "Linux cooked v2 header needs 20 bytes, " + len + " captured");
                }
                etherType = u16(b, off);
                p = off + 20;
            }
            case LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6 -> {
                if (len < 1) {
                    return fail(Outcome.SHORT, "empty packet");
                }
                int version = (b.get(off) & 0xff) >>> 4;
                etherType = version == 4 ? 0x0800 : version == 6 ? 0x86dd : -1;
                p = off;
            }
            case LINKTYPE_NULL, LINKTYPE_LOOP -> {
                if (len < 4) {
                    return fail(Outcome.SHORT, "loopback header needs 4 bytes");
                }
                int family = b.getInt(off);
                // NULL stores the family in the capturing host's byte order, LOOP in network order.
                int fam = (family & 0xffff0000) != 0 ? Integer.reverseBytes(family) : family;
                etherType = fam == 2 ? 0x0800 : (fam == 24 || fam == 28 || fam == 30 || fam == 10) ? 0x86dd : -1;
                p = off + 4;
            }
            default -> {
                return fail(Outcome.UNKNOWN_LINK, "link type " + linkType + " is not one this reader decodes "
                        + "(Ethernet, Linux cooked SLL/SLL2, raw IP, BSD loopback)");
            }
        }
        if (etherType == 0x0800) {
            return ipv4(b, p, end, s);
        }
        if (etherType == 0x86dd) {
            return ipv6(b, p, end, s);
        }
        return fail(Outcome.NOT_TCP, null);
    }

    private boolean fail(Outcome o, String why) {
        outcome = o;
        problem = why;
        return false;
    }

    private boolean ipv4(ByteBuffer b, int p, int end, Segment s) {
        if (p + 20 > end) {
            return fail(Outcome.SHORT, "IPv4 header needs 20 bytes, " + Math.max(0, end - p) + " captured");
        }
        int vihl = b.get(p) & 0xff;
        int ihl = (vihl & 0x0f) * 4;
        if (vihl >>> 4 != 4 || ihl < 20) {
            return fail(Outcome.SHORT, "IPv4 header with version " + (vihl >>> 4) + " and length " + ihl);
        }
        if (p + ihl > end) {
            return fail(Outcome.SHORT, "IPv4 options cut short");
        }
        int total = u16(b, p + 2);
        int fragment = u16(b, p + 6);
        int protocol = b.get(p + 9) & 0xff;
        if (protocol != 6) {
            return fail(Outcome.NOT_TCP, null);
        }
        if ((fragment & 0x1fff) != 0) {
            return fail(Outcome.FRAGMENT, null);
        }
        s.ipVersion = 4;
        s.fragmented = (fragment & 0x2000) != 0;
        s.ipId = u16(b, p + 4);
        s.ttl = b.get(p + 8) & 0xff;
        s.srcHi = 0;
        s.srcLo = 0xffff00000000L | (b.getInt(p + 12) & 0xffffffffL);
        s.dstHi = 0;
        s.dstLo = 0xffff00000000L | (b.getInt(p + 16) & 0xffffffffL);
        // The IP length says how long the segment was, even when the capture kept fewer bytes (snaplen).
        int tcpLength = (total >= ihl ? total : end - p) - ihl;
        return tcp(b, p + ihl, end, tcpLength, s);
    }

    private boolean ipv6(ByteBuffer b, int p, int end, Segment s) {
        if (p + 40 > end) {
            return fail(Outcome.SHORT, "IPv6 header needs 40 bytes, " + Math.max(0, end - p) + " captured");
        }
        if ((b.get(p) & 0xff) >>> 4 != 6) {
            return fail(Outcome.SHORT, "IPv6 header with version " + ((b.get(p) & 0xff) >>> 4));
        }
        int payload = u16(b, p + 4);
        int next = b.get(p + 6) & 0xff;
        s.ipVersion = 6;
        s.ttl = b.get(p + 7) & 0xff;
        s.ipId = 0;
        s.srcHi = b.getLong(p + 8);
        s.srcLo = b.getLong(p + 16);
        s.dstHi = b.getLong(p + 24);
        s.dstLo = b.getLong(p + 32);
        int q = p + 40;
        int remaining = payload;
        for (int hops = 0; hops < 16; hops++) {
            switch (next) {
                case 6 -> {
                    return tcp(b, q, end, remaining, s);
                }
                case 0, 43, 60 -> {
                    if (q + 8 > end) {
                        return fail(Outcome.SHORT, "IPv6 extension header cut short");
                    }
                    int l = ((b.get(q + 1) & 0xff) + 1) * 8;
                    next = b.get(q) & 0xff;
                    q += l;
                    remaining -= l;
                }
                case 44 -> {
                    if (q + 8 > end) {
                        return fail(Outcome.SHORT, "IPv6 fragment header cut short");
                    }
                    int offsetAndFlags = u16(b, q + 2);
                    if ((offsetAndFlags & 0xfff8) != 0) {
                        return fail(Outcome.FRAGMENT, null);
                    }
                    s.fragmented = (offsetAndFlags & 1) != 0;
                    next = b.get(q) & 0xff;
                    q += 8;
                    remaining -= 8;
                }
                case 51 -> {
                    if (q + 8 > end) {
                        return fail(Outcome.SHORT, "IPv6 AH header cut short");
                    }
                    int l = ((b.get(q + 1) & 0xff) + 2) * 4;
                    next = b.get(q) & 0xff;
                    q += l;
                    remaining -= l;
                }
                default -> {
                    return fail(Outcome.NOT_TCP, null);
                }
            }
        }
        return fail(Outcome.NOT_TCP, null);
    }

    private boolean tcp(ByteBuffer b, int p, int end, int tcpLength, Segment s) {
        if (p + 20 > end) {
            return fail(Outcome.SHORT, "TCP header needs 20 bytes, " + Math.max(0, end - p) + " captured");
        }
        s.srcPort = u16(b, p);
        s.dstPort = u16(b, p + 2);
        s.seq = b.getInt(p + 4);
        s.ack = b.getInt(p + 8);
        int offFlags = u16(b, p + 12);
        int hlen = (offFlags >>> 12) * 4;
        s.flags = offFlags & 0x1ff;
        s.window = u16(b, p + 14);
        if (hlen < 20) {
            return fail(Outcome.SHORT, "TCP data offset " + hlen + " is below 20 bytes");
        }
        s.payloadLength = Math.max(0, tcpLength - hlen);
        int o = p + 20;
        int optEnd = Math.min(p + hlen, end);
        while (o < optEnd) {
            int kind = b.get(o) & 0xff;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                o++;
                continue;
            }
            if (o + 1 >= optEnd) {
                break;
            }
            int l = b.get(o + 1) & 0xff;
            if (l < 2 || o + l > optEnd) {
                break;
            }
            switch (kind) {
                case 2 -> s.mss = l == 4 ? u16(b, o + 2) : -1;
                case 3 -> s.windowScale = l == 3 ? b.get(o + 2) & 0xff : -1;
                case 4 -> s.sackPermitted = true;
                case 5 -> s.sackBlocks = (l - 2) / 8;
                case 8 -> {
                    if (l == 10) {
                        s.hasTimestamp = true;
                        s.tsVal = b.getInt(o + 2);
                        s.tsEcr = b.getInt(o + 6);
                    }
                }
                default -> { }
            }
            o += l;
        }
        outcome = Outcome.TCP;
        problem = null;
        return true;
    }

    private static int u16(ByteBuffer b, int i) {
        return b.getShort(i) & 0xffff;
    }
}
