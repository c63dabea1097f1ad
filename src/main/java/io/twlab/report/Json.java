package io.twlab.report;

import java.util.List;
import java.util.Map;

/**
 * Minimal JSON writer for outputs: maps keep their insertion order (callers pass LinkedHashMap/TreeMap), so
 * the same run always prints the same bytes. Numbers: integers as such, others with up to 6 decimals.
 */
public final class Json {
    private Json() {
    }

    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.append('\n').toString();
    }

    /** The same document on one line without spaces (for data embedded in a page). */
    public static String writeCompact(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1);
        return sb.toString();
    }

    /** Writes {@code v}; a negative indent writes compactly. */
    private static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Integer || v instanceof Long) {
            sb.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                sb.append("null");
            } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                sb.append((long) d);
            } else {
                String s = String.format(java.util.Locale.ROOT, "%.6f", d).replaceAll("0+$", "");
                sb.append(s.endsWith(".") ? s.substring(0, s.length() - 1) : s);
            }
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            boolean pretty = indent >= 0;
            sb.append(pretty ? "{\n" : "{");
            int i = 0;
            for (Map.Entry<?, ?> e : ordered(m).entrySet()) {
                pad(sb, indent + 1);
                string(sb, String.valueOf(e.getKey()));
                sb.append(pretty ? ": " : ":");
                write(sb, e.getValue(), pretty ? indent + 1 : -1);
                sb.append(++i < m.size() ? "," : "").append(pretty ? "\n" : "");
            }
            pad(sb, indent);
            sb.append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            boolean pretty = indent >= 0;
            sb.append(pretty ? "[\n" : "[");
            for (int i = 0; i < l.size(); i++) {
                pad(sb, indent + 1);
                write(sb, l.get(i), pretty ? indent + 1 : -1);
                sb.append(i + 1 < l.size() ? "," : "").append(pretty ? "\n" : "");
            }
            pad(sb, indent);
            sb.append(']');
        } else {
            string(sb, v.toString());
        }
    }

    private static void pad(StringBuilder sb, int indent) {
        if (indent > 0) {
            sb.append("  ".repeat(indent));
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** An object of a parsed document as a map; an empty map when {@code o} is not an object (or absent). */
    /**
     * A map in a fixed order: insertion-ordered, sorted and enum maps as they are; any other (Map.of, HashMap), whose
     * iteration order changes from one JVM to the next, by its keys' text, so outputs stay byte-identical.
     */
    private static Map<?, ?> ordered(Map<?, ?> m) {
        if (m instanceof java.util.LinkedHashMap<?, ?> || m instanceof java.util.SortedMap<?, ?>
                || m instanceof java.util.EnumMap<?, ?> || m.size() < 2) {
            return m;
        }
        java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
        m.forEach((k, v) -> sorted.put(String.valueOf(k), v));
        return sorted;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** The elements of an array as strings; empty when {@code o} is not an array. */
    public static List<String> strings(Object o) {
        List<String> out = new java.util.ArrayList<>();
        if (o instanceof List<?> l) {
            l.forEach(x -> out.add(String.valueOf(x)));
        }
        return out;
    }

    /** A number as a long, 0 when absent or not a number. */
    public static long asLong(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    /** A number as a double, 0 when absent or not a number. */
    public static double asDouble(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }

    /**
     * Reads a JSON document (as this class writes it) into maps (insertion-ordered), lists, strings, longs for
     * integral numbers, doubles, booleans and nulls.
     */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("end of document");
        }
        return v;
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("JSON: expected " + expected + " at offset " + pos);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("a value");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{' -> {
                    pos++;
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    skipSpace();
                    if (peek('}')) {
                        return m;
                    }
                    do {
                        skipSpace();
                        String key = string();
                        skipSpace();
                        expect(':');
                        m.put(key, value());
                        skipSpace();
                    } while (peek(','));
                    expect('}');
                    return m;
                }
                case '[' -> {
                    pos++;
                    List<Object> l = new java.util.ArrayList<>();
                    skipSpace();
                    if (peek(']')) {
                        return l;
                    }
                    do {
                        l.add(value());
                        skipSpace();
                    } while (peek(','));
                    expect(']');
                    return l;
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (s.startsWith("true", pos)) {
                        pos += 4;
                        return Boolean.TRUE;
                    }
                    if (s.startsWith("false", pos)) {
                        pos += 5;
                        return Boolean.FALSE;
                    }
                    if (s.startsWith("null", pos)) {
                        pos += 4;
                        return null;
                    }
                    return number();
                }
            }
        }

        private boolean peek(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("'" + c + "'");
            }
        }

        private Object number() {
            int start = pos;
            boolean integral = true;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                integral &= Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '-';
                pos++;
            }
            if (start == pos) {
                throw error("a value");
            }
            String t = s.substring(start, pos);
            return integral ? (Object) Long.parseLong(t) : (Object) Double.parseDouble(t);
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> sb.append(e);
                }
            }
            throw error("closing quote");
        }
    }
}
