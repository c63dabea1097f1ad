package io.twlab.advise.evidence;

import io.twlab.report.Json;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nstat -az} (iproute2): a "#kernel" line, then "Name value rate" lines; and {@code nstat -az --json}:
 * {"kernel":{"Name":value,...}}. With -a the values are absolute (since boot), which is what twlab collect asks for.
 */
public final class NstatReader implements EvidenceReader {
    @Override
    public String format() {
        return "nstat";
    }

    @Override
    public boolean recognises(TextFile f) {
        List<String> l = f.contentLines();
        if (l.get(0).trim().startsWith("{")) {
            return String.join("\n", l).contains("\"kernel\"");
        }
        return l.get(0).trim().equals("#kernel")
                || EvidenceReader.anyMatch(l, "^(Tcp|TcpExt|Ip|IpExt|Udp|Icmp)[A-Z][A-Za-z0-9_]*\\s+\\d+\\s+[0-9.]+$", 3);
    }

    @Override
    public void read(TextFile f, HostEvidence host, List<Problem> problems) {
        Map<String, Long> values = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        List<String> l = f.lines();
        int first = 0;
        while (first < l.size() && l.get(first).isBlank()) {
            first++;
        }
        if (first < l.size() && l.get(first).trim().startsWith("{")) {
            Object doc;
            try {
                doc = Json.parse(String.join("\n", l));
            } catch (RuntimeException e) {
                problems.add(new Problem(f.name(), f.lineNumber(first), "not valid JSON (" + e.getMessage()
                        + "); file skipped"));
                return;
            }
            Map<String, Object> kernel = Json.object(Json.object(doc).get("kernel"));
            for (Map.Entry<String, Object> e : kernel.entrySet()) {
                if (e.getValue() instanceof Number n) {
                    values.put(e.getKey(), n.longValue());
                    lines.put(e.getKey(), lineOf(l, "\"" + e.getKey() + "\"", f));
                }
            }
            host.counters.add(new CounterSnapshot("nstat-json", f.epochSeconds(), f.name(), values, lines));
            return;
        }
        for (int i = 0; i < l.size(); i++) {
            String line = l.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] t = line.split("\\s+");
            if (t.length < 2 || !t[0].matches("[A-Za-z][A-Za-z0-9_]*") || !t[1].matches("\\d+")) {
                problems.add(new Problem(f.name(), f.lineNumber(i), "expected 'NAME VALUE [RATE]'; skipped"));
                continue;
            }
            values.put(t[0], Long.parseLong(t[1]));
            lines.put(t[0], f.lineNumber(i));
        }
        host.counters.add(new CounterSnapshot(format(), f.epochSeconds(), f.name(), values, lines));
    }

    private static int lineOf(List<String> l, String needle, TextFile f) {
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i).contains(needle)) {
                return f.lineNumber(i);
            }
        }
        return 0;
    }
}
