package io.twlab.lab;

import io.twlab.tcp.Counter;

import java.util.EnumMap;
import java.util.Map;

/** The TCP counters of one namespace from /proc/net/netstat and /proc/net/snmp (header line, value line pairs). */
final class Netstat {
    private Netstat() {
    }

    static Map<Counter, Long> read(String namespace) {
        String text = Shell.ok(Shell.in(namespace, "cat", "/proc/net/netstat", "/proc/net/snmp"));
        Map<String, Long> byName = new java.util.HashMap<>();
        String[] lines = text.split("\n");
        for (int i = 0; i + 1 < lines.length; i += 2) {
            String[] names = lines[i].trim().split("\\s+");
            String[] values = lines[i + 1].trim().split("\\s+");
            if (names.length != values.length || !names[0].equals(values[0])) {
                i--; // out of step: realign on the next line
                continue;
            }
            String group = names[0].replace(":", "");
            for (int k = 1; k < names.length; k++) {
                try {
                    byName.put(group + names[k], Long.parseLong(values[k]));
                } catch (NumberFormatException ignored) {
                    // a field that is not a counter (none in TcpExt/Tcp)
                }
            }
        }
        Map<Counter, Long> out = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) {
            Long v = byName.get(c.nstatName());
            if (v != null) {
                out.put(c, v);
            }
        }
        return out;
    }

    static Map<Counter, Long> delta(Map<Counter, Long> before, Map<Counter, Long> after) {
        Map<Counter, Long> d = new EnumMap<>(Counter.class);
        for (Map.Entry<Counter, Long> e : after.entrySet()) {
            d.put(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        return d;
    }
}
