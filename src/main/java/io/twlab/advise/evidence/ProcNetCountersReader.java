package io.twlab.advise.evidence;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * /proc/net/netstat and /proc/net/snmp as the kernel writes them (net/ipv4/proc.c, netstat_seq_show and
 * snmp_seq_show): per group a line of names and a line of values, both starting with "Group:". Counters are
 * named as nstat names them, group and field joined (TcpExtPAWSEstab).
 */
public final class ProcNetCountersReader implements EvidenceReader {
    @Override
    public String format() {
        return "proc-net-snmp";
    }

    @Override
    public boolean recognises(TextFile f) {
        List<String> l = f.contentLines();
        for (int i = 0; i + 1 < l.size(); i++) {
            String[] a = l.get(i).trim().split("\\s+");
            String[] b = l.get(i + 1).trim().split("\\s+");
            if (a.length > 2 && a[0].endsWith(":") && a[0].equals(b[0]) && b[1].matches("-?\\d+")
                    && a[1].matches("[A-Za-z][A-Za-z0-9_]*")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void read(TextFile f, HostEvidence host, List<Problem> problems) {
        Map<String, Long> values = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        List<String> l = f.lines();
        for (int i = 0; i < l.size(); i++) {
            String[] names = l.get(i).trim().split("\\s+");
            if (names.length < 2 || !names[0].endsWith(":") || l.get(i).isBlank()) {
                continue;
            }
            if (names[1].matches("-?\\d+")) {
                problems.add(new Problem(f.name(), f.lineNumber(i), "a value line without its header line before "
                        + "it; skipped"));
                continue;
            }
            if (i + 1 >= l.size()) {
                problems.add(new Problem(f.name(), f.lineNumber(i), "a header line without its value line; skipped"));
                continue;
            }
            String[] vals = l.get(i + 1).trim().split("\\s+");
            if (!vals[0].equals(names[0]) || vals.length != names.length) {
                problems.add(new Problem(f.name(), f.lineNumber(i + 1), "expected " + (names.length - 1)
                        + " values after '" + names[0] + "' to match the line above; skipped"));
                continue;
            }
            String group = names[0].substring(0, names[0].length() - 1);
            for (int k = 1; k < names.length; k++) {
                try {
                    values.put(group + names[k], Long.parseLong(vals[k]));
                    lines.put(group + names[k], f.lineNumber(i + 1));
                } catch (NumberFormatException e) {
                    problems.add(new Problem(f.name(), f.lineNumber(i + 1), "'" + vals[k] + "' for " + group
                            + names[k] + " is not a number; skipped"));
                }
            }
            i++;
        }
        host.counters.add(new CounterSnapshot(format(), f.epochSeconds(), f.name(), values, lines));
    }
}
