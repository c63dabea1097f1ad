package io.twlab.ipvs;

import io.twlab.engine.Simulator;

/** Per-state IPVS connection timeouts in ns. */
public final class IpvsTimeouts {
    private final long[] ns = new long[IpvsTcpState.values().length];

    private IpvsTimeouts(long... seconds) {
        for (int i = 0; i < seconds.length; i++) {
            ns[i] = seconds[i] * Simulator.NS_PER_SEC;
        }
    }

    /** Upstream tcp_timeouts[] (ip_vs_proto_tcp.c; the same in 3.10-1127 and 6.14). */
    public static IpvsTimeouts upstream() {
        // NONE, ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, SYNACK
        return new IpvsTimeouts(2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120);
    }

    /** Alibaba LVS / iQiyi DPVS (sysctl_ip_vs_tcp_timeouts): short timeouts for a busy director. */
    public static IpvsTimeouts alibaba() {
        return new IpvsTimeouts(2, 90, 3, 30, 7, 7, 3, 7, 7, 120, 30);
    }

    public long of(IpvsTcpState state) {
        return ns[state.ordinal()];
    }

    /** ipvsadm --set TCP TCPFIN UDP: changes ESTABLISHED and FIN_WAIT (ip_vs_set_timeout). */
    public IpvsTimeouts withSet(long tcpNs, long tcpFinNs) {
        IpvsTimeouts t = new IpvsTimeouts();
        System.arraycopy(ns, 0, t.ns, 0, ns.length);
        if (tcpNs > 0) {
            t.ns[IpvsTcpState.ESTABLISHED.ordinal()] = tcpNs;
        }
        if (tcpFinNs > 0) {
            t.ns[IpvsTcpState.FIN_WAIT.ordinal()] = tcpFinNs;
        }
        return t;
    }

    /** A copy with one state's timeout replaced. */
    public IpvsTimeouts with(IpvsTcpState state, long nanos) {
        IpvsTimeouts t = new IpvsTimeouts();
        System.arraycopy(ns, 0, t.ns, 0, ns.length);
        t.ns[state.ordinal()] = nanos;
        return t;
    }
}
