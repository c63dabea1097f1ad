package io.twlab.ipvs;

import io.twlab.engine.RandomStreams;

import java.util.List;

/** IPVS schedulers (net/netfilter/ipvs/ip_vs_*.c); servers with weight 0 are skipped. */
public enum Scheduler {
    /** ip_vs_rr.c: the next server after the last one chosen. */
    RR,
    /** ip_vs_wrr.c: interleaved by weight (current weight stepping down by the weights' gcd). */
    WRR,
    /** ip_vs_lc.c: least activeconns*256 + inactconns; the first wins ties. */
    LC,
    /** ip_vs_wlc.c: least (activeconns*256 + inactconns) / weight. */
    WLC,
    /** ip_vs_sh.c: a hash of the client address into 256 buckets filled round-robin by weight. */
    SH,
    /** ip_vs_sh.c with the sh-port flag: the client port joins the hash. */
    SH_PORT;

    /** Mutable per-service state of the stateful schedulers. */
    static final class State {
        int last = -1;
        int currentWeight;
        int[] shTable;
    }

    RealServer pick(List<RealServer> servers, State st, int clientIp, int clientPort) {
        return switch (this) {
            case RR -> roundRobin(servers, st);
            case WRR -> weightedRoundRobin(servers, st);
            case LC -> leastConnections(servers, false);
            case WLC -> leastConnections(servers, true);
            case SH, SH_PORT -> sourceHash(servers, st, clientIp, this == SH_PORT ? clientPort : 0);
        };
    }

    private static RealServer roundRobin(List<RealServer> servers, State st) {
        for (int i = 1; i <= servers.size(); i++) {
            int idx = (st.last + i) % servers.size();
            if (servers.get(idx).weight > 0) {
                st.last = idx;
                return servers.get(idx);
            }
        }
        return null;
    }

    private static RealServer weightedRoundRobin(List<RealServer> servers, State st) {
        int max = 0;
        int gcd = 0;
        for (RealServer s : servers) {
            max = Math.max(max, s.weight);
            gcd = gcd(gcd, s.weight);
        }
        if (max == 0) {
            return null;
        }
        while (true) {
            st.last = (st.last + 1) % servers.size();
            if (st.last == 0) {
                st.currentWeight -= gcd;
                if (st.currentWeight <= 0) {
                    st.currentWeight = max;
                }
            }
            if (servers.get(st.last).weight >= st.currentWeight) {
                return servers.get(st.last);
            }
        }
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static RealServer leastConnections(List<RealServer> servers, boolean weighted) {
        RealServer best = null;
        long bestOverhead = 0;
        for (RealServer s : servers) {
            if (s.weight <= 0) {
                continue;
            }
            long overhead = (long) s.activeConns * 256 + s.inactConns;
            // Compare overhead/weight without division: o1 * w2 < o2 * w1.
            if (best == null || (weighted ? overhead * best.weight < bestOverhead * s.weight : overhead < bestOverhead)) {
                best = s;
                bestOverhead = overhead;
            }
        }
        return best;
    }

    private static RealServer sourceHash(List<RealServer> servers, State st, int clientIp, int clientPort) {
        if (st.shTable == null) {
            // 256 buckets assigned round-robin, each server taking as many consecutive turns as its weight.
            st.shTable = new int[256];
            int server = 0;
            int turns = 0;
            for (int b = 0; b < 256; b++) {
                while (servers.get(server).weight == 0 && servers.stream().anyMatch(s -> s.weight > 0)) {
                    server = (server + 1) % servers.size();
                }
                st.shTable[b] = server;
                if (++turns >= Math.max(1, servers.get(server).weight)) {
                    turns = 0;
                    server = (server + 1) % servers.size();
                }
            }
        }
        long h = RandomStreams.mix(((clientIp & 0xffffffffL) << 16) ^ clientPort);
        RealServer s = servers.get(st.shTable[(int) (h & 0xff)]);
        return s.weight > 0 ? s : null;
    }
}
