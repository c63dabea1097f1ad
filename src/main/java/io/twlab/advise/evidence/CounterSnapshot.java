package io.twlab.advise.evidence;

import java.util.Map;
import java.util.TreeMap;

/**
 * One reading of a host's SNMP counters (nstat names, e.g. TcpExtPAWSEstab), taken at {@code epochSeconds}
 * (0 when the file did not say), with the line each value was read from.
 *
 * @param format which output it came from (proc, nstat, nstat-json, netstat-s): readings are only differenced
 *               within one format, since netstat -s and nstat name a different set of counters
 */
public record CounterSnapshot(String format, long epochSeconds, String file, Map<String, Long> values,
                              Map<String, Integer> lines) {
    public CounterSnapshot {
        values = new TreeMap<>(values);
        lines = new TreeMap<>(lines);
    }

    public Sourced<Long> get(String name) {
        Long v = values.get(name);
        return v == null ? null : new Sourced<>(v, file, lines.getOrDefault(name, 0));
    }
}
