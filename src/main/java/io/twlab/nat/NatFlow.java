package io.twlab.nat;

/** One translation, with the conntrack-like TCP state that decides how long the mapping is held. */
final class NatFlow {
    final int innerIp;
    final int innerPort;
    final int remoteIp;
    final int remotePort;
    final int publicIp;
    final int publicPort;
    NatTcpState state;
    long expiresAt;
    /** The second under which {@link NatFlowTable} filed it for expiry, or Long.MAX_VALUE. */
    long filedSecond = Long.MAX_VALUE;
    boolean finFromInside;
    boolean finFromOutside;
    /** IPS_ASSURED: the flow reached ESTABLISHED; early_drop() spares it. */
    boolean assured;
    /** Removed from the table (expired, killed or evicted). */
    boolean gone;
    /** Highest sequence end sent from inside (conntrack td_end of the original direction). */
    int insideSeqEnd;

    NatFlow(int innerIp, int innerPort, int remoteIp, int remotePort, int publicIp, int publicPort) {
        this.innerIp = innerIp;
        this.innerPort = innerPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.publicIp = publicIp;
        this.publicPort = publicPort;
    }
}
