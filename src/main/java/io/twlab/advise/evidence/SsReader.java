package io.twlab.advise.evidence;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * iproute2's ss: {@code ss -tan} (a State column first), {@code ss -tan state time-wait} (no State column: every
 * line is a TIME-WAIT socket), with or without the header (-H), and the {@code ss -s} summary
 * ("TCP: N (estab E, closed C, orphaned O, synrecv S, timewait T/0), ports P").
 */
public final class SsReader implements EvidenceReader {
    private static final Pattern SUMMARY = Pattern.compile("^TCP:\\s+\\d+ \\(.*timewait (\\d+)(?:/\\d+)?\\).*$");
    private static final Pattern STATE_LINE = Pattern.compile("^(LISTEN|ESTAB|TIME-WAIT|SYN-SENT|SYN-RECV|FIN-WAIT-1|"
            + "FIN-WAIT-2|CLOSE-WAIT|LAST-ACK|CLOSING|CLOSED|UNCONN)\\s+\\d+\\s+\\d+\\s+(\\S+)\\s+(\\S+).*$");
    private static final Pattern BARE_LINE = Pattern.compile("^\\d+\\s+\\d+\\s+(\\S+:\\d+)\\s+(\\S+:\\d+).*$");

    @Override
    public String format() {
        return "ss";
    }

    @Override
    public boolean recognises(TextFile f) {
        List<String> l = f.contentLines();
        String first = l.get(0).trim();
        return first.startsWith("Total: ") && EvidenceReader.anyMatch(l, SUMMARY.pattern(), 1)
                || first.matches("^(State\\s+)?Recv-Q\\s+Send-Q\\s+Local Address:Port.*")
                || EvidenceReader.anyMatch(l, STATE_LINE.pattern(), 1)
                || f.command().startsWith("ss ") && EvidenceReader.anyMatch(l, BARE_LINE.pattern(), 1);
    }

    @Override
    public void read(TextFile f, HostEvidence host, List<Problem> problems) {
        List<String> l = f.lines();
        boolean timeWaitOnly = f.command().contains("time-wait");
        long listed = 0;
        int firstLine = 0;
        for (int i = 0; i < l.size(); i++) {
            String line = l.get(i).trim();
            int n = f.lineNumber(i);
            if (line.isEmpty()) {
                continue;
            }
            Matcher s = SUMMARY.matcher(line);
            if (s.matches()) {
                host.timeWaitSummary = new Sourced<>(Long.parseLong(s.group(1)), f.name(), n);
                continue;
            }
            if (line.startsWith("Total:") || line.matches("^(RAW|UDP|INET|FRAG|TCP|Transport|\\*)\\b.*")) {
                continue;
            }
            if (line.matches("^(State\\s+)?Recv-Q\\s+Send-Q.*")) {
                timeWaitOnly = !line.startsWith("State") && timeWaitOnly;
                if (!line.startsWith("State") && !timeWaitOnly) {
                    problems.add(new Problem(f.name(), n, "sockets without a State column (ss ... state X) and no "
                            + "collect header naming the state; file skipped (list with ss -tan, or keep the header)"));
                    return;
                }
                continue;
            }
            Matcher st = STATE_LINE.matcher(line);
            Matcher bare = BARE_LINE.matcher(line);
            String state;
            String local;
            String peer;
            if (st.matches()) {
                state = st.group(1);
                local = st.group(2);
                peer = st.group(3);
            } else if (bare.matches() && timeWaitOnly) {
                state = "TIME-WAIT";
                local = bare.group(1);
                peer = bare.group(2);
            } else {
                problems.add(new Problem(f.name(), n, "expected an ss socket line 'State Recv-Q Send-Q Local Peer'; "
                        + "skipped"));
                continue;
            }
            int localPort = port(local);
            if (state.equals("LISTEN") && localPort > 0) {
                host.listening.putIfAbsent(localPort, new Sourced<>(local, f.name(), n));
            } else if (state.equals("TIME-WAIT")) {
                listed++;
                if (firstLine == 0) {
                    firstLine = n;
                }
                if (localPort > 0) {
                    host.timeWaitByLocalPort.merge(localPort, 1L, Long::sum);
                }
                host.timeWaitByPeer.merge(address(peer), 1L, Long::sum);
            }
        }
        if (listed > 0 || timeWaitOnly) {
            long prior = host.timeWaitListed == null ? 0 : host.timeWaitListed.value();
            host.timeWaitListed = new Sourced<>(Math.max(prior, listed), f.name(), firstLine);
        }
    }

    static int port(String addressPort) {
        int c = addressPort.lastIndexOf(':');
        try {
            return c < 0 ? -1 : Integer.parseInt(addressPort.substring(c + 1));
        } catch (NumberFormatException e) {
            return -1; // "*"
        }
    }

    static String address(String addressPort) {
        int c = addressPort.lastIndexOf(':');
        String a = c < 0 ? addressPort : addressPort.substring(0, c);
        a = a.replace("[", "").replace("]", "");
        return a.startsWith("::ffff:") ? a.substring(7) : a;
    }
}
