package io.twlab.metrics;

/**
 * Log-linear histogram of non-negative values in microseconds (HdrHistogram-style): 32 linear sub-buckets
 * per power of two, so a percentile is within ~3 % of the true value; the maximum is exact.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private final long[] counts = new long[64 * SUB];
    private long total;
    private long max;
    private long min = Long.MAX_VALUE;

    public void record(long micros) {
        long v = Math.max(0, micros);
        counts[index(v)]++;
        total++;
        max = Math.max(max, v);
        min = Math.min(min, v);
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS + 1;
        int sub = (int) (v >>> exp) - SUB / 2;
        return exp * (SUB / 2) + SUB / 2 + sub;
    }

    /** Upper edge of bucket i (inclusive), the value reported for a percentile that falls in it. */
    static long upperEdge(int i) {
        if (i < SUB) {
            return i;
        }
        int exp = (i - SUB / 2) / (SUB / 2);
        int sub = (i - SUB / 2) % (SUB / 2) + SUB / 2;
        return (((long) sub + 1) << exp) - 1;
    }

    /** An independent copy with the same counts. */
    public LatencyHistogram copy() {
        LatencyHistogram c = new LatencyHistogram();
        System.arraycopy(counts, 0, c.counts, 0, counts.length);
        c.total = total;
        c.max = max;
        c.min = min;
        return c;
    }

    public void clear() {
        if (total > 0) {
            java.util.Arrays.fill(counts, 0);
            total = 0;
            max = 0;
            min = Long.MAX_VALUE;
        }
    }

    public long count() {
        return total;
    }

    public long max() {
        return total == 0 ? 0 : max;
    }

    public long min() {
        return total == 0 ? 0 : min;
    }

    /** Values recorded in [lo, hi] microseconds, to bucket precision (~3 %). */
    public long countBetween(long loMicros, long hiMicros) {
        long n = 0;
        for (int i = index(Math.max(0, loMicros)); i <= index(hiMicros) && i < counts.length; i++) {
            n += counts[i];
        }
        return n;
    }

    /** The value at quantile q (0..1), clamped to the exact maximum. */
    public long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperEdge(i), max);
            }
        }
        return max;
    }
}
