package io.twlab.advise;

import io.twlab.report.Finding.Severity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a lint rule found: the rule, how bad, on which host, the plain-words explanation, the facts it read (each
 * with its file:line), the kernel versions the mechanism applies to, the mechanism with its kernel source, and the
 * figures the calibration and the fixes use (e.g. {@code ports}, {@code safeRate}).
 */
public record AdviceFinding(String rule, Severity severity, String host, String text, List<Fact> facts,
                            String appliesTo, String mechanism, Map<String, Object> figures) {

    /** One fact a rule read: a counter's change, a sysctl, a rule line; {@code source} is file:line. */
    public record Fact(String name, Object value, String source) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("value", value);
            m.put("source", source);
            return m;
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", rule);
        m.put("severity", severity.key());
        m.put("host", host);
        m.put("text", text);
        m.put("facts", facts.stream().map(Fact::toMap).toList());
        m.put("appliesTo", appliesTo);
        m.put("mechanism", mechanism);
        m.put("figures", figures);
        return m;
    }
}
