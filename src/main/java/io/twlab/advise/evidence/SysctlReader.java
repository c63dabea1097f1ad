package io.twlab.advise.evidence;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sysctl -a} ("net.ipv4.tcp_timestamps = 1"), and /proc/sys files listed as "path:value" (what
 * {@code grep -H . /proc/sys/net/netfilter/nf_conntrack_*} prints), both into dotted sysctl names.
 */
public final class SysctlReader implements EvidenceReader {
    private static final Pattern ASSIGN = Pattern.compile("^([a-zA-Z0-9_][a-zA-Z0-9_.\\-/]*) = ?(.*)$");
    private static final Pattern PROC = Pattern.compile("^/proc/sys/([a-z0-9_./\\-]+):(.*)$");

    @Override
    public String format() {
        return "sysctl";
    }

    @Override
    public boolean recognises(TextFile f) {
        List<String> l = f.contentLines();
        long matching = l.stream().filter(s -> ASSIGN.matcher(s).matches() || PROC.matcher(s).matches()).count();
        return !l.isEmpty() && matching * 2 >= l.size();
    }

    @Override
    public void read(TextFile f, HostEvidence host, List<Problem> problems) {
        List<String> l = f.lines();
        for (int i = 0; i < l.size(); i++) {
            String line = l.get(i);
            if (line.isBlank()) {
                continue;
            }
            Matcher a = ASSIGN.matcher(line);
            Matcher p = PROC.matcher(line);
            if (a.matches()) {
                host.sysctls.put(a.group(1).replace('/', '.'), new Sourced<>(a.group(2).trim(), f.name(),
                        f.lineNumber(i)));
            } else if (p.matches()) {
                host.sysctls.put(p.group(1).replace('/', '.'), new Sourced<>(p.group(2).trim(), f.name(),
                        f.lineNumber(i)));
            } else if (line.startsWith("sysctl: ")) {
                continue; // "sysctl: permission denied on key ..." from a non-root run: not a value
            } else {
                problems.add(new Problem(f.name(), f.lineNumber(i), "expected 'name = value'; skipped"));
            }
        }
    }
}
