package io.twlab.sweep;

import io.twlab.scenario.Units;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * One varied scenario path and its values, as {@code --set} would take them. Written {@code PATH=SPEC}: a list
 * ({@code linux-2.6.32,linux-6.18}), a range with a step ({@code 400..1200/50}, durations too: {@code 10m..2h/10m}),
 * or a geometric range ({@code 10..10000*10}: each value the previous one times 10).
 */
public record Axis(String path, List<String> values, boolean numeric, String spec) {
    /** Ranges longer than this are refused (a typo in a step, not a sweep). */
    static final int MAX_VALUES = 100_000;

    public static Axis parse(String vary) {
        int eq = vary.indexOf('=');
        if (eq <= 0 || eq == vary.length() - 1) {
            throw new SweepException(vary, "expected PATH=SPEC, e.g. workloads.partner.rate=400..1200/50 or "
                    + "hosts.nginx.kernel=linux-3.10,linux-6.18");
        }
        String path = vary.substring(0, eq).trim();
        String spec = vary.substring(eq + 1).trim();
        int dots = spec.indexOf("..");
        if (dots < 0) {
            List<String> values = new ArrayList<>();
            for (String v : spec.split(",", -1)) {
                if (v.isBlank()) {
                    throw new SweepException(vary, "an empty value in the list; write the values separated by commas");
                }
                values.add(v.trim());
            }
            boolean numeric = values.stream().allMatch(Axis::isNumber);
            return new Axis(path, List.copyOf(values), numeric, spec);
        }
        String from = spec.substring(0, dots).trim();
        String rest = spec.substring(dots + 2);
        int slash = rest.indexOf('/');
        int star = rest.indexOf('*');
        if (slash < 0 && star < 0) {
            throw new SweepException(vary, "a range needs a step: A..B/STEP (e.g. 400..1200/50) or a factor A..B*K "
                    + "(e.g. 10..10000*10)");
        }
        boolean geometric = slash < 0;
        String to = rest.substring(0, geometric ? star : slash).trim();
        String step = rest.substring((geometric ? star : slash) + 1).trim();
        boolean durations = !isNumber(from) || !isNumber(to) || (!geometric && !isNumber(step));
        double a = value(vary, from, durations);
        double b = value(vary, to, durations);
        double s = geometric ? factor(vary, step) : value(vary, step, durations);
        if (!geometric && s <= 0) {
            throw new SweepException(vary, "the step must be positive, got " + step);
        }
        if (b < a) {
            throw new SweepException(vary, "the range is empty: " + from + " is above " + to);
        }
        if (geometric && a <= 0) {
            throw new SweepException(vary, "a geometric range must start above 0, got " + from);
        }
        List<String> values = new ArrayList<>();
        if (geometric) {
            for (double v = a; v <= b * (1 + 1e-9); v *= s) {
                values.add(format(v, durations));
                tooMany(vary, values);
            }
        } else {
            // Counted steps, not repeated addition, so 0.1 steps do not drift.
            long n = (long) Math.floor((b - a) / s + 1e-9);
            if (n + 1 > MAX_VALUES) {
                throw new SweepException(vary, String.format(java.util.Locale.ROOT, "%,d values, more than %,d; use a "
                        + "larger step", n + 1, MAX_VALUES));
            }
            for (long i = 0; i <= n; i++) {
                values.add(format(a + i * s, durations));
            }
        }
        return new Axis(path, List.copyOf(values), !durations, spec);
    }

    private static void tooMany(String vary, List<String> values) {
        if (values.size() > MAX_VALUES) {
            throw new SweepException(vary, "more than " + MAX_VALUES + " values; use a larger factor");
        }
    }

    private static double factor(String vary, String text) {
        if (!isNumber(text) || Double.parseDouble(text) <= 1) {
            throw new SweepException(vary, "the factor of A..B*K must be a number above 1, got " + text);
        }
        return Double.parseDouble(text);
    }

    /** A number, or with {@code durations} a duration in seconds. */
    private static double value(String vary, String text, boolean durations) {
        if (!durations) {
            return Double.parseDouble(text);
        }
        long ns = Units.duration(text);
        if (ns < 0) {
            throw new SweepException(vary, "'" + text + "' is neither a number nor a duration (e.g. 90s, 10m, 2h)");
        }
        return ns / 1e9;
    }

    static boolean isNumber(String text) {
        return text.matches("-?[0-9]+(\\.[0-9]+)?");
    }

    /** Integers without a point, other numbers with the digits they need; durations in seconds ("600s"). */
    private static String format(double v, boolean durations) {
        BigDecimal d = new BigDecimal(v).setScale(9, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
        String text = d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
        return durations ? text + "s" : text;
    }
}
