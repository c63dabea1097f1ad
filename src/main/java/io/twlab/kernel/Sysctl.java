package io.twlab.kernel;

/**
 * A sysctl a kernel has: its name, default and allowed range. A port-range sysctl holds two values
 * packed as {@code low << 16 | high}; see {@link #packRange(int, int)}.
 */
public record Sysctl(String name, long defaultValue, long min, long max, boolean portRange, String description) {

    public static Sysctl integer(String name, long def, long min, long max, String description) {
        return new Sysctl(name, def, min, max, false, description);
    }

    public static Sysctl range(String name, int low, int high, String description) {
        return new Sysctl(name, packRange(low, high), 1, 65535, true, description);
    }

    public static long packRange(int low, int high) {
        return ((long) low << 16) | high;
    }

    public static int rangeLow(long packed) {
        return (int) (packed >>> 16);
    }

    public static int rangeHigh(long packed) {
        return (int) (packed & 0xffff);
    }

    /** {@code value} as /proc/sys shows and takes it: a range as its two ends ("32768 60999"), else the number. */
    public String procText(long value) {
        return portRange ? rangeLow(value) + " " + rangeHigh(value) : Long.toString(value);
    }
}
