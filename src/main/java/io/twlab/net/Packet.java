package io.twlab.net;

/**
 * An IPv4/TCP segment as the model sees it: header fields and options, payload by length only.
 * Elements that rewrite a packet (NAT) modify it in place; a packet is owned by one link or node at a time.
 */
public final class Packet {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    public int srcIp;
    public int dstIp;
    public int srcPort;
    public int dstPort;
    public int seq;
    public int ack;
    public int flags;
    public int window;
    public int payloadLength;
    /** IPv4 identification and TTL as the sending kernel sets them (kept for traces). */
    public int ipId;
    public int ttl = 64;

    public boolean hasTimestamp;
    public int tsVal;
    public int tsEcr;
    /** MSS option value, 0 when absent. */
    public int mss;
    /** Window-scale shift, -1 when absent. */
    public int windowScale = -1;
    public boolean sackPermitted;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space the segment occupies: payload plus one for SYN and one for FIN. */
    public int endSeq() {
        return seq + payloadLength + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(Ipv4.format(srcIp)).append(':').append(srcPort).append(" > ")
                .append(Ipv4.format(dstIp)).append(':').append(dstPort).append(" [").append(flagString()).append(']')
                .append(" seq=").append(Integer.toUnsignedString(seq));
        if (has(ACK)) {
            sb.append(" ack=").append(Integer.toUnsignedString(ack));
        }
        sb.append(" len=").append(payloadLength);
        if (hasTimestamp) {
            sb.append(" TSval=").append(Integer.toUnsignedString(tsVal))
                    .append(" TSecr=").append(Integer.toUnsignedString(tsEcr));
        }
        return sb.toString();
    }

    public String flagString() {
        StringBuilder sb = new StringBuilder();
        if (has(SYN)) sb.append("SYN,");
        if (has(FIN)) sb.append("FIN,");
        if (has(RST)) sb.append("RST,");
        if (has(PSH)) sb.append("PSH,");
        if (has(ACK)) sb.append("ACK,");
        if (sb.length() > 0) sb.setLength(sb.length() - 1);
        return sb.toString();
    }
}
