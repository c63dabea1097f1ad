package io.twlab.net;

import io.twlab.engine.Simulator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One connection's story: every packet of the followed 4-tuples as each element sends it, loses it or
 * receives it, with the element's verdict, the kernel function it follows and the state before and after.
 * A tuple rewritten by a NAT or a director is followed under its new addresses too, so a client's
 * connection is told from the client through the gateway to the server and back.
 *
 * <p>Two uses: follow an endpoint or a 4-tuple from the start ({@link #following}), or find the first packet
 * whose verdict has a given name ({@link #findingFirst}) to follow its tuple in a second, identical run.
 */
public final class Explainer {
    /** One line of the story. */
    public record Line(long timeNs, String element, String event, String packet, String verdict, String function,
                       String stateBefore, String stateAfter) {
        public String text() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%12.6f  %-14s %-8s %s",
                    timeNs / (double) Simulator.NS_PER_SEC, element, event, packet));
            if (verdict != null) {
                sb.append("\n").append(" ".repeat(36)).append("→ ").append(verdict);
                if (function != null) {
                    sb.append(" (").append(function).append(')');
                }
                if (stateBefore != null) {
                    sb.append("  ").append(stateBefore).append(" → ").append(stateAfter);
                }
            }
            return sb.toString();
        }
    }

    private final int endpointIp;
    private final int endpointPort;
    private final String verdictSought;
    private final int limit;
    /** The tuples asked for, and those a NAT or director rewrote them to or from (one hop, not transitively). */
    private final Set<Tuple> core = new HashSet<>();
    private final Set<Tuple> rewrites = new HashSet<>();
    private final long fromNs;
    private final long toNs;
    /** What an element sends while it receives a packet, told after the verdict that caused it. */
    private final List<Line> sentDuringReceive = new ArrayList<>();
    private boolean receiving;
    private final List<Line> lines = new ArrayList<>();
    private long omitted;
    private Tuple found;
    private long foundAtNs = -1;

    private long receiveTime;
    private NetNode receiver;
    private Tuple receivedTuple;
    private boolean followedAtBegin;
    private int arrivedSrcIp;
    private int arrivedSrcPort;
    private int arrivedDstIp;
    private int arrivedDstPort;
    private String receivedPacket;
    private String verdict;
    private String function;
    private String before;
    private String after;

    private Explainer(int endpointIp, int endpointPort, Tuple tuple, String verdictSought, int limit, long fromNs,
                      long toNs) {
        this.endpointIp = endpointIp;
        this.endpointPort = endpointPort;
        this.verdictSought = verdictSought;
        this.limit = limit;
        this.fromNs = fromNs;
        this.toNs = toNs;
        if (tuple != null) {
            core.add(tuple);
        }
    }

    /** Follows every connection of one endpoint ({@code port} 0: any port of the address). */
    public static Explainer following(int ip, int port, int limit) {
        return new Explainer(ip, port, null, null, limit, 0, Long.MAX_VALUE);
    }

    /** Follows one 4-tuple, in either direction, telling what happens from {@code fromNs} to {@code toNs}. */
    public static Explainer following(int ipA, int portA, int ipB, int portB, int limit, long fromNs, long toNs) {
        return new Explainer(0, -1, Tuple.of(ipA, portA, ipB, portB), null, limit, fromNs, toNs);
    }

    /**
     * Watches every packet for the first verdict named {@code name}: case and '-'/'_' ignored, and a name that
     * ends the verdict's name matches it ("paws-reject" finds TW_PAWS_REJECT).
     */
    public static Explainer findingFirst(String name) {
        return new Explainer(0, -1, null, normalise(name), 0, 0, Long.MAX_VALUE);
    }

    /** After a {@link #findingFirst} run: the 4-tuple of the first packet with that verdict, or null. */
    public int[] foundTuple() {
        return found == null ? null : new int[] {found.ipA, found.portA, found.ipB, found.portB};
    }

    /** After a {@link #findingFirst} run: when that packet arrived. */
    public long foundAtNs() {
        return foundAtNs;
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** Lines not kept beyond the limit. */
    public long omitted() {
        return omitted;
    }

    private boolean isCore(Tuple t) {
        return core.contains(t);
    }

    private boolean follows(Packet p) {
        if (verdictSought != null) {
            return found == null;
        }
        if ((p.srcIp == endpointIp && (endpointPort == 0 || p.srcPort == endpointPort))
                || (p.dstIp == endpointIp && (endpointPort == 0 || p.dstPort == endpointPort))) {
            core.add(Tuple.of(p));
            return true;
        }
        Tuple t = Tuple.of(p);
        return core.contains(t) || rewrites.contains(t);
    }

    void sent(long timeNs, NetNode from, NetNode to, Packet p, boolean lost) {
        if (verdictSought == null && follows(p)) {
            Line line = new Line(timeNs, from.name(), lost ? "LOST" : "sends", describe(p) + " → " + to.name(),
                    lost ? "lost on the link" : null, null, null, null);
            if (receiving) {
                sentDuringReceive.add(line);
            } else {
                add(line);
            }
        }
    }

    void begin(long timeNs, NetNode node, Packet p) {
        receiving = true;
        sentDuringReceive.clear();
        receiveTime = timeNs;
        receiver = node;
        receivedTuple = Tuple.of(p);
        arrivedSrcIp = p.srcIp;
        arrivedSrcPort = p.srcPort;
        arrivedDstIp = p.dstIp;
        arrivedDstPort = p.dstPort;
        followedAtBegin = follows(p);
        receivedPacket = followedAtBegin && verdictSought == null ? describe(p) : null;
        verdict = null;
        function = null;
        before = null;
        after = null;
    }

    void verdict(String verdict, String function, String before, String after) {
        this.verdict = verdict;
        this.function = function;
        this.before = before;
        this.after = after;
        if (verdictSought != null && found == null && normalise(verdict).endsWith(verdictSought)) {
            found = receivedTuple;
            foundAtNs = receiveTime;
        }
    }

    void end(Packet p) {
        receiving = false;
        if (verdictSought != null) {
            return;
        }
        Tuple now = Tuple.of(p);
        boolean rewritten = !now.equals(receivedTuple);
        if (!followedAtBegin) {
            // A NAT or director put this packet onto a followed tuple: follow its other tuple from now on.
            if (!rewritten || !isCore(now)) {
                flushSent();
                return;
            }
            rewrites.add(receivedTuple);
            receivedPacket = describe(arrivedSrcIp, arrivedSrcPort, arrivedDstIp, arrivedDstPort, p);
        }
        String packet = receivedPacket;
        if (rewritten) {
            if (isCore(receivedTuple)) {
                rewrites.add(now);
            }
            packet = packet + "  rewritten to " + Ipv4.format(p.srcIp) + ":" + p.srcPort + " > "
                    + Ipv4.format(p.dstIp) + ":" + p.dstPort;
        }
        add(new Line(receiveTime, receiver.name(), "receives", packet, verdict == null ? "forwarded" : verdict,
                function, before, after));
        flushSent();
    }

    private void flushSent() {
        for (Line l : sentDuringReceive) {
            add(l);
        }
        sentDuringReceive.clear();
    }

    private void add(Line line) {
        if (line.timeNs() < fromNs || line.timeNs() > toNs) {
            return;
        }
        if (lines.size() < limit) {
            lines.add(line);
        } else {
            omitted++;
        }
    }

    private static String describe(Packet p) {
        return describe(p.srcIp, p.srcPort, p.dstIp, p.dstPort, p);
    }

    private static String describe(int srcIp, int srcPort, int dstIp, int dstPort, Packet p) {
        StringBuilder sb = new StringBuilder();
        sb.append(Ipv4.format(srcIp)).append(':').append(srcPort).append(" > ")
                .append(Ipv4.format(dstIp)).append(':').append(dstPort).append(" [").append(p.flagString())
                .append("] seq ").append(Integer.toUnsignedString(p.seq));
        if (p.has(Packet.ACK)) {
            sb.append(" ack ").append(Integer.toUnsignedString(p.ack));
        }
        if (p.payloadLength > 0) {
            sb.append(" len ").append(p.payloadLength);
        }
        if (p.hasTimestamp) {
            sb.append(" TS val ").append(Integer.toUnsignedString(p.tsVal)).append(" ecr ")
                    .append(Integer.toUnsignedString(p.tsEcr));
        }
        return sb.toString();
    }

    private static String normalise(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A 4-tuple with its endpoints in a fixed order, so both directions compare equal. */
    private record Tuple(int ipA, int portA, int ipB, int portB) {
        static Tuple of(Packet p) {
            return of(p.srcIp, p.srcPort, p.dstIp, p.dstPort);
        }

        static Tuple of(int ip1, int port1, int ip2, int port2) {
            long e1 = (ip1 & 0xffffffffL) << 16 | port1;
            long e2 = (ip2 & 0xffffffffL) << 16 | port2;
            return e1 <= e2 ? new Tuple(ip1, port1, ip2, port2) : new Tuple(ip2, port2, ip1, port1);
        }
    }
}
