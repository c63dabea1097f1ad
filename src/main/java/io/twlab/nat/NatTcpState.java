package io.twlab.nat;

/** Conntrack TCP states the gateway tracks (net/netfilter/nf_conntrack_proto_tcp.c, simplified). */
public enum NatTcpState {
    SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE;

    /** A SYN from inside may re-open (Linux) or reuse (other devices) the mapping in these states. */
    boolean closed() {
        return this == TIME_WAIT || this == CLOSE;
    }
}
