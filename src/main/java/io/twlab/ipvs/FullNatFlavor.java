package io.twlab.ipvs;

/** What a full-NAT director does besides rewriting both addresses. */
public enum FullNatFlavor {
    /**
     * Alibaba LVS FULLNAT (kernel/net/netfilter/ipvs of alibaba/LVS): local address round-robin, a sequential
     * per-address port counter from 5000 skipping tuples in use, the SYN's timestamp option removed, and a new ISN
     * towards the real server (secure_tcp_sequence_number of the new tuple), the difference applied to every
     * sequence and acknowledgement number after.
     */
    ALIBABA,
    /** IPVS NAT followed by iptables MASQUERADE (Docker swarm ingress): options and sequence numbers untouched;
     *  nf_nat keeps the client's port when that tuple is free, else takes the next free one. */
    MASQUERADE
}
