package io.twlab.nat;

import java.util.Arrays;

/**
 * Open-addressing hash map from a 96-bit tuple (packed into two longs) to a flow, with linear probing and
 * backward-shift deletion. Lookups allocate nothing.
 */
final class FlowTable {
    private long[] k1 = new long[1024];
    private long[] k2 = new long[1024];
    private NatFlow[] values = new NatFlow[1024];
    private int size;
    private int mask = 1023;

    int size() {
        return size;
    }

    static long key1(int ip, int port, int otherPort) {
        return ((ip & 0xffffffffL) << 32) | ((long) port << 16) | otherPort;
    }

    NatFlow get(long a, long b) {
        int i = slot(a, b);
        while (values[i] != null) {
            if (k1[i] == a && k2[i] == b) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    void put(long a, long b, NatFlow v) {
        if ((size + 1) * 4 > values.length * 3) {
            rehash(values.length * 2);
        }
        int i = slot(a, b);
        while (values[i] != null) {
            if (k1[i] == a && k2[i] == b) {
                values[i] = v;
                return;
            }
            i = (i + 1) & mask;
        }
        k1[i] = a;
        k2[i] = b;
        values[i] = v;
        size++;
    }

    void remove(long a, long b) {
        int i = slot(a, b);
        while (values[i] != null) {
            if (k1[i] == a && k2[i] == b) {
                values[i] = null;
                size--;
                shiftBack(i);
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /** Removes every flow the predicate accepts. */
    void removeIf(java.util.function.Predicate<NatFlow> dead, java.util.function.Consumer<NatFlow> onRemove) {
        // Collect first: removal shifts entries, so the table is not walked while it changes.
        java.util.ArrayList<NatFlow> doomed = new java.util.ArrayList<>();
        for (NatFlow v : values) {
            if (v != null && dead.test(v)) {
                doomed.add(v);
            }
        }
        doomed.forEach(onRemove);
    }

    private void shiftBack(int gap) {
        int i = (gap + 1) & mask;
        while (values[i] != null) {
            int home = slot(k1[i], k2[i]);
            // Move the entry into the gap if its home slot is not between the gap and its position.
            if (((i - home) & mask) >= ((i - gap) & mask)) {
                k1[gap] = k1[i];
                k2[gap] = k2[i];
                values[gap] = values[i];
                values[i] = null;
                gap = i;
            }
            i = (i + 1) & mask;
        }
    }

    private int slot(long a, long b) {
        // Murmur3-style finaliser over both words: every key bit reaches the low bits the mask keeps.
        long h = a * 0x9E3779B97F4A7C15L + b;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    private void rehash(int capacity) {
        long[] oa = k1;
        long[] ob = k2;
        NatFlow[] ov = values;
        k1 = new long[capacity];
        k2 = new long[capacity];
        values = new NatFlow[capacity];
        mask = capacity - 1;
        size = 0;
        for (int i = 0; i < ov.length; i++) {
            if (ov[i] != null) {
                put(oa[i], ob[i], ov[i]);
            }
        }
    }
}
