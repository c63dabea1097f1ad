package io.twlab.advise.evidence;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code netstat -s} (net-tools): per group a heading ("Tcp:", "TcpExt:") and prose lines with the number first.
 * The wording changed between net-tools generations (1.60 on RHEL 6/7: "active connections openings",
 * "segments send out", "segments retransmited", "SYNs to LISTEN sockets ignored"; 2.10 on current distributions:
 * "active connection openings", "segments sent out", "segments retransmitted", "... dropped"). Counters net-tools
 * has no sentence for are printed as "Name: value" and read under the group's name.
 */
public final class NetstatSummaryReader implements EvidenceReader {
    private record Phrase(String group, Pattern pattern, String counter) {
    }

    private static final List<Phrase> PHRASES = List.of(
            p("Tcp", "active connections? openings", "ActiveOpens"),
            p("Tcp", "passive connections? openings", "PassiveOpens"),
            p("Tcp", "failed connection attempts", "AttemptFails"),
            p("Tcp", "connection resets received", "EstabResets"),
            p("Tcp", "connections established", "CurrEstab"),
            p("Tcp", "segments received", "InSegs"),
            p("Tcp", "segments sen[dt] out", "OutSegs"),
            p("Tcp", "segments retransmit+ed", "RetransSegs"),
            p("Tcp", "bad segments received\\.?", "InErrs"),
            p("Tcp", "resets sent", "OutRsts"),
            p("TcpExt", "SYN cookies sent", "SyncookiesSent"),
            p("TcpExt", "SYN cookies received", "SyncookiesRecv"),
            p("TcpExt", "invalid SYN cookies received", "SyncookiesFailed"),
            p("TcpExt", "resets received for embryonic SYN_RECV sockets", "EmbryonicRsts"),
            p("TcpExt", "TCP sockets finished time wait in fast timer", "TW"),
            p("TcpExt", "time wait sockets recycled by time stamp", "TWRecycled"),
            p("TcpExt", "TCP sockets finished time wait in slow timer", "TWKilled"),
            p("TcpExt", "passive connections rejected because of time stamp", "PAWSPassive"),
            p("TcpExt", "active connections rejected because of time stamp", "PAWSActive"),
            p("TcpExt", "packets rejects? in established connections because of timestamp", "PAWSEstab"),
            p("TcpExt", "packets rejected in TIME_WAIT because of timestamp", "PAWSTimewait"),
            p("TcpExt", "delayed acks sent", "DelayedACKs"),
            p("TcpExt", "times the listen queue of a socket overflowed", "ListenOverflows"),
            p("TcpExt", "SYNs to LISTEN sockets (dropped|ignored)", "ListenDrops"),
            p("TcpExt", "other TCP timeouts", "TCPTimeouts"),
            p("TcpExt", "connections aborted due to timeout", "TCPAbortOnTimeout"),
            p("TcpExt", "connections reset due to early user close", "TCPAbortOnClose"));

    private static Phrase p(String group, String text, String counter) {
        return new Phrase(group, Pattern.compile("^(\\d+) " + text + "$"), counter);
    }

    private static final Pattern HEADING = Pattern.compile("^(Ip|Ip6|Icmp|Icmp6|IcmpMsg|Tcp|Udp|Udp6|UdpLite|UdpLite6|"
            + "TcpExt|IpExt|MPTcpExt|TcpExt6|Sctp):$");
    private static final Pattern NAMED = Pattern.compile("^([A-Za-z][A-Za-z0-9_]*): (\\d+)$");
    private static final Pattern NUMBER_NAME = Pattern.compile("^(\\d+) ([A-Z][A-Za-z0-9_]*)$");

    @Override
    public String format() {
        return "netstat-s";
    }

    @Override
    public boolean recognises(TextFile f) {
        List<String> l = f.contentLines();
        return EvidenceReader.anyMatch(l, "^(Tcp|TcpExt|Ip|IcmpMsg|Icmp|Udp):\\s*$", 2)
                && EvidenceReader.anyMatch(l, "^\\s+\\d+ [a-zA-Z]", 3);
    }

    @Override
    public void read(TextFile f, HostEvidence host, List<Problem> problems) {
        Map<String, Long> values = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        String group = null;
        List<String> l = f.lines();
        for (int i = 0; i < l.size(); i++) {
            String raw = l.get(i);
            if (raw.isBlank()) {
                continue;
            }
            // Pasted outputs lose or change the indentation, so a heading is recognised by its text alone.
            Matcher h = HEADING.matcher(raw.trim());
            if (h.matches()) {
                group = h.group(1);
                continue;
            }
            if (group == null) {
                problems.add(new Problem(f.name(), f.lineNumber(i), "a counter line before any group heading "
                        + "such as 'Tcp:'; skipped"));
                continue;
            }
            String line = raw.trim();
            String counter = null;
            long value = 0;
            for (Phrase p : PHRASES) {
                Matcher m = p.pattern.matcher(line);
                if (p.group.equals(group) && m.matches()) {
                    counter = group + p.counter;
                    value = Long.parseLong(m.group(1));
                    break;
                }
            }
            if (counter == null) {
                Matcher m = NAMED.matcher(line);
                Matcher n = NUMBER_NAME.matcher(line);
                if (m.matches()) {
                    counter = group + m.group(1);
                    value = Long.parseLong(m.group(2));
                } else if (n.matches()) {
                    counter = group + n.group(2);
                    value = Long.parseLong(n.group(1));
                }
            }
            if (counter != null) {
                values.put(counter, value);
                lines.put(counter, f.lineNumber(i));
            }
            // Other prose lines ("Forwarding: 1" aside) name counters twlab does not use; they are not errors.
        }
        host.counters.add(new CounterSnapshot(format(), f.epochSeconds(), f.name(), values, lines));
    }
}
