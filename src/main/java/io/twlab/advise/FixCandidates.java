package io.twlab.advise;

import io.twlab.net.Ipv4;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The changes worth simulating for a set of findings, each with its cost and the kernels it applies to. */
public final class FixCandidates {
    private FixCandidates() {
    }

    public static List<Fix> of(List<AdviceFinding> findings, CalibratedScenario sc, Observed o) {
        List<Fix> fixes = new ArrayList<>();
        boolean paws = has(findings, "paws-timewait-reject", Severity.WARNING)
                || has(findings, "capture:paws-timewait-reject", Severity.WARNING)
                || has(findings, "snat-port-capacity", Severity.WARNING);
        AdviceFinding capacity = first(findings, "snat-port-capacity");
        String server = "hosts." + CalibratedScenario.SERVERS;
        if (paws && sc.hasNat && capacity != null) {
            Map<String, Object> f = capacity.figures();
            long ports = ((Number) f.get("ports")).longValue();
            int addresses = ((Number) f.get("addresses")).intValue();
            long perAddress = ports / Math.max(1, addresses);
            double limit = Math.max(((Number) f.get("holdSeconds")).doubleValue(),
                    ((Number) f.get("serverTimeWaitSeconds")).doubleValue());
            long needed = Math.max(ports + 1, ((Number) f.get("neededPorts")).longValue());
            long perAddressNeeded = (long) Math.ceil((double) needed / Math.max(1, addresses));
            if (perAddressNeeded <= 64512) {
                int low = ((Number) f.get("portLow")).intValue();
                if (low + perAddressNeeded - 1 > 65535) {
                    low = (int) (65536 - perAddressNeeded);
                }
                long high = low + perAddressNeeded - 1;
                fixes.add(new Fix("widen-snat-range", String.format(Locale.ROOT, "widen the SNAT range to %d ports "
                                + "(≥ rate × %.0f s × 1.25)", perAddressNeeded * addresses, limit),
                        List.of("nats." + CalibratedScenario.NAT + ".ports=" + low + "-" + high),
                        List.of("none on the wire; the NAT box's ports " + low + "-" + high + " must not be used by "
                                + "its own services, and its conntrack table holds rate × 120 s entries "
                                + "(" + Math.round(sc.rate * 120) + ")"),
                        "all kernels", List.of("snat-port-capacity", "paws-timewait-reject"), 1));
            }
            int moreAddresses = (int) Math.max(2, Math.ceil((double) needed / Math.max(1, perAddress)));
            if (moreAddresses <= 64) {
                List<String> ips = new ArrayList<>();
                long first = Ipv4.parse("203.0.113.1");
                for (int i = 0; i < moreAddresses; i++) {
                    ips.add(Ipv4.format((int) (first + i)));
                }
                fixes.add(new Fix("more-snat-addresses", moreAddresses + " SNAT addresses with the same range",
                        List.of("nats." + CalibratedScenario.NAT + ".public-ips=[" + String.join(", ", ips) + "]"),
                        List.of(moreAddresses + " public addresses instead of " + addresses + ", each allowed by the "
                                + "peers' firewalls; the server sees more client addresses"),
                        "all kernels", List.of("snat-port-capacity", "paws-timewait-reject"), 1));
            }
            if (!"fully-random".equals(f.get("flags"))) {
                fixes.add(new Fix("snat-fully-random", "SNAT with fully-random port selection",
                        List.of("nats." + CalibratedScenario.NAT + ".flags=fully-random"),
                        List.of("no extra ports: the ports / hold-time limit stays; it avoids the insert clash of "
                                + "two CPUs NATing SYNs to the same port (containernetworking/plugins#163), but "
                                + "with per-4-tuple TS offsets (6.x clients) random reuse can still hit TIME_WAIT"),
                        "nf_nat on all kernels (NF_NAT_RANGE_PROTO_RANDOM_FULLY, 3.13+)",
                        List.of("snat-port-capacity"), 1));
            }
        }
        if (paws) {
            fixes.add(new Fix("server-timestamps-off", "server tcp_timestamps=0",
                    List.of(server + ".sysctl.net.ipv4.tcp_timestamps=0"),
                    List.of("loses PAWS protection against old duplicates and the RTT samples of RFC 7323 (RTO "
                            + "from fewer samples), and window scaling stays but SACK-less timing gets coarser",
                            "a TIME_WAIT still refuses a reused tuple whose ISN is not above the old one: with a NAT "
                            + "that reuses ports quickly the old-ACK/RST sequence remains, by sequence number "
                            + "(shared/reference/real-kernel-6.18.md)"),
                    "all kernels", List.of("paws-timewait-reject"), 1));
            // A quarter of the tuples the clients cycle through (seed 000: 5000 of 63,488 ports); without a known
            // NAT range, about 10 s of TIME_WAIT.
            long natPorts = capacity == null ? 0 : ((Number) capacity.figures().get("ports")).longValue();
            long buckets = Math.max(1, natPorts > 0 ? natPorts / 4 : Math.round(sc.rate * 10));
            fixes.add(new Fix("server-max-tw-buckets", "server tcp_max_tw_buckets=" + buckets,
                    List.of(server + ".sysctl.net.ipv4.tcp_max_tw_buckets=" + buckets),
                    List.of("closed connections beyond the limit keep no TIME_WAIT (TCPTimeWaitOverflow): old "
                            + "duplicate segments can be taken into a new connection of the same tuple",
                            "seed 000: fewer rejects but no cure while ports keep wrapping"),
                    "all kernels", List.of("paws-timewait-reject"), 1));
            fixes.add(new Fix("keep-alive", "HTTP keep-alive: 10 requests per connection",
                    List.of("workloads." + CalibratedScenario.WORKLOAD + ".pattern=keep-alive",
                            "workloads." + CalibratedScenario.WORKLOAD + ".requests-per-connection=10",
                            String.format(Locale.ROOT, "workloads.%s.rate=%.4f", CalibratedScenario.WORKLOAD,
                                    sc.rate / 10)),
                    List.of("a client change (HTTP/1.1 keep-alive or a pool); idle connections hold server memory "
                            + "and a balancer spreads connections, not requests"),
                    "all kernels", List.of("paws-timewait-reject", "snat-port-capacity"), 10));
            if (!sc.serverKernel.equals("linux-6.18")) {
                if (sc.serverKernel.equals("linux-2.6.32")) {
                    fixes.add(kernel("linux-3.10.0-1127", "RHEL 7.8: the death row re-arms after 1 s, TIME_WAIT "
                            + "≤ 67 s instead of 112.5 s"));
                }
                fixes.add(kernel("linux-6.18", "per-socket TIME_WAIT timers (60 s + wheel slack); on 6.x clients "
                        + "per-4-tuple TS offsets make one host behind a port-rewriting NAT enough for rejects"));
            }
        }
        if (has(findings, "tw-recycle-behind-nat", Severity.WARNING)) {
            fixes.add(new Fix("tw-recycle-off", "server tcp_tw_recycle=0",
                    List.of(server + ".sysctl.net.ipv4.tcp_tw_recycle=0"),
                    List.of("TIME_WAIT lasts 60 s again instead of 3.5 × RTO: more TIME_WAIT sockets (memory, "
                            + "about 200 B each)"),
                    "< 4.12 (the setting is gone after)", List.of("tw-recycle-behind-nat"), 1));
        }
        if (sc.hasDirector && has(findings, "ipvs-conn-reuse-mode", Severity.WARNING)) {
            AdviceFinding f = first(findings, "ipvs-conn-reuse-mode");
            int mode = ((Number) f.figures().get("mode")).intValue();
            fixes.add(new Fix("conn-reuse-mode-" + (1 - mode), "IPVS conn_reuse_mode=" + (1 - mode),
                    List.of("directors." + CalibratedScenario.DIRECTOR + ".conn-reuse-mode=" + (1 - mode)),
                    mode == 1 ? List.of("a reused client port keeps its entry and real server, also a removed or "
                            + "drained one, until the entry expires (kubernetes/kubernetes#81775)")
                            : List.of("before 5.9 with conntrack on, each reused port costs a dropped SYN and a 1 s "
                            + "retransmission (kubernetes/kubernetes#70747)"),
                    "directors with conn_reuse_mode (4.2+); mode 1 without the drop from 5.9",
                    List.of("ipvs-conn-reuse-mode"), 1));
        }
        if (sc.hasDirector && has(findings, "ipvs-entry-reuse", Severity.WARNING)) {
            fixes.add(new Fix("ipvs-short-time-wait", "IPVS TIME_WAIT entries 10 s instead of 120 s",
                    List.of("directors." + CalibratedScenario.DIRECTOR + ".time-wait-timeout=10s"),
                    List.of("a late segment of a closed connection finds no entry and is scheduled as new; upstream "
                            + "ipvsadm --set cannot change TIME_WAIT (a kernel rebuild or Alibaba's sysctls)"),
                    "all IPVS kernels", List.of("ipvs-entry-reuse"), 1));
        }
        if (has(findings, "listen-overflow", Severity.WARNING)) {
            fixes.add(new Fix("listen-backlog", "listen backlog and somaxconn 4096",
                    List.of(server + ".backlog=4096", server + ".sysctl.net.core.somaxconn=4096"),
                    List.of("more memory for pending connections; it only helps if the application accepts faster "
                            + "on average than connections arrive"),
                    "all kernels", List.of("listen-overflow"), 1));
        }
        return fixes;
    }

    private static Fix kernel(String profile, String what) {
        return new Fix("server-kernel-" + profile, "server kernel " + profile,
                List.of("hosts." + CalibratedScenario.SERVERS + ".kernel=" + profile),
                List.of("a kernel change on every server: " + what), profile,
                List.of("paws-timewait-reject"), 1);
    }

    static boolean has(List<AdviceFinding> findings, String rule, Severity atLeast) {
        return findings.stream().anyMatch(f -> f.rule().equals(rule) && f.severity().compareTo(atLeast) <= 0);
    }

    static AdviceFinding first(List<AdviceFinding> findings, String rule) {
        return findings.stream().filter(f -> f.rule().equals(rule)).findFirst().orElse(null);
    }
}
