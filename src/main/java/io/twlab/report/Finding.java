package io.twlab.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing a run showed, in a form both people and programs read: a stable {@code kind}, how bad it is, where
 * (the elements concerned), when (first and last second it happened, -1 when not tied to time), how many times,
 * the sentence that explains it, and the figures behind the sentence.
 */
public record Finding(String kind, Severity severity, String where, long fromSecond, long toSecond, long count,
                      String text, Map<String, Object> facts) {

    public enum Severity {
        CRITICAL, WARNING, INFO;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Severity of(String key) {
            return valueOf(key.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("severity", severity.key());
        m.put("where", where);
        m.put("fromSecond", fromSecond);
        m.put("toSecond", toSecond);
        m.put("count", count);
        m.put("text", text);
        m.put("facts", facts);
        return m;
    }
}
