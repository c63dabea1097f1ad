package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;
import io.twlab.report.Finding.Severity;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts the hosts behind one source address from their TCP timestamps: each connection's first TSval is a sample,
 * and {@link ClockLines} fits one clock line per host, each at its own rate, apart from the connections that carry
 * per-connection offsets (Linux 4.10+).
 */
final class SharedAddressDetector implements Detector {
    private static final int MAX_SAMPLES = 50_000;
    private static final int MAX_HOST_LINES_LISTED = 64;

    private final Object2ObjectOpenHashMap<AddressPair, Samples> bySource = new Object2ObjectOpenHashMap<>();
    private final AddressPair probe = new AddressPair();
    private final List<Map<String, Object>> sources = new ArrayList<>();

    /** Connection timestamps of one source address, thinned by doubling a stride when full (deterministic). */
    static final class Samples {
        final String address;
        long[] timeNs = new long[256];
        int[] tsVal = new int[256];
        int[] tuple = new int[256];
        int[] isn = new int[256];
        int size;
        int stride = 1;
        long seen;

        Samples(String address) {
            this.address = address;
        }

        void add(long t, int ts, int tupleKey, int seq) {
            if (seen++ % stride != 0) {
                return;
            }
            if (size == timeNs.length) {
                if (size >= MAX_SAMPLES) {
                    for (int i = 0; i < size / 2; i++) {
                        timeNs[i] = timeNs[2 * i];
                        tsVal[i] = tsVal[2 * i];
                        tuple[i] = tuple[2 * i];
                        isn[i] = isn[2 * i];
                    }
                    size /= 2;
                    stride *= 2;
                } else {
                    timeNs = Arrays.copyOf(timeNs, size * 2);
                    tsVal = Arrays.copyOf(tsVal, size * 2);
                    tuple = Arrays.copyOf(tuple, size * 2);
                    isn = Arrays.copyOf(isn, size * 2);
                }
            }
            timeNs[size] = t;
            tsVal[size] = ts;
            tuple[size] = tupleKey;
            isn[size] = seq;
            size++;
        }
    }

    @Override
    public void onSegment(Segment s, Flow f, boolean fromClient, int events) {
        if (!fromClient || !s.hasTimestamp) {
            return;
        }
        // A connection's first TSval: its SYN, or for a connection already open when the capture began, the first
        // segment seen from its client.
        boolean first = (events & Tracker.NEW_GENERATION) != 0 || (f.firstSynTimeNs < 0 && !f.tsSampled);
        if (!first) {
            return;
        }
        f.tsSampled = true;
        Samples samples = bySource.get(probe.set(s.srcHi, s.srcLo, 0, 0));
        if (samples == null) {
            samples = new Samples(s.src());
            bySource.put(probe.copy(), samples);
        }
        long dst = s.dstLo * 0x9E3779B97F4A7C15L + s.dstHi;
        samples.add(s.timeNs, s.tsVal, (int) (dst ^ (dst >>> 32)) * 31 + (s.srcPort << 16 | s.dstPort), s.seq);
    }

    /** What the report draws for one address: its samples and the lines fitted to them. */
    record Chart(String ip, long[] timeNs, int[] tsVal, ClockLines.Result fit) {
    }

    private final List<Chart> charts = new ArrayList<>();

    /** Addresses shared by several hosts or with per-connection offsets, most connections first, at most six. */
    List<Chart> charts() {
        return charts;
    }

    static ClockLines.Result fit(Samples s) {
        // A SYN re-sent with the same ISN through a NAT that gave it a new port is a new 4-tuple but the same
        // connection (seen on the real 6.18 lab runs): a sample, not another connection.
        boolean[] first = new boolean[s.size];
        it.unimi.dsi.fastutil.ints.IntOpenHashSet isns = new it.unimi.dsi.fastutil.ints.IntOpenHashSet();
        for (int i = 0; i < s.size; i++) {
            first[i] = isns.add(s.isn[i]);
        }
        return ClockLines.fit(s.timeNs, s.tsVal, first, s.tuple, s.size);
    }

    List<Map<String, Object>> sources() {
        return sources;
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        List<Samples> all = new ArrayList<>(bySource.values());
        all.sort((a, b) -> a.address.compareTo(b.address));
        for (Samples s : all) {
            if (s.size < 2) {
                continue;
            }
            ClockLines.Result e = fit(s);
            Integer hosts = e.hostCount();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ip", s.address);
            m.put("connections", s.seen);
            m.put("samples", s.size);
            m.put("spanSeconds", Math.round(e.spanSeconds() * 10) / 10.0);
            m.put("tsClockHz", e.dominantNominalHz());
            m.put("hosts", hosts);
            m.put("clockHosts", e.hosts().size());
            m.put("perConnectionOffsets", e.perConnectionOffsets());
            m.put("perConnectionOffsetConnections", e.perConnectionOffsets() ? e.perConnectionConnections() : 0);
            m.put("unplacedConnections", e.perConnectionOffsets() ? 0 : e.perConnectionConnections());
            m.put("clocks", clocks(e));
            m.put("confidence", e.confidence());
            m.put("hostLines", hostLines(e, s.stride));
            sources.add(m);
            if (e.perConnectionOffsets() || e.hosts().size() >= 2) {
                charts.add(new Chart(s.address, Arrays.copyOf(s.timeNs, s.size), Arrays.copyOf(s.tsVal, s.size), e));
            }
            if (hosts != null && hosts >= 2) {
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("ip", s.address);
                facts.put("hosts", hosts);
                facts.put("hostsAtLeast", e.perConnectionOffsets());
                facts.put("tsClockHz", e.dominantNominalHz());
                facts.put("clocks", clocks(e));
                facts.put("confidence", e.confidence());
                facts.put("connections", s.seen);
                facts.put("hostConnections", e.hosts().stream().map(h -> (long) h.connections() * s.stride).toList());
                facts.put("reboots", e.hosts().stream().mapToInt(ClockLines.Host::reboots).sum());
                facts.put("perConnectionOffsetConnections", e.perConnectionOffsets()
                        ? (long) e.perConnectionConnections() * s.stride : 0);
                String mixed = e.perConnectionOffsets() ? String.format(Locale.ROOT, ", and %,d connections carry "
                        + "per-connection offsets (Linux 4.10+), so at least one more host is there", (long)
                        e.perConnectionConnections() * s.stride) : "";
                out.add(new AnalysisFinding("nat-shared-ip", Severity.WARNING, hosts, String.format(Locale.ROOT,
                        "%s is shared by %s%d hosts (confidence %.2f): the TSvals of its %,d connections over %.0f s "
                                + "fall on %d separate clock lines (%s)%s. Through one address their timestamps "
                                + "interleave out of order, which is what makes PAWS reject reused 4-tuples in "
                                + "TIME_WAIT and tcp_tw_recycle drop SYNs. %s", s.address,
                        e.perConnectionOffsets() ? "at least " : "about ", hosts, e.confidence(), s.seen,
                        e.spanSeconds(), e.hosts().size(), clockText(e), mixed, hostList(e, s.stride)), List.of(),
                        facts));
            }
        }
        charts.sort((a, b) -> Integer.compare(b.timeNs().length, a.timeNs().length));
        if (charts.size() > 6) {
            charts.subList(6, charts.size()).clear();
        }
    }

    /** Host lines per clock rate, e.g. {"1000": 3, "250": 2}; lines at rates between the usual ones under "other". */
    static Map<String, Integer> clocks(ClockLines.Result e) {
        // Rates in numeric order, "other" last.
        Map<String, Integer> m = new java.util.TreeMap<>(java.util.Comparator.comparingInt(
                (String k) -> k.equals("other") ? Integer.MAX_VALUE : Integer.parseInt(k)));
        for (ClockLines.Host h : e.hosts()) {
            m.merge(h.nominalHz() == null ? "other" : String.valueOf(h.nominalHz()), 1, Integer::sum);
        }
        return m;
    }

    private static String clockText(ClockLines.Result e) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> c : clocks(e).entrySet()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(c.getValue()).append(" at ")
                    .append(c.getKey().equals("other") ? "other rates" : c.getKey() + " Hz");
        }
        return sb.toString();
    }

    /** "Hosts: 1000.4 Hz (31 connections over 39 s), ..." for the first eight. */
    private static String hostList(ClockLines.Result e, int stride) {
        StringBuilder sb = new StringBuilder("Hosts: ");
        int shown = 0;
        for (ClockLines.Host h : e.hosts()) {
            if (shown++ == 8) {
                sb.append(String.format(Locale.ROOT, "and %d more", e.hosts().size() - 8));
                break;
            }
            sb.append(String.format(Locale.ROOT, "%.1f Hz (%,d connections over %.0f s%s), ", h.rateHz(),
                    (long) h.connections() * stride, (h.lastNs() - h.firstNs()) / 1e9,
                    h.reboots() > 0 ? ", rebooted " + h.reboots() + "x" : ""));
        }
        String text = sb.toString();
        return (text.endsWith(", ") ? text.substring(0, text.length() - 2) : text) + ".";
    }

    private static List<Map<String, Object>> hostLines(ClockLines.Result e, int stride) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ClockLines.Host h : e.hosts().subList(0, Math.min(MAX_HOST_LINES_LISTED, e.hosts().size()))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rateHz", h.rateHz());
            m.put("nominalHz", h.nominalHz());
            m.put("driftPpm", h.ppm());
            m.put("connections", (long) h.connections() * stride);
            m.put("firstTime", Analysis.seconds(h.firstNs()));
            m.put("spanSeconds", Math.round((h.lastNs() - h.firstNs()) / 1e8) / 10.0);
            m.put("reboots", h.reboots());
            out.add(m);
        }
        return out;
    }
}
