package io.twlab.analyzer;

import io.twlab.analyzer.capture.CaptureFormatException;
import io.twlab.analyzer.capture.CaptureReader;
import io.twlab.analyzer.capture.CaptureWarning;
import io.twlab.analyzer.capture.Segment;
import io.twlab.analyzer.capture.SegmentDecoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a capture once, front to back, and runs every detector over its TCP segments. The result: counts of what
 * was read, warnings about what could not be, the findings (most severe first) and, per source address with TCP
 * timestamps, how many hosts share it.
 */
public final class Analysis {
    private static final int MAX_DECODE_WARNINGS = 200;
    /** What a capture without findings was checked for. */
    static final String NOTHING_FOUND = "no PAWS rejects, silent SYN drops, shared source addresses, SYN stalls, "
            + "port-reuse pressure, RST storms, challenge ACKs, IPVS reuse drops, NAT insert clashes, client port "
            + "exhaustion or SYNPROXY zero windows.";

    final Path file;
    String format;
    long packets;
    long tcpSegments;
    long notTcp;
    long fragments;
    long undecodable;
    long firstTimeNs = Long.MAX_VALUE;
    long lastTimeNs = Long.MIN_VALUE;
    long generations;
    int flows;
    final List<CaptureWarning> warnings = new ArrayList<>();
    long warningsDropped;
    final List<AnalysisFinding> findings = new ArrayList<>();
    final SharedAddressDetector sharedAddresses = new SharedAddressDetector();
    final TimelineDetector timeline = new TimelineDetector();

    private Analysis(Path file) {
        this.file = file;
    }

    /** Analyzes {@code file}; throws only when it is not a capture or cannot be opened. */
    public static Analysis run(Path file) throws IOException, CaptureFormatException {
        return run(file, null);
    }

    /** As {@link #run(Path)}, telling {@code progress} the byte offset reached every 65,536 packets. */
    public static Analysis run(Path file, java.util.function.LongConsumer progress)
            throws IOException, CaptureFormatException {
        Analysis a = new Analysis(file);
        List<Detector> detectors = List.of(new PawsRejectDetector(), new SilentSynDropDetector(), a.sharedAddresses,
                new SynStallDetector(), new PortReuseDetector(), new RstDetector(), new ChallengeAckDetector(),
                new IpvsConnReuseDetector(), new NatInsertClashDetector(), new SynproxyZeroWindowDetector(), a.timeline);
        Tracker tracker = new Tracker(detectors);
        try (CaptureReader reader = CaptureReader.open(file)) {
            new DecodeAhead(a, reader, progress).forEach(tracker::onSegment);
            a.packets = Math.max(a.packets, reader.packets());
            a.format = reader.format();
            a.warnings.addAll(0, reader.warnings());
            a.warningsDropped += reader.warningsDropped();
        }
        tracker.finish();
        a.generations = tracker.generations();
        a.flows = tracker.flows();
        for (Detector d : detectors) {
            d.finish(a, a.findings);
        }
        a.findings.sort(Comparator.comparing(AnalysisFinding::severity));
        return a;
    }

    /** Reads and decodes every packet, nothing more (the header-analysis speed); returns the TCP segments found. */
    public static long scanHeaders(Path file) throws IOException, CaptureFormatException {
        SegmentDecoder decoder = new SegmentDecoder();
        Segment seg = new Segment();
        long[] tcp = new long[1];
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.read((number, timeNs, linkType, iface, data, offset, captured, original, fileOffset) -> {
                if (decoder.decode(linkType, data, offset, captured, seg)) {
                    tcp[0]++;
                }
            });
        }
        return tcp[0];
    }

    void decodeWarning(long number, long offset, String message) {
        if (warnings.size() < MAX_DECODE_WARNINGS) {
            warnings.add(new CaptureWarning(number, offset, message));
        } else {
            warningsDropped++;
        }
    }

    /** Per second since the first packet: SYNs answered by a stale ACK (PAWS rejects seen on the wire). */
    public long[] staleAckAnswersPerSecond() {
        return timeline.counts(2);
    }

    public List<AnalysisFinding> findings() {
        return findings;
    }

    public List<CaptureWarning> warnings() {
        return warnings;
    }

    public long packets() {
        return packets;
    }

    /** Seconds since the epoch of a capture time, for evidence. */
    static double seconds(long timeNs) {
        return Math.round(timeNs / 1e3) / 1e6;
    }

    /** Seconds since the first packet. */
    double sinceStart(long timeNs) {
        return (timeNs - firstTimeNs) / 1e9;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file.toString());
        m.put("format", format);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("total", packets);
        p.put("tcp", tcpSegments);
        p.put("notTcp", notTcp);
        p.put("laterFragments", fragments);
        p.put("undecodable", undecodable);
        if (packets > 0 && firstTimeNs <= lastTimeNs) {
            p.put("firstTime", seconds(firstTimeNs));
            p.put("lastTime", seconds(lastTimeNs));
            p.put("durationSeconds", (lastTimeNs - firstTimeNs) / 1e9);
        }
        m.put("packets", p);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("tuples", flows);
        c.put("generations", generations);
        m.put("connections", c);
        List<Object> w = new ArrayList<>();
        for (CaptureWarning cw : warnings) {
            Map<String, Object> wm = new LinkedHashMap<>();
            wm.put("packet", cw.packet());
            wm.put("byteOffset", cw.byteOffset());
            wm.put("message", cw.message());
            w.add(wm);
        }
        m.put("warnings", w);
        if (warningsDropped > 0) {
            m.put("warningsNotListed", warningsDropped);
        }
        m.put("findings", findings.stream().map(AnalysisFinding::toMap).toList());
        m.put("sources", sharedAddresses.sources());
        return m;
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s: %s, %,d packets (%,d TCP) over %.1f s, %,d connections on %,d "
                        + "4-tuples%n", file, format, packets, tcpSegments,
                packets > 0 ? (lastTimeNs - firstTimeNs) / 1e9 : 0.0, generations, flows));
        for (CaptureWarning cw : warnings.subList(0, Math.min(10, warnings.size()))) {
            sb.append("warning: ").append(cw).append('\n');
        }
        if (warnings.size() + warningsDropped > 10) {
            sb.append(String.format(Locale.ROOT, "warning: ... %,d more (see --json)%n",
                    warnings.size() + warningsDropped - 10));
        }
        if (findings.isEmpty()) {
            sb.append("No findings: ").append(NOTHING_FOUND).append('\n');
        }
        for (AnalysisFinding f : findings) {
            sb.append(io.twlab.report.RunSummary.wrap("[" + f.severity().key() + "] " + f.kind() + ":", f.text(), 110,
                    "    "));
            for (AnalysisFinding.Evidence e : f.evidence().subList(0, Math.min(3, f.evidence().size()))) {
                sb.append(String.format(Locale.ROOT, "    e.g. packets %s at %.6f s: %s %s%n", e.packets(),
                        sinceStart((long) (e.time() * 1e9)), e.tuple(), e.fields()));
            }
        }
        return sb.toString();
    }
}
