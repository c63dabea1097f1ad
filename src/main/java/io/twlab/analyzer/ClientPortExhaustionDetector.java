package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;
import io.twlab.report.Finding.Severity;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A client out of ephemeral ports toward one server: it closes first, so each port it used sits in TIME_WAIT on the
 * client for 60 s (TCP_TIMEWAIT_LEN), and its connections cycle through every port of the range in use at the rate
 * that TIME_WAIT allows (ports / 60 s). Any more connects fail in connect() with EADDRNOTAVAIL
 * (__inet_hash_connect finds no port) and never reach the wire, so the capture shows the ceiling, not the demand.
 */
final class ClientPortExhaustionDetector implements Detector {
    private static final double TIME_WAIT_S = 60;
    private static final int MIN_PORTS = 100;

    private final Object2ObjectOpenHashMap<String, Group> groups = new Object2ObjectOpenHashMap<>();

    private static final class Group {
        final String name;
        final IntOpenHashSet ports = new IntOpenHashSet();
        int minPort = Integer.MAX_VALUE;
        int maxPort;
        long connections;
        long closed;
        long clientClosedFirst;
        long reuses;
        double minReuseSeconds = Double.MAX_VALUE;
        long firstNs = Long.MAX_VALUE;
        long lastNs = Long.MIN_VALUE;
        long examplePacket;
        long exampleTimeNs;
        Flow exampleFlow;

        Group(String name) {
            this.name = name;
        }
    }

    @Override
    public void onSegment(Segment s, Flow f, boolean fromClient, int events) {
    }

    @Override
    public void onGenerationEnd(Flow f, boolean atCaptureEnd) {
        String key = Segment.address(f.clientHi, f.clientLo) + " > " + Evidence.server(f);
        Group g = groups.get(key);
        if (g == null) {
            g = new Group(key);
            groups.put(key, g);
        }
        g.connections++;
        g.ports.add(f.clientPort);
        g.minPort = Math.min(g.minPort, f.clientPort);
        g.maxPort = Math.max(g.maxPort, f.clientPort);
        g.firstNs = Math.min(g.firstNs, f.firstSynTimeNs);
        g.lastNs = Math.max(g.lastNs, f.firstSynTimeNs);
        if (f.closed()) {
            g.closed++;
            if (f.clientClosedFirst) {
                g.clientClosedFirst++;
            }
        }
        if (f.hasPrevious && f.previousClosed && f.previousCloseTimeNs >= 0) {
            g.reuses++;
            double gap = (f.firstSynTimeNs - f.previousCloseTimeNs) / 1e9;
            if (gap < g.minReuseSeconds) {
                g.minReuseSeconds = gap;
                g.examplePacket = f.firstSynPacket;
                g.exampleTimeNs = f.firstSynTimeNs;
                g.exampleFlow = f;
            }
        }
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        List<Group> sorted = new ArrayList<>(groups.values());
        sorted.sort((a, b) -> a.name.compareTo(b.name));
        for (Group g : sorted) {
            int range = g.maxPort - g.minPort + 1;
            double span = (g.lastNs - g.firstNs) / 1e9;
            if (g.ports.size() < MIN_PORTS || span < TIME_WAIT_S || g.closed == 0) {
                continue;
            }
            double rate = g.connections / span;
            double ceiling = g.ports.size() / TIME_WAIT_S;
            double clientFirst = g.clientClosedFirst / (double) g.closed;
            // Every port of the range in use, cycled at the TIME_WAIT ceiling, the client holding TIME_WAIT.
            if (g.ports.size() < 0.9 * range || rate < 0.9 * ceiling || clientFirst < 0.8
                    || g.reuses < g.ports.size() / 2) {
                continue;
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("pair", g.name);
            facts.put("portsUsed", g.ports.size());
            facts.put("portRange", g.minPort + "-" + g.maxPort);
            facts.put("ratePerSecond", Math.round(rate * 10) / 10.0);
            facts.put("timeWaitCeilingPerSecond", Math.round(ceiling * 10) / 10.0);
            facts.put("clientClosedFirstShare", Math.round(clientFirst * 1000) / 1000.0);
            facts.put("shortestReuseSeconds", Math.round(g.minReuseSeconds * 1000) / 1000.0);
            Evidence ev = new Evidence();
            if (g.exampleFlow != null) {
                ev.add(List.of(g.examplePacket), g.exampleTimeNs, g.exampleFlow,
                        Map.of("reuseAfterSeconds", Math.round(g.minReuseSeconds * 1000) / 1000.0));
            }
            out.add(new AnalysisFinding("client-port-exhaustion", Severity.CRITICAL, g.connections, String.format(
                    Locale.ROOT, "%s: the client closed first in %.0f %% of its connections, so each port stays in "
                            + "TIME_WAIT on the client for 60 s; it used %,d ports (%s, all of the range it draws from) "
                            + "at %.1f/s, the ceiling of %,d ports / 60 s = %.1f/s. Connects beyond that fail with "
                            + "EADDRNOTAVAIL before any SYN is sent, so the demand is higher than the capture shows. "
                            + "Remedies: a wider net.ipv4.ip_local_port_range, tcp_tw_reuse=1 on the client, keep-alive "
                            + "connections, or more destination addresses.", g.name, clientFirst * 100,
                    g.ports.size(), g.minPort + "-" + g.maxPort, rate, g.ports.size(), ceiling), ev.list(), facts));
        }
    }
}
