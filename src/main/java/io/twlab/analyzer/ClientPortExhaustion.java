package io.twlab.analyzer;

import io.twlab.report.Finding.Severity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A client out of ephemeral ports toward one server, judged on the port-reuse groups of (client address, server):
 * the client closes first, so each port it used sits in TIME_WAIT on the client for 60 s (TCP_TIMEWAIT_LEN), and
 * its connections cycle through every port of the range in use at the rate TIME_WAIT allows (ports / 60 s). Any
 * more connects fail in connect() with EADDRNOTAVAIL (__inet_hash_connect finds no port) and never reach the wire,
 * so the capture shows the ceiling, not the demand.
 */
final class ClientPortExhaustion {
    private static final double TIME_WAIT_S = 60;
    private static final int MIN_PORTS = 100;

    private ClientPortExhaustion() {
    }

    static void find(List<PortReuseDetector.Group> groups, List<AnalysisFinding> out) {
        for (PortReuseDetector.Group g : groups) {
            int ports = g.sourcePorts;
            int range = g.maxPort - g.minPort + 1;
            double span = (g.lastNs - g.firstNs) / 1e9;
            if (ports < MIN_PORTS || span < TIME_WAIT_S || g.closed == 0) {
                continue;
            }
            double rate = g.connections / span;
            double ceiling = ports / TIME_WAIT_S;
            double clientFirst = g.clientClosedFirst / (double) g.closed;
            // Every port of the range in use, cycled at the TIME_WAIT ceiling, the client holding TIME_WAIT.
            if (ports < 0.9 * range || rate < 0.9 * ceiling || clientFirst < 0.8 || g.reuses < ports / 2) {
                continue;
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("pair", g.name);
            facts.put("portsUsed", ports);
            facts.put("portRange", g.minPort + "-" + g.maxPort);
            facts.put("ratePerSecond", Math.round(rate * 10) / 10.0);
            facts.put("timeWaitCeilingPerSecond", Math.round(ceiling * 10) / 10.0);
            facts.put("clientClosedFirstShare", Math.round(clientFirst * 1000) / 1000.0);
            facts.put("shortestReuseSeconds", Math.round(g.minInterval * 1000) / 1000.0);
            Evidence ev = new Evidence();
            if (g.minFlow != null) {
                ev.add(List.of(g.minPacket), g.minTimeNs, g.minFlow,
                        Map.of("reuseAfterSeconds", Math.round(g.minInterval * 1000) / 1000.0));
            }
            out.add(new AnalysisFinding("client-port-exhaustion", Severity.CRITICAL, g.connections, String.format(
                    Locale.ROOT, "%s: the client closed first in %.0f %% of its connections, so each port stays in "
                            + "TIME_WAIT on the client for 60 s; it used %,d ports (%s, all of the range it draws from) "
                            + "at %.1f/s, the ceiling of %,d ports / 60 s = %.1f/s. Connects beyond that fail with "
                            + "EADDRNOTAVAIL before any SYN is sent, so the demand is higher than the capture shows. "
                            + "Remedies: a wider net.ipv4.ip_local_port_range, tcp_tw_reuse=1 on the client, keep-alive "
                            + "connections, or more destination addresses.", g.name, clientFirst * 100, ports,
                    g.minPort + "-" + g.maxPort, rate, ports, ceiling), ev.list(), facts));
        }
    }
}
