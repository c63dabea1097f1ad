package io.twlab.analyzer;

import java.util.function.Consumer;

/**
 * Flows by 4-tuple, open-addressed with linear probing. A probe walks an int[] of hashes and reads a flow only when
 * its hash matches, so a lookup costs one array read and the flow it finds (a map keyed by tuple objects read the key,
 * then the flow: two dependent misses, and a key allocated per flow). The hash is symmetric in the two endpoints,
 * so a segment finds its flow from either direction; the flow's own tuple is the key. Flows are never removed.
 */
final class FlowTable {
    private static final int EMPTY = 0;

    private int[] hashes = new int[1 << 12];
    private Flow[] flows = new Flow[1 << 12];
    private int mask = hashes.length - 1;
    private int size;

    int size() {
        return size;
    }

    /** The hash of a tuple: the same whichever endpoint comes first, never {@link #EMPTY}. */
    static int hash(long hi1, long lo1, int port1, long hi2, long lo2, int port2) {
        long h = mix(endpoint(hi1, lo1, port1) + endpoint(hi2, lo2, port2));
        int folded = (int) (h ^ (h >>> 32));
        return folded == EMPTY ? 1 : folded;
    }

    private static long endpoint(long hi, long lo, int port) {
        return mix(lo ^ (hi * 0x9E3779B97F4A7C15L) ^ ((long) port << 48));
    }

    /** The 64-bit finalizer of MurmurHash3: every input bit reaches every output bit. */
    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xFF51AFD7ED558CCDL;
        x = (x ^ (x >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return x ^ (x >>> 33);
    }

    /** The flow of this tuple in either direction, null when none; {@code hash} is {@link #hash} of the tuple. */
    Flow find(int hash, long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort) {
        int[] hs = hashes;
        int m = mask;
        for (int i = hash & m; ; i = (i + 1) & m) {
            int h = hs[i];
            if (h == EMPTY) {
                return null;
            }
            if (h == hash) {
                Flow f = flows[i];
                if (f.clientPort == srcPort && f.serverPort == dstPort && f.clientLo == srcLo && f.serverLo == dstLo
                        && f.clientHi == srcHi && f.serverHi == dstHi
                        || f.clientPort == dstPort && f.serverPort == srcPort && f.clientLo == dstLo
                        && f.serverLo == srcLo && f.clientHi == dstHi && f.serverHi == srcHi) {
                    return f;
                }
            }
        }
    }

    /** Adds a flow whose tuple is not in the table yet; {@code hash} is {@link #hash} of its tuple. */
    void add(int hash, Flow f) {
        if (2 * (size + 1) > hashes.length) {
            grow();
        }
        place(hashes, flows, mask, hash, f);
        size++;
    }

    private static void place(int[] hs, Flow[] fs, int m, int hash, Flow f) {
        int i = hash & m;
        while (hs[i] != EMPTY) {
            i = (i + 1) & m;
        }
        hs[i] = hash;
        fs[i] = f;
    }

    private void grow() {
        int n = hashes.length * 2;
        int[] hs = new int[n];
        Flow[] fs = new Flow[n];
        int m = n - 1;
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != EMPTY) {
                place(hs, fs, m, hashes[i], flows[i]);
            }
        }
        hashes = hs;
        flows = fs;
        mask = m;
    }

    /** Every flow, in table order (callers that need a stable order sort what they get). */
    void forEach(Consumer<Flow> action) {
        for (int i = 0; i < flows.length; i++) {
            if (flows[i] != null) {
                action.accept(flows[i]);
            }
        }
    }
}
