package io.twlab.tcp;

import io.twlab.engine.RandomStreams;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.kernel.Sysctls;
import io.twlab.net.Ipv4;
import io.twlab.net.Link;
import io.twlab.net.NetNode;
import io.twlab.net.Packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated host and a scripted peer on a zero-latency wire, in the manner of smoltcp's socket tests: put the
 * host's socket in a named state ({@link #listening()}, {@link #synSent()}, {@link #synReceived()},
 * {@link #established()}, {@link #timeWait()}), {@link #send} it one segment, and read the verdict it gave and the
 * segments it answered with, field by field. Sequence numbers on both sides are absolute; the peer's start at
 * {@link #PEER_ISN} and its timestamps at {@link #PEER_TS}.
 */
final class TcpFixture {
    static final int HOST_IP = (int) Ipv4.parse("192.168.0.1");
    static final int PEER_IP = (int) Ipv4.parse("192.0.2.1");
    static final int LISTEN_PORT = 8080;
    static final int PEER_PORT = 40000;
    static final int PEER_ISN = 1_000_000;
    static final int PEER_TS = 5_000;
    /** A whole number of seconds, so that the host's second counters turn on simulated whole seconds. */
    private static final long UPTIME_NS = 3600 * Simulator.NS_PER_SEC;

    final Simulator sim = new Simulator();
    final TcpHost host;
    private final List<Packet> outbox = new ArrayList<>();
    final List<TcpConnection> accepted = new ArrayList<>();
    /** The connection under test: the accepted one on the passive side, the connecting one on the active side. */
    TcpConnection connection;
    CloseReason closed;
    /** The host's ISN and last TSval, learnt from the segments it sent. */
    int hostIsn;
    int hostTs;
    /** The port the host uses on the connection, and the peer's. */
    int hostPort = LISTEN_PORT;
    int peerPort = PEER_PORT;

    private TcpFixture(KernelProfile profile, Map<String, Long> sysctls) {
        host = new TcpHost(sim, "host", HOST_IP, profile, new Sysctls(profile, sysctls),
                new HostClock(UPTIME_NS, profile.defaultHz()), new RandomStreams(1));
        Peer peer = new Peer();
        Link wire = new Link(host, peer, 0, 0, 0, new SplittableRandom(1));
        host.addRoute(PEER_IP, wire);
        peer.addRoute(HOST_IP, wire);
    }

    static TcpFixture on(String kernel) {
        return on(kernel, Map.of());
    }

    static TcpFixture on(String kernel, Map<String, Long> sysctls) {
        KernelProfile p = Profiles.get(kernel);
        if (p == null) {
            throw new IllegalArgumentException(kernel);
        }
        return new TcpFixture(p, sysctls);
    }

    private final class Peer extends NetNode {
        Peer() {
            super("peer");
        }

        @Override
        public int[] ownedAddresses() {
            return new int[]{PEER_IP};
        }

        @Override
        protected void receive(Simulator s, Packet p) {
            outbox.add(p);
            if (p.has(Packet.SYN)) {
                hostIsn = p.seq;
            }
            if (p.hasTimestamp) {
                hostTs = p.tsVal;
            }
        }
    }

    private final TcpApp app = new TcpApp() {
        @Override
        public void onEstablished(TcpConnection c) {
        }

        @Override
        public void onData(TcpConnection c, int bytes) {
        }

        @Override
        public void onPeerFin(TcpConnection c) {
        }

        @Override
        public void onClosed(TcpConnection c, CloseReason reason) {
            closed = reason;
        }
    };

    // ---- named states ----

    TcpFixture listening() {
        return listening(128);
    }

    TcpFixture listening(int backlog) {
        host.listen(LISTEN_PORT, backlog, c -> {
            accepted.add(c);
            connection = c;
            return app;
        });
        return this;
    }

    /** LISTEN, then the peer's SYN (TS val PEER_TS) answered by the host's SYN-ACK. */
    TcpFixture synReceived() {
        listening();
        send(seg(Packet.SYN).seq(PEER_ISN).ts(PEER_TS, 0));
        drain();
        return this;
    }

    /** SYN_RECV, then the peer's ACK of the SYN-ACK: the accepted connection is ESTABLISHED. */
    TcpFixture established() {
        synReceived();
        send(seg(Packet.ACK).seq(PEER_ISN + 1).ack(hostIsn + 1).ts(PEER_TS + 1, hostTs));
        drain();
        return this;
    }

    /** connect() to the peer: the host's SYN is out and unanswered. */
    TcpFixture synSent() {
        connection = host.connect(PEER_IP, LISTEN_PORT, app);
        hostPort = connection.localPort();
        peerPort = LISTEN_PORT;
        sim.runUntil(sim.now(), null);
        drain();
        return this;
    }

    /** SYN_SENT answered by the peer's SYN-ACK: the host's connection is ESTABLISHED. */
    TcpFixture activeEstablished() {
        synSent();
        send(seg(Packet.SYN | Packet.ACK).seq(PEER_ISN).ack(hostIsn + 1).ts(PEER_TS, hostTs));
        drain();
        return this;
    }

    /** The active side closes first: FIN, the peer's FIN-ACK, the host's last ACK; the tuple is in TIME_WAIT. */
    TcpFixture timeWait() {
        activeEstablished();
        connection.close();
        sim.runUntil(sim.now(), null);
        drain();
        send(seg(Packet.FIN | Packet.ACK).seq(PEER_ISN + 1).ack(hostIsn + 2).ts(PEER_TS + 1, hostTs));
        drain();
        return this;
    }

    // ---- inputs ----

    /** A segment from the peer to the host on the connection's ports; sequence numbers are absolute. */
    Segment seg(int flags) {
        return new Segment(flags);
    }

    static final class Segment {
        final Packet p = new Packet();

        Segment(int flags) {
            p.flags = flags;
            p.window = 65535;
        }

        Segment seq(int seq) {
            p.seq = seq;
            return this;
        }

        Segment ack(int ack) {
            p.ack = ack;
            return this;
        }

        Segment ts(int val, int ecr) {
            p.hasTimestamp = true;
            p.tsVal = val;
            p.tsEcr = ecr;
            return this;
        }

        Segment len(int bytes) {
            p.payloadLength = bytes;
            return this;
        }

        Segment fromPort(int port) {
            p.srcPort = port;
            return this;
        }
    }

    /** Delivers the segment now, lets the host's immediate answers out, and returns the verdict it gave. */
    TcpVerdict send(Segment s) {
        Packet p = s.p;
        p.srcIp = PEER_IP;
        p.dstIp = HOST_IP;
        if (p.srcPort == 0) {
            p.srcPort = peerPort;
        }
        p.dstPort = hostPort;
        if (p.has(Packet.SYN) && !p.has(Packet.ACK)) {
            p.mss = 1460;
        }
        long[] before = verdictCounts();
        host.onEvent(sim, NetNode.EV_PACKET, 0, p);
        sim.runUntil(sim.now(), null);
        long[] after = verdictCounts();
        TcpVerdict given = null;
        for (TcpVerdict v : TcpVerdict.values()) {
            if (after[v.ordinal()] != before[v.ordinal()]) {
                if (given != null || after[v.ordinal()] - before[v.ordinal()] != 1) {
                    throw new AssertionError("one segment gave more than one verdict: " + given + ", " + v);
                }
                given = v;
            }
        }
        if (given == null) {
            throw new AssertionError("the segment got no verdict");
        }
        return given;
    }

    private long[] verdictCounts() {
        long[] n = new long[TcpVerdict.values().length];
        for (TcpVerdict v : TcpVerdict.values()) {
            n[v.ordinal()] = host.verdicts(v);
        }
        return n;
    }

    /** Lets {@code ns} of simulated time pass (timers fire). */
    TcpFixture advance(long ns) {
        sim.runUntil(sim.now() + ns, null);
        return this;
    }

    /** The segments the host sent since the last call. */
    List<Packet> drain() {
        List<Packet> out = List.copyOf(outbox);
        outbox.clear();
        return out;
    }

    long counter(Counter c) {
        return host.counters().get(c);
    }
}
