package io.twlab.analyzer;

import io.twlab.report.Finding.Severity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Handshakes whose SYN-ACK advertised a zero window: no Linux listener does that, an LVS or DPVS SYNPROXY does
 * (it answers the handshake itself and keeps the client's window closed until the real server has answered, then
 * sends a window update). When the update is late or lost the client can only send zero-window probes
 * (seq = snd_una - 1, tcp_xmit_probe_skb) on its retransmission timer, and the request waits
 * (acassen/keepalived#2271, iqiyi/dpvs#721).
 */
final class SynproxyZeroWindowDetector implements ConnectionDetector {
    private static final int MIN_HANDSHAKES = 3;

    private long zeroWindow;
    private long probed;
    private long probes;
    private long waitMaxNs;
    private final Map<String, Long> byServer = new TreeMap<>();
    private final Evidence evidence = new Evidence();

    @Override
    public void onGenerationEnd(Flow f, boolean atCaptureEnd) {
        if (f.synAckWindow != 0) {
            return;
        }
        zeroWindow++;
        byServer.merge(Evidence.server(f), 1L, Long::sum);
        if (f.zeroWindowProbes == 0) {
            return;
        }
        probed++;
        probes += f.zeroWindowProbes;
        long wait = f.clientFirstDataNs >= 0 && f.establishedNs >= 0 ? f.clientFirstDataNs - f.establishedNs : -1;
        waitMaxNs = Math.max(waitMaxNs, wait);
        if (!evidence.wants()) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("zeroWindowProbes", f.zeroWindowProbes);
        if (wait >= 0) {
            fields.put("requestWaitedSeconds", Math.round(wait / 1e6) / 1e3);
        }
        evidence.add(List.of(f.firstSynPacket), f.firstSynTimeNs, f, fields);
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        if (zeroWindow < MIN_HANDSHAKES) {
            return;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("servers", byServer);
        facts.put("probedConnections", probed);
        facts.put("zeroWindowProbes", probes);
        facts.put("maxRequestWaitSeconds", Math.round(waitMaxNs / 1e6) / 1e3);
        out.add(new AnalysisFinding("synproxy-zero-window", probed > 0 ? Severity.WARNING : Severity.INFO, zeroWindow,
                String.format(Locale.ROOT, "%,d handshakes were answered by a SYN-ACK with a zero window, the mark of a "
                        + "SYNPROXY (LVS/DPVS) holding the client until the real server answers; in %,d of them the "
                        + "client had to send zero-window probes (%,d in all) before it could send its request, which "
                        + "waited up to %.3f s: the proxy's window update came late or was lost. Servers: %s.",
                        zeroWindow, probed, probes, waitMaxNs / 1e9, byServer), evidence.list(), facts));
    }
}
