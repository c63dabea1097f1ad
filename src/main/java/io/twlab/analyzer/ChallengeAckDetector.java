package io.twlab.analyzer;

import io.twlab.report.Finding.Severity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A SYN on a 4-tuple whose previous connection never closed, answered by a bare ACK that does not acknowledge it
 * (usually followed by the client's RST with that ACK's number): the server still holds the old connection
 * established and answers with a challenge ACK (RFC 5961 section 4, tcp_validate_incoming -> tcp_send_challenge_ack;
 * a SYN whose TSval is older meets PAWS there first and gets the same duplicate ACK). Something in the path forgot the
 * connection and gave its port to a new one: a NAT or conntrack timeout shorter than the connection's idle time, or a
 * load balancer re-using ports. Told apart from the TIME_WAIT PAWS reject by the previous connection: here it never
 * closed.
 */
final class ChallengeAckDetector implements ConnectionDetector {
    private long count;
    private long withRst;
    private long previousSeenOnlyMidStream;
    private final Map<String, Long> byServer = new TreeMap<>();
    private final Evidence evidence = new Evidence();

    @Override
    public void onGenerationEnd(Flow f, boolean atCaptureEnd) {
        if (f.staleAckPacket == 0 || !f.hasPrevious || f.previousClosed) {
            return;
        }
        count++;
        if (f.staleRstPacket != 0) {
            withRst++;
        }
        if (f.previousFirstSynTimeNs < 0) {
            previousSeenOnlyMidStream++;
        }
        byServer.merge(Evidence.server(f), 1L, Long::sum);
        if (!evidence.wants()) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("synSeq", Integer.toUnsignedLong(f.isn));
        fields.put("ackNumber", Integer.toUnsignedLong(f.staleAckNumber));
        fields.put("previousConnection", "open (no FIN or RST seen)");
        evidence.add(Evidence.synAnsweredByStaleAck(f), f.firstSynTimeNs, f, fields);
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        if (count == 0) {
            return;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("servers", byServer);
        facts.put("answeredByClientRst", withRst);
        facts.put("previousOpenBeforeCapture", previousSeenOnlyMidStream);
        out.add(new AnalysisFinding("challenge-ack", Severity.WARNING, count, String.format(Locale.ROOT,
                "%,d SYNs reopened a 4-tuple whose previous connection had not closed (no FIN or RST seen) and were "
                        + "answered with an ACK for that old connection instead of a SYN-ACK (%,d then reset by the "
                        + "client, which re-sent its SYN): the server still held the connection established and sent a "
                        + "challenge ACK (RFC 5961, tcp_validate_incoming). A NAT, conntrack or load balancer on the path "
                        + "forgot the idle connection and handed its port to a new one. Not a TIME_WAIT PAWS reject: "
                        + "that needs a closed previous connection. Servers: %s.", count, withRst, byServer),
                evidence.list(), facts));
    }
}
