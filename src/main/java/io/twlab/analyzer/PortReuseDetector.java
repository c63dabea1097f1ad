package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;
import io.twlab.report.Finding.Severity;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per (client address, server address, server port): how fast source ports come back, against how long the
 * server may keep the old 4-tuple in TIME_WAIT (60 s; 67 s on loaded RHEL 7's 3.10.0-1127; 112.5 s on a loaded
 * 2.6.32 or 3.10 whose death-row reaper slips). A port coming back sooner than that meets the old TIME_WAIT.
 */
final class PortReuseDetector implements Detector {
    private static final double[] LIFETIMES = {60, 67, 112.5};
    private static final int MIN_REUSES = 10;
    private static final int MAX_FINDINGS = 20;

    private final Object2ObjectOpenHashMap<String, Group> groups = new Object2ObjectOpenHashMap<>();

    static final class Group {
        final String name;
        /**
         * The source ports seen, one bit per port in blocks of 1,024 ports made on first use: a set bit costs no
         * miss (a hash set of ports missed on most adds), and a client with a few ports costs a few hundred bytes.
         */
        final long[][] portsSeen = new long[64][];
        int sourcePorts;
        long connections;
        long firstNs = Long.MAX_VALUE;
        long lastNs = Long.MIN_VALUE;
        long reuses;
        long reusesUnder60;
        long reusesUnder112;
        double minInterval = Double.MAX_VALUE;
        long minPacket;
        Flow minFlow;
        long minTimeNs;
        double[] intervals = new double[64];
        int size;
        int minPort = Integer.MAX_VALUE;
        int maxPort;
        long closed;
        long clientClosedFirst;

        Group(String name) {
            this.name = name;
        }

        void seePort(int port) {
            long[] block = portsSeen[port >>> 10];
            if (block == null) {
                block = portsSeen[port >>> 10] = new long[1024 / 64];
            }
            int word = (port >>> 6) & 15;
            long bit = 1L << port;
            if ((block[word] & bit) == 0) {
                block[word] |= bit;
                sourcePorts++;
            }
        }

        void interval(double seconds) {
            if (size == intervals.length && size < 200_000) {
                intervals = Arrays.copyOf(intervals, size * 2);
            }
            if (size < intervals.length) {
                intervals[size++] = seconds;
            }
        }
    }

    @Override
    public void onSegment(Segment s, Flow f, boolean fromClient, int events) {
        if ((events & Tracker.NEW_GENERATION) == 0) {
            return;
        }
        Group g = f.reuseGroup;
        if (g == null) {
            String key = Segment.address(f.clientHi, f.clientLo) + " > " + Evidence.server(f);
            g = groups.get(key);
            if (g == null) {
                g = new Group(key);
                groups.put(key, g);
            }
            f.reuseGroup = g;
        }
        g.connections++;
        g.seePort(f.clientPort);
        g.minPort = Math.min(g.minPort, f.clientPort);
        g.maxPort = Math.max(g.maxPort, f.clientPort);
        g.firstNs = Math.min(g.firstNs, s.timeNs);
        g.lastNs = Math.max(g.lastNs, s.timeNs);
        long since = f.previousEndNs();
        if (since >= 0) {
            double interval = (s.timeNs - since) / 1e9;
            g.reuses++;
            g.interval(interval);
            if (interval < 60) {
                g.reusesUnder60++;
            }
            if (interval < 112.5) {
                g.reusesUnder112++;
            }
            if (interval < g.minInterval) {
                g.minInterval = interval;
                g.minPacket = s.number;
                g.minFlow = f;
                g.minTimeNs = s.timeNs;
            }
        }
    }

    @Override
    public void onGenerationEnd(Flow f, boolean atCaptureEnd) {
        Group g = f.reuseGroup;
        if (g != null && f.closed()) {
            g.closed++;
            if (f.clientClosedFirst) {
                g.clientClosedFirst++;
            }
        }
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        List<Group> byName = new ArrayList<>(groups.values());
        byName.sort(Comparator.comparing(g -> g.name));
        ClientPortExhaustion.find(byName, out);
        List<Group> pressed = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g.reuses >= MIN_REUSES) {
                pressed.add(g);
            }
        }
        pressed.sort(Comparator.comparingDouble((Group g) -> g.minInterval).thenComparing(g -> g.name));
        for (Group g : pressed.subList(0, Math.min(MAX_FINDINGS, pressed.size()))) {
            double span = Math.max(1e-9, (g.lastNs - g.firstNs) / 1e9);
            double rate = g.connections / span;
            double[] sorted = Arrays.copyOf(g.intervals, g.size);
            Arrays.sort(sorted);
            double median = sorted[sorted.length / 2];
            double p10 = sorted[sorted.length / 10];
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("pair", g.name);
            facts.put("connections", g.connections);
            facts.put("ratePerSecond", Math.round(rate * 10) / 10.0);
            facts.put("sourcePorts", g.sourcePorts);
            facts.put("reuses", g.reuses);
            facts.put("reuseIntervalSeconds", Map.of("min", round(g.minInterval), "p10", round(p10), "median",
                    round(median)));
            facts.put("reusesWithin60s", g.reusesUnder60);
            facts.put("reusesWithin112_5s", g.reusesUnder112);
            Map<String, Object> safe = new LinkedHashMap<>();
            StringBuilder limits = new StringBuilder();
            for (double l : LIFETIMES) {
                double max = g.sourcePorts / l;
                safe.put(l + "s", Math.round(max * 10) / 10.0);
                limits.append(limits.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                        "%,.0f/s for %s s (%.2fx the rate seen)", max, l == 112.5 ? "112.5" : String.valueOf((int) l),
                        max / rate));
            }
            facts.put("safeRatePerSecond", safe);
            Severity sev = g.reusesUnder60 > 0 ? Severity.CRITICAL : g.reusesUnder112 > 0 ? Severity.WARNING
                    : Severity.INFO;
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("reuseIntervalSeconds", round(g.minInterval));
            Evidence ev = new Evidence();
            ev.add(List.of(g.minPacket), g.minTimeNs, g.minFlow, fields);
            out.add(new AnalysisFinding("port-reuse-pressure", sev, g.reuses, String.format(Locale.ROOT,
                    "%s: %,d connections over %.0f s (%.1f/s) from %,d source ports; %,d reused a port, after %.1f s at "
                            + "the shortest (10th percentile %.1f s, median %.1f s) since its previous connection "
                            + "closed; %,d within 60 s and %,d within 112.5 s, while a server may hold TIME_WAIT that "
                            + "long. With these ports the rate that never meets an old TIME_WAIT is %s.", g.name,
                    g.connections, span, rate, g.sourcePorts, g.reuses, g.minInterval, p10, median, g.reusesUnder60,
                    g.reusesUnder112, limits), ev.list(), facts));
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
