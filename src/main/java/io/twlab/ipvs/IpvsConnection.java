package io.twlab.ipvs;

/** An entry of the IPVS connection table (struct ip_vs_conn): client tuple, service, real server, state. */
final class IpvsConnection {
    final int clientIp;
    final int clientPort;
    final VirtualService service;
    final RealServer server;
    /** The source the real server sees: the client itself, or the full-NAT local address and port. */
    final int serverSideIp;
    final int serverSidePort;
    /** Full NAT with a new ISN: added to inbound sequence numbers, taken from outbound acknowledgements. */
    int seqDelta;
    /** SYNPROXY: the real server's ISN minus the cookie ISN the client knows (outbound seq, inbound ack). */
    int serverSeqDelta;
    /** SYNPROXY: the client's ISN; the real-server handshake is still pending while {@code proxyPending}. */
    int clientIsn;
    boolean proxyPending;
    int synRetriesLeft;
    long synRetryTimeoutNs;
    long retryEvent;
    /** SYNPROXY: the client's latest data segment held until the real server answers (ack_skb). */
    io.twlab.net.Packet held;
    IpvsTcpState state = IpvsTcpState.NONE;
    long expiresAt;
    /** Counted in inactconns rather than activeconns (IP_VS_CONN_F_INACTIVE). */
    boolean inactive;
    /** Removed from the table (lazily on lookup, or by the sweep). */
    boolean expired;
    /** The whole second under which the sweep has this entry filed. */
    long filedSecond = Long.MIN_VALUE;

    IpvsConnection(int clientIp, int clientPort, VirtualService service, RealServer server, int serverSideIp,
                   int serverSidePort) {
        this.clientIp = clientIp;
        this.clientPort = clientPort;
        this.service = service;
        this.server = server;
        this.serverSideIp = serverSideIp;
        this.serverSidePort = serverSidePort;
    }
}
