package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;
import io.twlab.bench.MicroBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.List;

/**
 * The analyzer after decoding: the 4-tuple tracker alone ({@code none}) and with every detector `twlab analyze`
 * runs ({@code all}), per segment, on seed 000's traffic as a capture on the server shows it. One SNAT address opens
 * 700 connections a second to 30.1.1.1:443 with source ports handed out round-robin over 2048-65535, so a tuple
 * comes back every 90.7 s; each connection is the nine segments of a short HTTP/1.0 exchange that the server
 * closes (SYN, SYN-ACK, ACK, request, response, server FIN, ACK, client FIN, ACK). The segments are written here
 * field by field, not decoded, so the figure excludes the decoder ({@code SegmentDecoderBench}).
 */
public class TrackerBench extends MicroBenchmark {
    private static final int CLIENT = 0x14010101;      // 20.1.1.1, the SNAT address
    private static final int SERVER = 0x1e010101;      // 30.1.1.1
    private static final int PORTS = 65536 - 2048;
    private static final long GAP_NS = 1_000_000_000L / 700;

    @Param({"all", "none"})
    String detectors;

    private Tracker tracker;
    private final Segment s = new Segment();
    private long connection;

    @Setup
    public void setUp() {
        List<Detector> list = detectors.equals("all")
                ? List.of(new PawsRejectDetector(), new SilentSynDropDetector(), new SharedAddressDetector(),
                        new SynStallDetector(), new PortReuseDetector(), new RstDetector(), new ChallengeAckDetector(),
                        new IpvsConnReuseDetector(), new NatInsertClashDetector(), new SynproxyZeroWindowDetector(),
                        new TimelineDetector())
                : List.of();
        tracker = new Tracker(list);
    }

    @Benchmark
    @OperationsPerInvocation(9)
    public long connection() {
        long k = connection++;
        int port = 2048 + (int) (k % PORTS);
        long t = 1_700_000_000_000_000_000L + k * GAP_NS;
        int isn = (int) (k * 0x9E3779B9L);
        int serverIsn = (int) (k * 0x85EBCA6BL);
        int ts = (int) (k * 2);  // a 1 kHz TSval clock at 700 conn/s, about
        segment(t, true, port, Segment.SYN, isn, 0, 0, ts);
        segment(t + 2_000_000, false, port, Segment.SYN | Segment.ACK, serverIsn, isn + 1, 0, ts);
        segment(t + 4_000_000, true, port, Segment.ACK, isn + 1, serverIsn + 1, 0, ts + 4);
        segment(t + 4_010_000, true, port, Segment.ACK | Segment.PSH, isn + 1, serverIsn + 1, 300, ts + 4);
        segment(t + 4_200_000, false, port, Segment.ACK | Segment.PSH, serverIsn + 1, isn + 301, 500, ts + 4);
        segment(t + 4_210_000, false, port, Segment.ACK | Segment.FIN, serverIsn + 501, isn + 301, 0, ts + 4);
        segment(t + 6_200_000, true, port, Segment.ACK, isn + 301, serverIsn + 502, 0, ts + 6);
        segment(t + 6_210_000, true, port, Segment.ACK | Segment.FIN, isn + 301, serverIsn + 502, 0, ts + 6);
        segment(t + 8_220_000, false, port, Segment.ACK, serverIsn + 502, isn + 302, 0, ts + 8);
        return tracker.generations();
    }

    private void segment(long timeNs, boolean fromClient, int port, int flags, int seq, int ack, int payload,
            int tsVal) {
        s.number++;
        s.timeNs = timeNs;
        s.fileOffset += 100;
        s.ipVersion = 4;
        s.srcHi = 0;
        s.dstHi = 0;
        s.srcLo = fromClient ? CLIENT : SERVER;
        s.dstLo = fromClient ? SERVER : CLIENT;
        s.srcPort = fromClient ? port : 443;
        s.dstPort = fromClient ? 443 : port;
        s.flags = flags;
        s.seq = seq;
        s.ack = ack;
        s.window = 29200;
        s.payloadLength = payload;
        s.hasTimestamp = true;
        s.tsVal = tsVal;
        s.tsEcr = tsVal;
        tracker.onSegment(s);
    }
}
