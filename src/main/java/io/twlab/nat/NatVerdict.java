package io.twlab.nat;

import io.twlab.net.Verdict;

/**
 * How a packet ended at a SNAT gateway, named for the branch of netfilter it follows
 * (net/netfilter/nf_conntrack_core.c, nf_conntrack_proto_tcp.c, nf_nat_core.c).
 */
public enum NatVerdict implements Verdict {
    /** nf_nat_setup_info() via get_unique_tuple(): a new connection gets its public address and port. */
    NEW_MAPPING(false, "get_unique_tuple"),
    /** nf_nat_packet(): a packet of a known connection, translated in its original direction. */
    TRANSLATED(false, "nf_nat_packet"),
    /** nf_nat_packet(): a reply translated back to the inside host. */
    REPLY_TRANSLATED(false, "nf_nat_packet"),
    /** A gateway that is not Linux reuses a closed mapping for a new SYN of the same inside tuple. */
    CLOSED_MAPPING_REUSED(false, "allocator"),
    /** Not from an inside host nor to a public address: routed without translation. */
    ROUTED(false, "ip_forward"),
    /** get_unique_tuple() found no free port: NF_DROP (the SYN is lost; the client re-sends it). */
    NO_FREE_PORT(true, "get_unique_tuple"),
    /** __nf_conntrack_alloc(): nf_conntrack_max reached and early_drop() freed nothing: "table full, dropping packet". */
    TABLE_FULL(true, "__nf_conntrack_alloc"),
    /** __nf_conntrack_confirm(): another CPU confirmed the same reply tuple first (insert_failed); the SYN is dropped. */
    INSERT_FAILED(true, "__nf_conntrack_confirm"),
    /** A non-SYN from inside with no mapping: conntrack marks it INVALID (tcp_new() refuses) and NAT drops it. */
    NO_MAPPING(true, "tcp_new"),
    /** A packet to a public address that matches no mapping: nothing to translate it to. */
    REPLY_NO_MAPPING(true, "nf_nat_packet"),
    /** --ctstate INVALID -j DROP: a reply ACK while conntrack waits for the SYN-ACK (tcp_packet, SYN_SENT). */
    INVALID_DROPPED(true, "nf_conntrack_tcp_packet");

    private final boolean drop;
    private final String kernelFunction;

    NatVerdict(boolean drop, String kernelFunction) {
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
