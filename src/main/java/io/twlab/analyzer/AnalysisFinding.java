package io.twlab.analyzer;

import io.twlab.report.Finding.Severity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A named failure found in a capture: a stable {@code kind}, how many times, how bad, the sentence that explains
 * it with the kernel mechanism behind it, example packets as evidence, and extra figures (e.g. {@code ip},
 * {@code hosts}) that go into the JSON at the top level of the finding.
 */
public record AnalysisFinding(String kind, Severity severity, long count, String text, List<Evidence> evidence,
                              Map<String, Object> facts) {

    /** Example packets: their numbers, the time of the first (seconds since the epoch), and the fields that matter. */
    public record Evidence(List<Long> packets, double time, String tuple, Map<String, Object> fields) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("packets", packets);
            m.put("time", time);
            m.put("tuple", tuple);
            m.putAll(fields);
            return m;
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("severity", severity.key());
        m.put("count", count);
        m.put("text", text);
        m.putAll(facts);
        m.put("evidence", evidence.stream().map(Evidence::toMap).toList());
        return m;
    }
}
