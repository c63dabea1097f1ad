package io.twlab.tcp;

/**
 * One full TCP socket (or request socket in SYN_RECV). Fields mirror struct tcp_sock where the model needs
 * them; the state machine lives in {@link TcpHost}.
 */
public final class TcpConnection {
    final TcpHost host;
    final long key;
    /** The address the connection uses locally: the host's, or a hidden VIP a DR client reached it on. */
    final int localIp;
    final int localPort;
    final int remoteIp;
    final int remotePort;
    TcpState state = TcpState.CLOSED;
    TcpApp app;
    /** The application has closed its socket: the connection is orphaned. */
    boolean appClosed;
    boolean appNotified;

    int iss;
    int sndUna;
    int sndNxt;
    /** End of application data queued for sending (sequence number). */
    int sendLimit;
    boolean finQueued;
    boolean finSent;
    int finSeq;
    int irs;
    int rcvNxt;
    int mss = 536;

    boolean tsOk;
    int tsOffset;
    int tsRecent;
    long tsRecentStamp;
    /** TSval of the first SYN, for the SYN_SENT TSecr check (tp->retrans_stamp). */
    int synTsVal;

    // Retransmission state.
    int retransmits;
    /** SYN retransmissions the handshake needed (kept after retransmits is reset on establishment). */
    int synRetransmissions;
    long rtoNs;
    long srttNs;
    long rttvarNs;
    long rttSampleSentNs = -1;
    int rttSampleSeq;

    // Timers: deadlines in simulation ns (Long.MAX_VALUE = not armed) served by one engine event at a time.
    long rtoDeadline = Long.MAX_VALUE;
    long delackDeadline = Long.MAX_VALUE;
    long finWait2Deadline = Long.MAX_VALUE;
    long timerEventAt = Long.MAX_VALUE;
    /** The pending engine event serving the deadlines, or Simulator.NO_EVENT. */
    long timerEvent;

    boolean ackPending;
    int quickAcks = 16;
    int segmentsSinceAck;

    /** Set by applications for their own bookkeeping (e.g. the request this connection serves). */
    public Object appState;

    TcpConnection(TcpHost host, long key, int localIp, int localPort, int remoteIp, int remotePort) {
        this.host = host;
        this.key = key;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
    }

    public TcpState state() {
        return state;
    }

    public TcpHost host() {
        return host;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteIp() {
        return remoteIp;
    }

    public int remotePort() {
        return remotePort;
    }


    /** How many times the SYN was re-sent before the connection was established. */
    public int synRetransmissions() {
        return synRetransmissions;
    }


    /** Queues application bytes and sends what can be sent. */
    public void send(int bytes) {
        host.appSend(this, bytes);
    }

    /** close(): FIN after queued data; the socket becomes an orphan. */
    public void close() {
        host.appClose(this);
    }

    /** Aborts the socket: RST if synchronized, silent if still in SYN_SENT. */
    public void abort() {
        host.appAbort(this);
    }
}
