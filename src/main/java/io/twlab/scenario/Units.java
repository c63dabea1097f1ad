package io.twlab.scenario;

import io.twlab.engine.Simulator;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of durations, rates, sizes, port ranges and fractions, with the accepted forms in the errors. */
public final class Units {
    private static final Pattern NUMBER_UNIT = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Zµ/%]*)\\s*");

    private Units() {
    }

    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|min|m|h|d)");

    /** The longest duration a scenario may give: 10 years (3,652.5 days) of simulated time. */
    public static final long MAX_DURATION_NS = 3652L * 86400 * Simulator.NS_PER_SEC + 12L * 3600 * Simulator.NS_PER_SEC;
    /** What {@link #duration} returns for a well-formed duration above {@link #MAX_DURATION_NS}. */
    public static final long TOO_LONG = -2;

    /**
     * Returns nanoseconds, -1 when the text is not a duration, or {@link #TOO_LONG} above 10 years (summed without
     * overflow). A bare number is seconds; units may be combined from largest to smallest, e.g. 1h30m or 2m15s.
     */
    public static long duration(String text) {
        String t = text.trim();
        Matcher parts = DURATION_PART.matcher(t);
        long total = 0;
        int end = 0;
        int count = 0;
        while (parts.find() && parts.start() == end) {
            long one = single(parts.group(1), parts.group(2));
            if (one < 0) {
                return one;
            }
            total += one;
            if (total > MAX_DURATION_NS) {
                return TOO_LONG;
            }
            end = parts.end();
            count++;
        }
        if (count > 1 && end == t.length()) {
            return total;
        }
        Matcher m = NUMBER_UNIT.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        return single(m.group(1), m.group(2));
    }

    /** Nanoseconds of one number and unit; -1 for an unknown unit, {@link #TOO_LONG} above the maximum. */
    private static long single(String number, String unit) {
        double v = Double.parseDouble(number);
        double scale = switch (unit) {
            case "", "s" -> Simulator.NS_PER_SEC;
            case "ns" -> 1;
            case "us", "µs" -> 1_000;
            case "ms" -> Simulator.NS_PER_MS;
            case "m", "min" -> 60.0 * Simulator.NS_PER_SEC;
            case "h" -> 3600.0 * Simulator.NS_PER_SEC;
            case "d" -> 86400.0 * Simulator.NS_PER_SEC;
            default -> -1;
        };
        if (scale < 0) {
            return -1;
        }
        double ns = v * scale;
        return ns > MAX_DURATION_NS ? TOO_LONG : Math.round(ns);
    }

    /** Returns connections per second, or NaN. Forms: 590, 590/s, 35000/min, 2000000/h. */
    public static double rate(String text) {
        Matcher m = NUMBER_UNIT.matcher(text);
        if (!m.matches()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "", "/s" -> v;
            case "/min", "/m" -> v / 60;
            case "/h" -> v / 3600;
            default -> Double.NaN;
        };
    }

    /** Returns bytes, or -1. Forms: 300, 300B, 2KB (1000), 2KiB (1024), 1MB, 1MiB. */
    public static long size(String text) {
        Matcher m = NUMBER_UNIT.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        double v = Double.parseDouble(m.group(1));
        double scale = switch (m.group(2)) {
            case "", "B" -> 1;
            case "KB", "kB", "k" -> 1000;
            case "KiB" -> 1024;
            case "MB" -> 1_000_000;
            case "MiB" -> 1 << 20;
            default -> -1;
        };
        return scale < 0 ? -1 : Math.round(v * scale);
    }

    /** A fraction in [0,1] from "0.01" or "1%"; NaN when malformed. */
    public static double fraction(String text) {
        Matcher m = NUMBER_UNIT.matcher(text);
        if (!m.matches()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "" -> v;
            case "%" -> v / 100;
            default -> Double.NaN;
        };
    }

    /** "A-B" or "A B" → {A, B}, or null. */
    public static int[] portRange(String text) {
        Matcher m = Pattern.compile("\\s*([0-9]{1,5})\\s*(?:-|\\s)\\s*([0-9]{1,5})\\s*").matcher(text);
        if (!m.matches()) {
            return null;
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}
