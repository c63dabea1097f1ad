package io.twlab.advise.evidence;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ipvsadm's listings (ipvsadm.c, print_service_entry / list_conn / print_timeout): {@code -Ln} (services with
 * scheduler and flags, real servers with forwarding method, weight, ActiveConn, InActConn), {@code -Ln --stats}
 * (Conns first), {@code -Ln --rate} (CPS first), {@code -L --timeout} and {@code -Lnc} (the connection entries).
 * Counts may carry ipvsadm's K/M/G suffixes when --exact was not given.
 */
public final class IpvsadmReader implements EvidenceReader {
    private static final Pattern SERVICE = Pattern.compile("^(TCP|UDP|SCTP|FWM)\\s+(\\S+):(\\d+)\\s+(\\S+)(.*)$");
    private static final Pattern REAL = Pattern.compile("^->\\s+(\\S+):(\\d+)\\s+(\\S+)(.*)$");
    private static final Pattern TIMEOUT = Pattern.compile("^Timeout \\(tcp tcpfin udp\\): (\\d+) (\\d+) (\\d+)$");
    private static final Pattern ENTRY = Pattern.compile("^(TCP|UDP)\\s+(\\d+:\\d+)\\s+(\\S+)\\s+\\S+\\s+\\S+\\s+\\S+.*$");

    @Override
    public String format() {
        return "ipvsadm";
    }

    @Override
    public boolean recognises(TextFile f) {
        List<String> l = f.contentLines();
        return (l.get(0).startsWith("IP Virtual Server version")
                || l.get(0).startsWith("IPVS connection entries")
                || TIMEOUT.matcher(l.get(0).trim()).matches()
                || l.get(0).startsWith("Prot LocalAddress:Port"));
    }

    private enum Kind { LIST, STATS, RATE }

    @Override
    public void read(TextFile f, HostEvidence host, List<Problem> problems) {
        Kind kind = Kind.LIST;
        boolean entries = false;
        IpvsService current = null;
        List<String> l = f.lines();
        for (int i = 0; i < l.size(); i++) {
            String line = l.get(i).trim();
            int n = f.lineNumber(i);
            if (line.isEmpty() || line.startsWith("IP Virtual Server version") || line.startsWith("-> RemoteAddress")) {
                continue;
            }
            Matcher t = TIMEOUT.matcher(line);
            if (t.matches()) {
                host.ipvsTimeouts = new Sourced<>(new long[]{Long.parseLong(t.group(1)), Long.parseLong(t.group(2)),
                        Long.parseLong(t.group(3))}, f.name(), n);
                continue;
            }
            if (line.startsWith("IPVS connection entries") || line.startsWith("pro expire state")) {
                entries = true;
                continue;
            }
            if (line.startsWith("Prot LocalAddress:Port")) {
                kind = line.contains(" Conns ") ? Kind.STATS : line.contains(" CPS ") ? Kind.RATE : Kind.LIST;
                continue;
            }
            if (entries) {
                Matcher e = ENTRY.matcher(line);
                if (e.matches()) {
                    host.ipvsEntryStates.merge(e.group(3), 1L, Long::sum);
                    if (host.ipvsEntriesSource == null) {
                        host.ipvsEntriesSource = new Sourced<>(f.name(), f.name(), n);
                    }
                } else {
                    problems.add(new Problem(f.name(), n, "expected 'pro expire state source virtual destination'; "
                            + "skipped"));
                }
                continue;
            }
            Matcher s = SERVICE.matcher(line);
            Matcher r = REAL.matcher(line);
            if (s.matches()) {
                String key = s.group(1) + " " + s.group(2) + ":" + s.group(3);
                current = host.ipvsServices.get(key);
                String[] rest = (s.group(4) + s.group(5)).trim().split("\\s+");
                if (kind == Kind.LIST) {
                    String flags = String.join(" ", java.util.Arrays.asList(rest).subList(1, rest.length));
                    IpvsService svc = new IpvsService(s.group(1), s.group(2), Integer.parseInt(s.group(3)), rest[0],
                            flags, f.name(), n);
                    if (current != null) {
                        svc.conns = current.conns;
                        svc.cps = current.cps;
                    }
                    host.ipvsServices.put(key, svc);
                    current = svc;
                } else {
                    if (current == null) {
                        current = new IpvsService(s.group(1), s.group(2), Integer.parseInt(s.group(3)), "", "",
                                f.name(), n);
                        host.ipvsServices.put(key, current);
                    }
                    Double v = number(rest[0]);
                    if (v == null) {
                        problems.add(new Problem(f.name(), n, "'" + rest[0] + "' is not a count; skipped"));
                    } else if (kind == Kind.STATS) {
                        current.conns = v.longValue();
                    } else {
                        current.cps = v;
                    }
                }
            } else if (r.matches()) {
                if (current == null) {
                    problems.add(new Problem(f.name(), n, "a real server before any virtual service; skipped"));
                    continue;
                }
                if (kind != Kind.LIST) {
                    continue;
                }
                String[] rest = r.group(4).trim().split("\\s+");
                if (rest.length < 3) {
                    problems.add(new Problem(f.name(), n, "expected 'Forward Weight ActiveConn InActConn'; skipped"));
                    continue;
                }
                try {
                    current.realServers.add(new IpvsService.RealServer(r.group(1), Integer.parseInt(r.group(2)),
                            r.group(3), Integer.parseInt(rest[0]), number(rest[1]).longValue(),
                            number(rest[2]).longValue(), f.name(), n));
                } catch (RuntimeException e) {
                    problems.add(new Problem(f.name(), n, "weight and connection counts must be numbers; skipped"));
                }
            } else {
                problems.add(new Problem(f.name(), n, "not an ipvsadm service or real-server line; skipped"));
            }
        }
    }

    /** A count as ipvsadm prints it: 1234, or 1234K / 12M / 3G without --exact. */
    static Double number(String s) {
        if (s.matches("\\d+(\\.\\d+)?")) {
            return Double.parseDouble(s);
        }
        if (s.matches("\\d+(\\.\\d+)?[KMG]")) {
            double m = switch (s.charAt(s.length() - 1)) {
                case 'K' -> 1e3;
                case 'M' -> 1e6;
                default -> 1e9;
            };
            return Double.parseDouble(s.substring(0, s.length() - 1)) * m;
        }
        return null;
    }
}
