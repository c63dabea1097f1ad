package io.twlab.advise.evidence;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * conntrack-tools and the kernel's own views of the connection table:
 * <ul>
 * <li>{@code conntrack -S}: one line per CPU, "cpu=N found=.. invalid=.. insert=.. insert_failed=.. drop=..
 *     early_drop=.. error=.. search_restart=.." (1.4.5+; older versions add entries, searched, new, ...);</li>
 * <li>/proc/net/stat/nf_conntrack: a header of field names, then one row of hex numbers per CPU
 *     (nf_conntrack_standalone.c, ct_cpu_seq_show); "entries" is the table size on every row;</li>
 * <li>{@code conntrack -L}: entries "tcp 6 117 TIME_WAIT src= dst= sport= dport= src= dst= sport= dport= ...";
 *     an entry whose reply destination differs from its original source was source-NATed;</li>
 * <li>{@code conntrack -C}: the number of entries, one line (recognised by the collect header only: a bare
 *     number says nothing about what it counts).</li>
 * </ul>
 */
public final class ConntrackReader implements EvidenceReader {
    private static final Pattern CPU_LINE = Pattern.compile("^cpu=(\\d+)\\s+(.*)$");
    private static final Pattern KV = Pattern.compile("([a-z_]+)=(\\d+)");
    private static final Pattern ENTRY = Pattern.compile("^(?:ipv4\\s+2\\s+)?tcp\\s+6\\s+(\\d+)\\s+([A-Z_]+)\\s+"
            + "src=(\\S+) dst=(\\S+) sport=(\\d+) dport=(\\d+)(?: packets=\\d+ bytes=\\d+)?(?: \\[UNREPLIED\\])? "
            + "src=(\\S+) dst=(\\S+) sport=(\\d+) dport=(\\d+).*$");

    @Override
    public String format() {
        return "conntrack";
    }

    @Override
    public boolean recognises(TextFile f) {
        List<String> l = f.contentLines();
        String first = l.get(0).trim();
        return CPU_LINE.matcher(first).matches()
                || first.startsWith("entries") && first.contains("insert_failed")
                || EvidenceReader.anyMatch(l, ENTRY.pattern(), 1)
                || f.command().startsWith("conntrack -C") && l.size() == 1 && first.matches("\\d+");
    }

    @Override
    public void read(TextFile f, HostEvidence host, List<Problem> problems) {
        List<String> l = f.lines();
        int first = 0;
        while (first < l.size() && l.get(first).isBlank()) {
            first++;
        }
        String head = l.get(first).trim();
        if (f.command().startsWith("conntrack -C") && head.matches("\\d+")) {
            host.conntrackCounts.add(new Sourced<>(Long.parseLong(head), f.name(), f.lineNumber(first)));
        } else if (head.startsWith("entries")) {
            readProcStat(f, first, host, problems);
        } else if (CPU_LINE.matcher(head).matches()) {
            readStats(f, host, problems);
        } else {
            readEntries(f, host, problems);
        }
    }

    private static void readStats(TextFile f, HostEvidence host, List<Problem> problems) {
        Map<String, Long> sum = new LinkedHashMap<>();
        int firstLine = 0;
        int cpus = 0;
        List<String> l = f.lines();
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i).isBlank()) {
                continue;
            }
            Matcher m = CPU_LINE.matcher(l.get(i).trim());
            if (!m.matches()) {
                problems.add(new Problem(f.name(), f.lineNumber(i), "expected 'cpu=N name=value ...'; skipped"));
                continue;
            }
            if (firstLine == 0) {
                firstLine = f.lineNumber(i);
            }
            cpus++;
            Matcher kv = KV.matcher(m.group(2));
            while (kv.find()) {
                // "entries" (older conntrack-tools) is the table size repeated per CPU, the rest are events.
                String k = kv.group(1);
                long v = Long.parseLong(kv.group(2));
                sum.merge(k, v, k.equals("entries") ? (a, b) -> b : Long::sum);
            }
        }
        host.conntrackStats.add(new HostEvidence.ConntrackStats(f.epochSeconds(), sum, f.name(), firstLine, cpus));
    }

    private static void readProcStat(TextFile f, int headerIndex, HostEvidence host, List<Problem> problems) {
        List<String> l = f.lines();
        String[] names = l.get(headerIndex).trim().split("\\s+");
        Map<String, Long> sum = new LinkedHashMap<>();
        int cpus = 0;
        for (int i = headerIndex + 1; i < l.size(); i++) {
            if (l.get(i).isBlank()) {
                continue;
            }
            String[] v = l.get(i).trim().split("\\s+");
            if (v.length != names.length) {
                problems.add(new Problem(f.name(), f.lineNumber(i), "expected " + names.length
                        + " hex fields as in the header; skipped"));
                continue;
            }
            try {
                for (int k = 0; k < names.length; k++) {
                    long x = Long.parseLong(v[k], 16);
                    sum.merge(names[k], x, k == 0 ? (a, b) -> b : Long::sum);
                }
                cpus++;
            } catch (NumberFormatException e) {
                problems.add(new Problem(f.name(), f.lineNumber(i), "not a row of hex numbers; skipped"));
            }
        }
        host.conntrackStats.add(new HostEvidence.ConntrackStats(f.epochSeconds(), sum, f.name(),
                f.lineNumber(headerIndex), cpus));
    }

    private static void readEntries(TextFile f, HostEvidence host, List<Problem> problems) {
        List<String> l = f.lines();
        for (int i = 0; i < l.size(); i++) {
            String line = l.get(i).trim();
            if (line.isEmpty() || line.startsWith("conntrack v")) {
                continue; // the "N flow entries have been shown" trailer
            }
            Matcher m = ENTRY.matcher(line);
            if (!m.matches()) {
                if (!line.startsWith("udp") && !line.startsWith("icmp") && !line.contains(" udp ")) {
                    problems.add(new Problem(f.name(), f.lineNumber(i), "not a conntrack -L TCP entry; skipped"));
                }
                continue;
            }
            if (host.conntrackListSource == null) {
                host.conntrackListSource = new Sourced<>(f.name(), f.name(), f.lineNumber(i));
            }
            host.conntrackStates.merge(m.group(2), 1L, Long::sum);
            boolean snat = !m.group(3).equals(m.group(8)) || !m.group(5).equals(m.group(10));
            if (snat) {
                host.conntrackSnatEntries++;
            }
        }
    }
}
