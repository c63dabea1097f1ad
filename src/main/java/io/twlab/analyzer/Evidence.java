package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Keeps the first few examples of a pattern as evidence. */
final class Evidence {
    static final int KEEP = 10;

    private final List<AnalysisFinding.Evidence> kept = new ArrayList<>();

    /** Whether another example would be kept (so callers build its fields only then). */
    boolean wants() {
        return kept.size() < KEEP;
    }

    void add(List<Long> packets, long timeNs, Flow f, Map<String, Object> fields) {
        if (kept.size() < KEEP) {
            kept.add(new AnalysisFinding.Evidence(packets, Analysis.seconds(timeNs), tuple(f), fields));
        }
    }

    List<AnalysisFinding.Evidence> list() {
        return List.copyOf(kept);
    }

    /** The packets of a SYN answered by an ACK of another connection: the SYN, that ACK, the client's RST if any. */
    static List<Long> synAnsweredByStaleAck(Flow f) {
        return f.staleRstPacket != 0 ? List.of(f.firstSynPacket, f.staleAckPacket, f.staleRstPacket)
                : List.of(f.firstSynPacket, f.staleAckPacket);
    }

    static String tuple(Flow f) {
        return endpoint(f.clientHi, f.clientLo, f.clientPort) + " > " + endpoint(f.serverHi, f.serverLo, f.serverPort);
    }

    static String endpoint(long hi, long lo, int port) {
        String a = Segment.address(hi, lo);
        return (a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ":" + port;
    }

    static String server(Flow f) {
        return endpoint(f.serverHi, f.serverLo, f.serverPort);
    }
}
