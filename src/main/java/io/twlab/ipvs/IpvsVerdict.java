package io.twlab.ipvs;

import io.twlab.net.Verdict;

/**
 * How a packet ended at an IPVS director, named for the branch of net/netfilter/ipvs it follows
 * (ip_vs_core.c ip_vs_in/ip_vs_out, ip_vs_conn.c; SYNPROXY from Alibaba's ip_vs_synproxy.c).
 */
public enum IpvsVerdict implements Verdict {
    /** ip_vs_schedule(): a SYN with no entry gets a real server and a new entry (Conns++). */
    SCHEDULED(false, "ip_vs_schedule"),
    /** ip_vs_in(): a packet of an existing entry forwarded to its real server. */
    FORWARDED(false, "ip_vs_in"),
    /** ip_vs_in(): a new SYN finds the old entry and goes to the same real server ("affinity"). */
    ENTRY_REUSED(false, "ip_vs_in"),
    /** ip_vs_out(): a real server's reply translated back to the VIP. */
    REPLY_FORWARDED(false, "ip_vs_out"),
    /** Not for a virtual service nor from a real server's entry: routed as is. */
    ROUTED(false, "ip_forward"),
    /** ip_vs_synproxy_syn_rcv(): the SYN is answered with a cookie SYN-ACK, no state kept. */
    SYNPROXY_COOKIE_SENT(false, "ip_vs_synproxy_syn_rcv"),
    /** ip_vs_synproxy_ack_rcv(): a valid cookie ACK; a real server is scheduled and sent the SYN. */
    SYNPROXY_ACK_ACCEPTED(false, "ip_vs_synproxy_ack_rcv"),
    /** ip_vs_synproxy_ack_rcv(): data arriving before the real server answered is held (the latest only). */
    SYNPROXY_HELD(false, "ip_vs_synproxy_ack_rcv"),
    /** ip_vs_synproxy_synack_rcv(): the real server's SYN-ACK completes the proxied handshake. */
    SYNPROXY_SERVER_ANSWERED(false, "ip_vs_synproxy_synack_rcv"),
    /** ip_vs_in() with conn_reuse_mode=1 and conntrack: the SYN on a closed entry is dropped (before 5.9). */
    REUSE_DROP(true, "ip_vs_in"),
    /** ip_vs_in(): a packet that is no SYN and has no entry is dropped. */
    NO_ENTRY(true, "ip_vs_in"),
    /** ip_vs_schedule(): no real server with weight > 0. */
    NO_SERVER(true, "ip_vs_schedule"),
    /** FULLNAT: no free local address and port towards the real server. */
    NO_LOCAL_PORT(true, "ip_vs_fnat_alloc_lport"),
    /** The SYN toward the real server was lost (the scenario's loss model at the director). */
    SYN_LOST_TOWARD_SERVER(true, "ip_vs_in"),
    /** ip_vs_synproxy_ack_rcv(): an ACK whose cookie does not check out is dropped. */
    SYNPROXY_BAD_COOKIE(true, "ip_vs_synproxy_ack_rcv"),
    /** ip_vs_synproxy_synack_rcv(): a server packet other than the SYN-ACK while the handshake is pending. */
    SYNPROXY_PENDING_IGNORED(true, "ip_vs_synproxy_synack_rcv");

    private final boolean drop;
    private final String kernelFunction;

    IpvsVerdict(boolean drop, String kernelFunction) {
        this.drop = drop;
        this.kernelFunction = kernelFunction;
    }

    @Override
    public boolean drop() {
        return drop;
    }

    @Override
    public String kernelFunction() {
        return kernelFunction;
    }
}
