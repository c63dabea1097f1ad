package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;

import java.util.ArrayList;
import java.util.List;

/**
 * Follows connections by 4-tuple. A SYN (without ACK) from the client with a new ISN starts a new generation of
 * its tuple; the same ISN again, before the generation is established, is a retransmission. Each segment is passed
 * to the detectors with bits saying what it did.
 */
final class Tracker {
    static final int NEW_GENERATION = 1;
    static final int SYN_RETRANSMISSION = 1 << 1;
    /** A bare ACK from the server answering an unanswered SYN with another ack number: the old connection's. */
    static final int STALE_ACK = 1 << 2;
    /** The client's RST whose sequence number is that stale ACK's ack number. */
    static final int RST_TO_STALE_ACK = 1 << 3;

    private final FlowTable flows = new FlowTable();
    private final Detector[] detectors;
    /** The detectors whose onSegment does something. */
    private final Detector[] segmentDetectors;
    private long generations;

    Tracker(List<Detector> detectors) {
        this.detectors = detectors.toArray(new Detector[0]);
        this.segmentDetectors = detectors.stream().filter(Detector::seesSegments).toArray(Detector[]::new);
    }

    long generations() {
        return generations;
    }

    int flows() {
        return flows.size();
    }

    void onSegment(Segment s) {
        int hash = FlowTable.hash(s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort);
        Flow f = flows.find(hash, s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort);
        boolean syn = s.has(Segment.SYN) && !s.has(Segment.ACK);
        if (f == null) {
            // The first SYN names the client, a SYN-ACK the server; a tuple first seen mid-stream takes the lower
            // port as the server's.
            boolean srcIsClient = syn || (!s.has(Segment.SYN) && s.srcPort > s.dstPort);
            f = srcIsClient ? new Flow(s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort)
                    : new Flow(s.dstHi, s.dstLo, s.dstPort, s.srcHi, s.srcLo, s.srcPort);
            flows.add(hash, f);
        }
        boolean fromClient = f.clientPort == s.srcPort && f.clientLo == s.srcLo && f.clientHi == s.srcHi;
        if (f.firstSynTimeNs < 0 && !s.has(Segment.SYN)) {
            f.openBeforeFirstSyn = true; // (a SYN-ACK ahead of its SYN is reordering, not an open connection)
        }
        int events = 0;
        if (syn && fromClient) {
            if (f.firstSynTimeNs >= 0 && s.seq == f.isn && duplicate(f, s)) {
                // The same SYN captured twice (a mirror port, a bond): not a retransmission, which is re-stamped.
                events = 0;
            } else if (f.firstSynTimeNs >= 0 && s.seq == f.isn) {
                // The same ISN is the same connection, even when reordered records put the copy after the handshake.
                events |= SYN_RETRANSMISSION;
                if (f.synTries <= f.synGaps.length) {
                    f.synGaps[f.synTries - 1] = s.timeNs - f.lastSynTimeNs;
                }
                f.synTries++;
                f.lastSynTimeNs = s.timeNs;
                f.lastSynTsVal = s.tsVal;
            } else {
                if (f.firstSynTimeNs >= 0) {
                    for (Detector d : detectors) {
                        d.onGenerationEnd(f, false);
                    }
                }
                f.startGeneration(s.timeNs, s.number, s.seq);
                f.synHasTs = s.hasTimestamp;
                f.synTsVal = s.tsVal;
                f.lastSynTsVal = s.tsVal;
                generations++;
                events |= NEW_GENERATION;
            }
        } else if (fromClient && f.firstSynTimeNs >= 0) {
            if (s.has(Segment.RST) && f.staleAckPacket != 0 && f.staleRstPacket == 0 && s.seq == f.staleAckNumber) {
                f.staleRstPacket = s.number;
                events |= RST_TO_STALE_ACK;
            }
        } else if (!fromClient && f.firstSynTimeNs >= 0) {
            if (s.has(Segment.SYN) && s.has(Segment.ACK)) {
                if (s.ack == f.isn + 1) {
                    f.synAcked = true;
                }
                f.serverAnswered = true;
            } else if (!f.synAcked && !f.serverAnswered && s.has(Segment.ACK) && !s.has(Segment.RST)
                    && !s.has(Segment.FIN) && s.payloadLength == 0 && s.ack != f.isn + 1 && f.staleAckPacket == 0
                    && !f.clientBeyondSyn) {
                f.staleAckPacket = s.number;
                f.staleAckNumber = s.ack;
                events |= STALE_ACK;
            } else if (s.has(Segment.RST)) {
                f.serverAnswered = true;
            }
        }
        if (!fromClient && s.has(Segment.SYN) && s.has(Segment.ACK) && f.firstSynTimeNs >= 0 && s.ack == f.isn + 1) {
            f.synAckWindow = s.window;
        }
        if (fromClient && f.established && f.clientFirstDataNs < 0 && s.payloadLength == 0 && s.seq == f.isn
                && !s.has(Segment.SYN) && !s.has(Segment.RST) && !s.has(Segment.FIN)) {
            f.zeroWindowProbes++; // seq = snd_una - 1: tcp_xmit_probe_skb's window probe
        }
        if (fromClient && !s.has(Segment.SYN) && f.firstSynTimeNs >= 0) {
            f.clientBeyondSyn = true;
        }
        if (fromClient) {
            if (s.has(Segment.ACK) && f.synAcked && !f.established && !s.has(Segment.SYN)) {
                f.established = true;
                f.establishedNs = s.timeNs;
            }
            if (s.hasTimestamp) {
                f.lastClientTsVal = s.tsVal;
                f.clientHasTs = true;
            }
        }
        if (s.payloadLength > 0 && f.firstSynTimeNs >= 0) {
            if (fromClient && f.clientFirstDataNs < 0) {
                f.clientFirstDataNs = s.timeNs;
            } else if (!fromClient && f.serverFirstDataNs < 0) {
                f.serverFirstDataNs = s.timeNs;
            }
        }
        if (s.has(Segment.FIN)) {
            if (fromClient && !f.serverFin && !f.clientFin) {
                f.clientClosedFirst = true;
            }
            if (fromClient) {
                f.clientFin = true;
            } else {
                f.serverFin = true;
            }
            if (f.closed() && f.closeTimeNs < 0) {
                f.closeTimeNs = s.timeNs;
            }
        }
        if (s.has(Segment.RST) && (events & RST_TO_STALE_ACK) == 0 && (f.established || f.synAcked)) {
            f.reset = true;
            if (f.closeTimeNs < 0) {
                f.closeTimeNs = s.timeNs;
            }
        }
        if (f.closed() && f.closeTimeNs < 0) {
            f.closeTimeNs = s.timeNs;
        }
        for (Detector d : segmentDetectors) {
            d.onSegment(s, f, fromClient, events);
        }
    }

    /** A copy of the generation's last SYN: the same TSval, or without timestamps within a millisecond. */
    private static boolean duplicate(Flow f, Segment s) {
        return s.hasTimestamp && f.synHasTs ? s.tsVal == f.lastSynTsVal : s.timeNs - f.lastSynTimeNs < 1_000_000L;
    }

    /** Ends every open generation, in the order their SYNs were seen (stable output whatever the hash order). */
    void finish() {
        List<Flow> all = new ArrayList<>(flows.size());
        flows.forEach(all::add);
        all.sort((a, b) -> Long.compare(a.firstSynPacket, b.firstSynPacket));
        for (Flow f : all) {
            if (f.firstSynTimeNs >= 0) {
                for (Detector d : detectors) {
                    d.onGenerationEnd(f, true);
                }
            }
        }
    }
}
