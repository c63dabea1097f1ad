package io.twlab.analyzer.corpus;

import io.twlab.analyzer.corpus.Wire.Addr;
import io.twlab.analyzer.corpus.Wire.Pkt;

import java.util.SplittableRandom;

/**
 * One TCP connection's two ends as the corpus writes them: sequence numbers advance by payload and SYN/FIN, each
 * side stamps its segments with its own clock and echoes the other's last TSval. Times are capture times in
 * seconds; each segment's TSval is read up to a millisecond before it is seen (send-to-capture jitter).
 */
final class Conn {
    static final long EPOCH_NS = 1_764_547_200_000_000_000L; // 2025-12-01T00:00:00Z

    final Wire wire;
    final SplittableRandom rnd;
    final Addr client;
    final int clientPort;
    final Addr server;
    final int serverPort;
    final Clock clientClock;
    final Clock serverClock;
    final long clientOffset;
    final long serverOffset;
    final int clientIsn;
    int clientSeq;
    int serverSeq;
    long lastClientTs;
    long lastServerTs;
    int iface;
    int serverWindow = 29200;

    Conn(Wire wire, SplittableRandom rnd, Addr client, int clientPort, Addr server, int serverPort, Clock clientClock,
         Clock serverClock) {
        this.wire = wire;
        this.rnd = rnd;
        this.client = client;
        this.clientPort = clientPort;
        this.server = server;
        this.serverPort = serverPort;
        this.clientClock = clientClock;
        this.serverClock = serverClock;
        this.clientOffset = clientClock.perConnectionOffsets ? tupleOffset(clientClock, clientPort, server, serverPort)
                : 0;
        this.serverOffset = 0;
        this.clientIsn = rnd.nextInt();
        this.clientSeq = clientIsn;
        this.serverSeq = rnd.nextInt();
    }

    /**
     * The per-connection offset of Linux 4.10+: a keyed hash of the 4-tuple (secure_tcp_ts_off), so the same tuple
     * reused by the same host gets the same offset and its TSvals keep rising; any other tuple gets an unrelated one.
     */
    static long tupleOffset(Clock clock, int clientPort, Addr server, int serverPort) {
        long z = Double.doubleToLongBits(clock.uptimeAtStart) ^ (long) clientPort << 32 ^ (long) serverPort << 16
                ^ server.lo() ^ server.hi() * 31;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return (z ^ (z >>> 31)) & 0xffffffffL;
    }

    static long ns(double seconds) {
        return EPOCH_NS + Math.round(seconds * 1e9);
    }

    private double jitter() {
        return rnd.nextDouble() * 0.001;
    }

    /** The client's SYN (first try or a retransmission of the same ISN); returns its TSval. */
    long syn(double t) {
        long ts = clientClock.tsVal(t - jitter(), clientOffset);
        lastClientTs = ts;
        wire.add(new Pkt(ns(t), iface, client, clientPort, server, serverPort, clientIsn, 0, Wire.SYN, 64240, ts, 0, 0));
        clientSeq = clientIsn + 1;
        return ts;
    }

    void synAck(double t) {
        long ts = serverClock.tsVal(t, serverOffset);
        lastServerTs = ts;
        wire.add(new Pkt(ns(t), iface, server, serverPort, client, clientPort, serverSeq, clientIsn + 1,
                Wire.SYN | Wire.ACK, serverWindow, ts, lastClientTs, 0));
        serverSeq++;
    }

    /** A client segment with ACK set: {@code flags} adds PSH, FIN or RST; {@code payload} bytes. */
    void client(double t, int flags, int payload) {
        long ts = clientClock.tsVal(t - jitter(), clientOffset);
        lastClientTs = ts;
        wire.add(new Pkt(ns(t), iface, client, clientPort, server, serverPort, clientSeq, serverSeq, Wire.ACK | flags,
                502, ts, lastServerTs, payload));
        clientSeq += payload + ((flags & Wire.FIN) != 0 ? 1 : 0);
    }

    void server(double t, int flags, int payload) {
        long ts = serverClock.tsVal(t, serverOffset);
        lastServerTs = ts;
        wire.add(new Pkt(ns(t), iface, server, serverPort, client, clientPort, serverSeq, clientSeq, Wire.ACK | flags,
                serverWindow, ts, lastClientTs, payload));
        serverSeq += payload + ((flags & Wire.FIN) != 0 ? 1 : 0);
    }

    /** SYN, SYN-ACK, ACK; returns when the client's ACK is seen. */
    double handshake(double t, double rtt) {
        syn(t);
        synAck(t + 0.0001);
        client(t + rtt, 0, 0);
        return t + rtt;
    }

    /** An HTTP/1.0 exchange on an open connection where the server closes first; returns the close time. */
    double requestServerCloses(double t, double rtt) {
        client(t + 0.00005, Wire.PSH, 180);
        server(t + 0.002, Wire.PSH, 1200);
        server(t + 0.0021, Wire.FIN, 0);
        client(t + 0.002 + rtt, 0, 0);
        client(t + 0.0021 + rtt, Wire.FIN, 0);
        server(t + 0.0022 + rtt, 0, 0);
        return t + 0.0022 + rtt;
    }

    /** An exchange where the client closes first (TIME_WAIT on the client); returns the close time. */
    double requestClientCloses(double t, double rtt) {
        client(t + 0.00005, Wire.PSH, 180);
        server(t + 0.002, Wire.PSH, 1200);
        client(t + 0.002 + rtt / 2, Wire.FIN, 0);
        server(t + 0.0021 + rtt, Wire.FIN, 0);
        client(t + 0.0022 + 1.5 * rtt, 0, 0);
        return t + 0.0022 + 1.5 * rtt;
    }

    /** The client's RST in answer to an unacceptable ACK: its sequence number is that ACK's ack number. */
    void resetTo(double t, int ackNumber) {
        long ts = clientClock.tsVal(t - jitter(), clientOffset);
        wire.add(new Pkt(ns(t), iface, client, clientPort, server, serverPort, ackNumber, 0, Wire.RST, 0, -1, 0, 0));
        lastClientTs = Math.max(lastClientTs, ts);
    }
}
