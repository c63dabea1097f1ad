package io.twlab.analyzer;

/**
 * One 4-tuple and its current connection generation (a new SYN with a new ISN starts the next one), with what
 * the detectors need of the generation before it. Endpoint "client" is the side that sent the first SYN.
 */
final class Flow {
    // The tuple, client side first.
    final long clientHi;
    final long clientLo;
    final long serverHi;
    final long serverLo;
    final int clientPort;
    final int serverPort;

    int generation;
    // current generation
    long firstSynTimeNs = -1;
    long firstSynPacket;
    int isn;
    int synTries;
    long lastSynTimeNs;
    int lastSynTsVal;
    boolean synTsRegressed;
    int synTsVal;
    boolean synHasTs;
    boolean synAcked;
    boolean serverAnswered;
    boolean established;
    boolean clientFin;
    boolean serverFin;
    boolean reset;
    long closeTimeNs = -1;
    long establishedNs = -1;
    boolean clientClosedFirst;
    /** The window of the SYN-ACK answering this generation's SYN (-1 when none seen). */
    int synAckWindow = -1;
    int zeroWindowProbes;
    /** Segments of a connection already open when the capture began, before any SYN of this tuple. */
    boolean openBeforeFirstSyn;
    /** This generation's SYN went out within 200 us of another host's SYN to the same destination. */
    boolean pairedSyn;
    /** A copy of this generation's first SYN, or of a re-send, was seen from another 4-tuple (the NAT's other side). */
    boolean synFirstTryCopied;
    boolean synResendCopied;
    /** The client sent more than SYNs in this generation (so a later bare server ACK answers that, not the SYN). */
    boolean clientBeyondSyn;
    int lastClientTsVal;
    boolean clientHasTs;
    long clientFirstDataNs = -1;
    long serverFirstDataNs = -1;
    /** A bare ACK the server sent in answer to this generation's SYN (the stale-ACK pattern), 0 if none. */
    long staleAckPacket;
    int staleAckNumber;
    long staleRstPacket;
    /** The newest TSval seen from the client's address to the server's, shared by every flow of that pair. */
    long[] peerTimestamp;
    /** The flow gave its first TSval to the host count (for a flow seen mid-stream, without a SYN). */
    boolean tsSampled;
    /** The port-reuse group of (client address, server address, server port), set at the flow's first SYN. */
    PortReuseDetector.Group reuseGroup;
    /** SYN retransmission gaps of this generation, ns from one try to the next (first few). */
    final long[] synGaps = new long[8];

    // the generation before
    boolean hasPrevious;
    boolean previousClosed;
    long previousCloseTimeNs;
    long previousFirstSynTimeNs;
    int previousLastClientTsVal;
    boolean previousClientHasTs;

    Flow(long clientHi, long clientLo, int clientPort, long serverHi, long serverLo, int serverPort) {
        this.clientHi = clientHi;
        this.clientLo = clientLo;
        this.clientPort = clientPort;
        this.serverHi = serverHi;
        this.serverLo = serverLo;
        this.serverPort = serverPort;
    }

    boolean closed() {
        return reset || (clientFin && serverFin);
    }

    /**
     * When the tuple's previous connection ended (its close, or its first SYN when it never closed), -1 when there
     * was none or it was seen only mid-stream: the start of the gap a reused tuple came back after.
     */
    long previousEndNs() {
        if (!hasPrevious) {
            return -1;
        }
        return previousClosed && previousCloseTimeNs >= 0 ? previousCloseTimeNs : previousFirstSynTimeNs;
    }

    /** The first SYN got no answer at all, a re-send after an initial RTO of about 1 s did (a SYN-ACK). */
    boolean firstSynLostThenAnswered() {
        return synTries >= 2 && staleAckPacket == 0 && synAcked && Math.abs(synGaps[0] / 1e9 - 1) <= 0.3;
    }

    /** Moves the current generation into "previous" and starts a new one at this SYN. */
    void startGeneration(long timeNs, long packet, int seq) {
        if (firstSynTimeNs >= 0 || generation > 0 || openBeforeFirstSyn) {
            hasPrevious = true;
            previousClosed = closed();
            previousCloseTimeNs = closeTimeNs;
            previousFirstSynTimeNs = firstSynTimeNs;
            previousLastClientTsVal = lastClientTsVal;
            previousClientHasTs = clientHasTs;
        }
        generation++;
        firstSynTimeNs = timeNs;
        firstSynPacket = packet;
        isn = seq;
        synTries = 1;
        lastSynTimeNs = timeNs;
        synTsRegressed = false;
        synAcked = false;
        serverAnswered = false;
        established = false;
        clientFin = false;
        serverFin = false;
        reset = false;
        closeTimeNs = -1;
        establishedNs = -1;
        clientClosedFirst = false;
        synAckWindow = -1;
        zeroWindowProbes = 0;
        pairedSyn = false;
        synFirstTryCopied = false;
        synResendCopied = false;
        clientBeyondSyn = false;
        clientHasTs = false;
        clientFirstDataNs = -1;
        serverFirstDataNs = -1;
        staleAckPacket = 0;
        staleRstPacket = 0;
        java.util.Arrays.fill(synGaps, 0);
    }
}
