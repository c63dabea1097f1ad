package io.twlab.nat;

import io.twlab.engine.Simulator;

import java.util.EnumMap;
import java.util.Map;

/** How long a mapping is held in each state, in ns. */
public final class NatTimeouts {
    private final long[] ns = new long[NatTcpState.values().length];

    /** nf_conntrack's tcp_timeouts[] (same in 3.10-1127 and 6.14). */
    public static NatTimeouts linuxDefaults() {
        Map<NatTcpState, Long> s = new EnumMap<>(NatTcpState.class);
        s.put(NatTcpState.SYN_SENT, 120L);
        s.put(NatTcpState.SYN_RECV, 60L);
        s.put(NatTcpState.ESTABLISHED, 5L * 86400);
        s.put(NatTcpState.FIN_WAIT, 120L);
        s.put(NatTcpState.CLOSE_WAIT, 60L);
        s.put(NatTcpState.LAST_ACK, 30L);
        s.put(NatTcpState.TIME_WAIT, 120L);
        s.put(NatTcpState.CLOSE, 10L);
        return ofSeconds(s);
    }

    public static NatTimeouts ofSeconds(Map<NatTcpState, Long> seconds) {
        NatTimeouts t = new NatTimeouts();
        for (Map.Entry<NatTcpState, Long> e : seconds.entrySet()) {
            t.ns[e.getKey().ordinal()] = e.getValue() * Simulator.NS_PER_SEC;
        }
        return t;
    }

    public NatTimeouts with(NatTcpState state, long nanos) {
        NatTimeouts t = new NatTimeouts();
        System.arraycopy(ns, 0, t.ns, 0, ns.length);
        t.ns[state.ordinal()] = nanos;
        return t;
    }

    public long of(NatTcpState state) {
        return ns[state.ordinal()];
    }
}
