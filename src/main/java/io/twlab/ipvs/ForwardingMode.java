package io.twlab.ipvs;

/** How the director passes a scheduled packet to its real server. */
public enum ForwardingMode {
    /** Masquerade: DNAT to the real server; replies come back through the director and are SNATed to the VIP. */
    NAT,
    /** Direct routing: the packet keeps the VIP as destination and is sent to the real server's link; the real
     *  server holds the VIP on loopback and answers the client directly, so the director sees input only. */
    DR,
    /** Full NAT: DNAT to the real server and SNAT to one of the director's local addresses, so the real server
     *  sees the director as the client (Alibaba LVS FULLNAT; also how Docker swarm's ingress masquerades). */
    FULLNAT
}
