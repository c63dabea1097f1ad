package io.twlab.net;


/**
 * Open-addressing hash map from a 96-bit tuple (packed into two longs, see {@link #key1}) to a value, with
 * linear probing and backward-shift deletion. Lookups allocate nothing. Used by the NAT and the IPVS director.
 */
public final class TupleTable<V> {
    private long[] k1 = new long[1024];
    private long[] k2 = new long[1024];
    private Object[] values = new Object[1024];
    private int size;
    private int mask = 1023;

    public int size() {
        return size;
    }

    /** First key word: an address and two ports; the second word is usually the other address. */
    public static long key1(int ip, int port, int otherPort) {
        return ((ip & 0xffffffffL) << 32) | ((long) port << 16) | otherPort;
    }

    @SuppressWarnings("unchecked")
    public V get(long a, long b) {
        int i = slot(a, b);
        while (values[i] != null) {
            if (k1[i] == a && k2[i] == b) {
                return (V) values[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    public void put(long a, long b, V v) {
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

    public void remove(long a, long b) {
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

    /** Hands every value the predicate accepts to {@code onRemove}, which removes it (in table order). */
    @SuppressWarnings("unchecked")
    public void removeIf(java.util.function.Predicate<V> dead, java.util.function.Consumer<V> onRemove) {
        // Collect first: removal shifts entries, so the table is not walked while it changes.
        java.util.ArrayList<V> doomed = new java.util.ArrayList<>();
        for (Object v : values) {
            if (v != null && dead.test((V) v)) {
                doomed.add((V) v);
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

    private void reinsert(long a, long b, Object v) {
        int i = slot(a, b);
        while (values[i] != null) {
            i = (i + 1) & mask;
        }
        k1[i] = a;
        k2[i] = b;
        values[i] = v;
        size++;
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
        Object[] ov = values;
        k1 = new long[capacity];
        k2 = new long[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        size = 0;
        for (int i = 0; i < ov.length; i++) {
            if (ov[i] != null) {
                reinsert(oa[i], ob[i], ov[i]);
            }
        }
    }
}
