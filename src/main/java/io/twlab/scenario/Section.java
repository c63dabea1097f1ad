package io.twlab.scenario;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed, checked access to one mapping of the scenario. Every getter reports a bad value at its location with
 * the expected form; {@link #finish()} reports keys nobody asked for, with the valid ones.
 */
final class Section {
    final YNode.YMap map;
    final String path;
    private final Set<String> known = new LinkedHashSet<>();

    Section(YNode node, String path) {
        if (!(node instanceof YNode.YMap m)) {
            throw new ScenarioException(node.location(), path + " must be a mapping of keys to values, found "
                    + node.kind(), "write it as 'key: value' lines indented under " + path);
        }
        this.map = m;
        this.path = path;
    }

    Location location() {
        return map.location();
    }

    boolean has(String key) {
        known.add(key);
        return map.entries.containsKey(key);
    }

    YNode node(String key) {
        known.add(key);
        return map.entries.get(key);
    }

    YNode required(String key, String example) {
        YNode n = node(key);
        if (n == null) {
            throw new ScenarioException(map.location(), path + " has no '" + key + "'", "add " + example);
        }
        return n;
    }

    YNode.YScalar scalar(YNode n, String key, String expected) {
        if (!(n instanceof YNode.YScalar s)) {
            throw new ScenarioException(n.location(), path + "." + key + " must be " + expected + ", found "
                    + n.kind(), "write a single value, e.g. " + key + ": ...");
        }
        return s;
    }

    String string(String key, String def) {
        YNode n = node(key);
        return n == null ? def : scalar(n, key, "a text value").text;
    }

    String requiredString(String key, String example) {
        return scalar(required(key, example), key, "a text value").text;
    }

    long integer(String key, long def, long min, long max) {
        YNode n = node(key);
        if (n == null) {
            return def;
        }
        return integerOf(scalar(n, key, "a whole number"), key, min, max);
    }

    long integerOf(YNode.YScalar s, String key, long min, long max) {
        long v;
        try {
            v = Long.parseLong(s.text.trim());
        } catch (NumberFormatException e) {
            throw new ScenarioException(s.location(), path + "." + key + ": expected a whole number, found '"
                    + s.text + "'", "write a number between " + min + " and " + max);
        }
        if (v < min || v > max) {
            throw new ScenarioException(s.location(), path + "." + key + " = " + v + " is out of range",
                    "allowed: " + min + " to " + max);
        }
        return v;
    }

    long duration(String key, long def) {
        YNode n = node(key);
        return n == null ? def : durationOf(scalar(n, key, "a duration"), key);
    }

    long durationOf(YNode.YScalar s, String key) {
        long v = Units.duration(s.text);
        if (v == Units.TOO_LONG) {
            throw new ScenarioException(s.location(), path + "." + key + ": '" + s.text + "' is longer than 10 years "
                    + "of simulated time, the most a duration may be", "give at most 3652d (or 10 years in other units)");
        }
        if (v < 0) {
            throw new ScenarioException(s.location(), path + "." + key + ": expected a duration, found '" + s.text
                    + "'", "write a number with a unit: ns, us, ms, s, m (or min), h, d — e.g. 500ms, 10s, 2h");
        }
        return v;
    }

    long size(String key, long def) {
        YNode n = node(key);
        if (n == null) {
            return def;
        }
        YNode.YScalar s = scalar(n, key, "a size");
        long v = Units.size(s.text);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new ScenarioException(s.location(), path + "." + key + ": expected a size in bytes, found '"
                    + s.text + "'", "write e.g. 300, 300B, 2KB (1000 bytes) or 2KiB (1024 bytes)");
        }
        return v;
    }

    double fraction(String key, double def) {
        YNode n = node(key);
        if (n == null) {
            return def;
        }
        YNode.YScalar s = scalar(n, key, "a fraction");
        double v = Units.fraction(s.text);
        if (Double.isNaN(v) || v < 0 || v > 1) {
            throw new ScenarioException(s.location(), path + "." + key + ": expected a fraction from 0 to 1, found '"
                    + s.text + "'", "write e.g. 0.01 or 1%");
        }
        return v;
    }

    <E extends Enum<E>> E choice(String key, E def, Class<E> type) {
        YNode n = node(key);
        if (n == null) {
            return def;
        }
        YNode.YScalar s = scalar(n, key, "one of " + choices(type));
        for (E e : type.getEnumConstants()) {
            if (yamlName(e).equals(s.text)) {
                return e;
            }
        }
        throw new ScenarioException(s.location(), path + "." + key + ": unknown value '" + s.text + "'",
                "valid choices: " + String.join(", ", choices(type)));
    }

    static <E extends Enum<E>> List<String> choices(Class<E> type) {
        List<String> out = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            out.add(yamlName(e));
        }
        return out;
    }

    static String yamlName(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    List<YNode> list(String key, boolean required, String example) {
        YNode n = required ? required(key, example) : node(key);
        if (n == null) {
            return List.of();
        }
        if (!(n instanceof YNode.YList l)) {
            throw new ScenarioException(n.location(), path + "." + key + " must be a list, found " + n.kind(),
                    "write each item on its own line starting with '- '");
        }
        return l.items;
    }

    /** Reports the first key that no getter asked for. */
    void finish() {
        for (String key : map.entries.keySet()) {
            if (!known.contains(key)) {
                throw new ScenarioException(map.keyLocations.get(key), "unknown key '" + key + "' in " + path,
                        "valid keys: " + String.join(", ", known));
            }
        }
    }
}
