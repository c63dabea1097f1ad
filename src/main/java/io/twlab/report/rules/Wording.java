package io.twlab.report.rules;

import java.util.Locale;

/** How findings write times, shares and figures, so that every sentence reads the same way. */
public final class Wording {
    private Wording() {
    }

    /** "between 1:04:30 and 2:00:00", "at 0:10:00", or "" when no span is known (null). */
    public static String between(long[] span) {
        if (span == null) {
            return "";
        }
        return span[0] == span[1] ? "at " + clock(span[0]) : "between " + clock(span[0]) + " and " + clock(span[1]);
    }

    /** Seconds since the start of the run as H:MM:SS. */
    public static String clock(long second) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", second / 3600, second / 60 % 60, second % 60);
    }

    public static double share(long part, long whole) {
        return part / (double) Math.max(1, whole);
    }

    /** A share as a percentage with the digits that matter: 12, 1.2, 0.012. */
    public static String pct(double share) {
        return String.format(Locale.ROOT, share >= 0.1 ? "%.0f" : share >= 0.001 ? "%.1f" : "%.3f", share * 100);
    }

    /** A whole number with thousands separators, else one decimal. */
    public static String num(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v) : String.format(Locale.ROOT, "%,.1f", v);
    }

    static long first(long[] span) {
        return span == null ? -1 : span[0];
    }

    static long last(long[] span) {
        return span == null ? -1 : span[1];
    }
}
