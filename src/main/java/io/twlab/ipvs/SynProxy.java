package io.twlab.ipvs;

/**
 * SYNPROXY settings of a full-NAT director (Alibaba LVS, kernel/net/netfilter/ipvs/ip_vs_synproxy.c): the
 * director answers the client's SYN with a cookie SYN-ACK and opens the real-server connection only on the
 * client's valid ACK. Its SYN to the real server is re-sent when the entry's SYN_SENT timeout expires
 * (ip_vs_conn_expire with syn_skb kept), {@code synRetries} times (synproxy_syn_retry, default 3).
 *
 * @param enabled       SYNPROXY on
 * @param synRetries    re-sends of the SYN to the real server
 * @param exponential   the Xiaomi variant quoted in seed 002: each re-send doubles the timeout
 * @param rsSynLoss     probability that a SYN the director sends toward a real server never leaves (seed 002 saw
 *                      packet_xmit succeed with nothing on the wire, more often at high packet rates)
 * @param rsSynLossPerKpps added to that probability per 1000 packets/s the director handled in the last second
 */
public record SynProxy(boolean enabled, int synRetries, boolean exponential, double rsSynLoss,
                       double rsSynLossPerKpps) {
    public static final SynProxy OFF = new SynProxy(false, 3, false, 0, 0);

    /** Loss probability of a SYN toward a real server when the director handled {@code pps} packets/s. */
    public double lossAt(long pps) {
        return Math.min(1.0, rsSynLoss + rsSynLossPerKpps * pps / 1000.0);
    }
}
