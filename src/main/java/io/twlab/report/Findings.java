package io.twlab.report;

import io.twlab.ipvs.IpvsDirector;
import io.twlab.metrics.ClientStats;
import io.twlab.metrics.LatencyHistogram;
import io.twlab.metrics.SeriesTable;
import io.twlab.metrics.TimeWaitLifetimes;
import io.twlab.model.Model;
import io.twlab.model.RunResult;
import io.twlab.nat.SnatGateway;
import io.twlab.net.Link;
import io.twlab.report.Finding.Severity;
import io.twlab.tcp.Counter;
import io.twlab.tcp.TcpHost;
import io.twlab.metrics.FailureCause;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns a finished run into findings: the failures it shows, when they started and stopped, and the mechanism
 * behind each, with the figures that support it. Most severe first; a run with no trouble gives one INFO finding.
 */
public final class Findings {
    private final Model model;
    private final SeriesTable series;
    private final List<Finding> out = new ArrayList<>();

    private Findings(RunResult run) {
        this.model = run.model();
        this.series = run.series();
    }

    public static List<Finding> of(RunResult run) {
        Findings f = new Findings(run);
        f.pawsRejects();
        f.recycleDrops();
        f.clientFailures();
        f.synRetransmissionDelays();
        f.synProxyStalls();
        f.directorFindings();
        f.timeWaitOverflow();
        f.natFindings();
        f.linkLoss();
        if (f.out.stream().noneMatch(x -> x.severity() != Severity.INFO)) {
            ClientStats s = f.model.clientStats();
            long inFlight = s.attempts() - s.successes() - s.failed();
            f.out.add(0, new Finding("no-failures", Severity.INFO, "clients", -1, -1, s.successes(),
                    String.format(Locale.ROOT, "No failures: %,d of %,d requests succeeded%s, and no host rejected or "
                                    + "dropped a SYN.", s.successes(), s.attempts(),
                            inFlight > 0 ? String.format(Locale.ROOT, " (%,d still in flight when the run ended)",
                                    inFlight) : ""), Map.of()));
        }
        f.out.sort(Comparator.comparing(Finding::severity));
        return List.copyOf(f.out);
    }

    // ---- PAWS in TIME_WAIT (seed 000) ----

    private void pawsRejects() {
        List<TcpHost> hit = new ArrayList<>();
        long total = 0;
        long[] span = {Long.MAX_VALUE, -1};
        for (TcpHost h : model.serverHosts()) {
            long n = h.counters().get(Counter.PAWSEstab) + h.counters().get(Counter.PAWSTimewait);
            if (n > 0) {
                hit.add(h);
                total += n;
                widen(span, h.name() + ".PAWSEstab");
                widen(span, h.name() + ".PAWSTimewait");
            }
        }
        if (hit.isEmpty()) {
            return;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("rejectedSyns", total);
        boolean timewaitCounter = hit.stream().anyMatch(h -> h.counters().get(Counter.PAWSTimewait) > 0);
        String counter = timewaitCounter ? Counter.PAWSTimewait.nstatName() : Counter.PAWSEstab.nstatName();
        facts.put("counter", counter);
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "PAWS rejected %,d SYNs on %s %s (%s).", total, hosts(hit), between(span), counter));
        if (span[1] >= 0) {
            double onset = value("offered_rate", span[0]);
            facts.put("onsetSecond", span[0]);
            facts.put("onsetOfferedRate", onset);
            text.append(String.format(Locale.ROOT, " Onset at %s conn/s offered.", num(onset)));
        }
        double twMax = 0;
        TreeSet<String> kernels = new TreeSet<>();
        for (TcpHost h : hit) {
            kernels.add(h.profile().name());
            TimeWaitLifetimes tl = model.timeWaitLifetimes().get(h.name());
            if (tl != null && tl.count() > 0) {
                twMax = Math.max(twMax, tl.maxSeconds());
            }
        }
        facts.put("timeWaitMaxSeconds", twMax);
        facts.put("kernels", List.copyOf(kernels));
        double reuseAge = minReuseAgeDuring(span);
        if (reuseAge >= 0) {
            facts.put("minPortReuseAgeSeconds", reuseAge);
            text.append(String.format(Locale.ROOT, " Cause: %s handed source ports out again after as little as "
                            + "%.1f s, while the old 4-tuples were still in TIME_WAIT on %s%s; the new SYN on an old "
                            + "4-tuple carried a timestamp older than the one the TIME_WAIT socket remembered (another "
                            + "host's clock behind the same address), so the server answered it with an ACK for the old "
                            + "connection instead of a SYN-ACK.", natNames(), reuseAge, String.join(", ", kernels),
                    twMax > reuseAge ? String.format(Locale.ROOT, " (TIME_WAIT lived up to %.1f s in this run)", twMax)
                            : ""));
        } else {
            text.append(String.format(Locale.ROOT, " Cause: SYNs reused 4-tuples still in TIME_WAIT on %s (TIME_WAIT "
                    + "lived up to %.1f s in this run) with a timestamp older than the one remembered, so the server "
                    + "answered with an ACK for the old connection instead of a SYN-ACK.", String.join(", ", kernels),
                    twMax));
        }
        out.add(new Finding("paws-timewait-reject", Severity.CRITICAL, names(hit), span[0] == Long.MAX_VALUE ? -1
                : span[0], span[1], total, text.toString(), facts));
    }

    private double minReuseAgeDuring(long[] span) {
        double min = -1;
        for (SnatGateway n : model.nats()) {
            int col = series.column(n.name() + ".min_port_reuse_age_s");
            for (double[] row : series.rows()) {
                long t = (long) row[0];
                if (col >= 0 && t >= span[0] && t <= span[1] && row[col] >= 0 && (min < 0 || row[col] < min)) {
                    min = row[col];
                }
            }
        }
        return min;
    }

    // ---- tcp_tw_recycle (seed: LVS NAT / swarm ingress) ----

    private void recycleDrops() {
        for (TcpHost h : model.hosts()) {
            long n = h.counters().get(Counter.PAWSPassive);
            if (n == 0) {
                continue;
            }
            long[] span = {Long.MAX_VALUE, -1};
            widen(span, h.name() + ".PAWSPassive");
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("droppedSyns", n);
            facts.put("counter", Counter.PAWSPassive.nstatName());
            out.add(new Finding("tw-recycle-syn-drop", Severity.CRITICAL, h.name(), first(span), span[1], n,
                    String.format(Locale.ROOT, "tcp_tw_recycle on %s (%s) silently dropped %,d SYNs %s (%s): it "
                                    + "remembers the last timestamp per peer address, and the peers reach it through "
                                    + "one address (NAT or a NAT-mode director) with different clocks, so a SYN whose "
                                    + "timestamp goes backwards within 60 s of that peer's last segment is dropped "
                                    + "without an answer.", h.name(), h.profile().name(), n, between(span),
                            Counter.PAWSPassive.nstatName()), facts));
        }
    }

    // ---- what the clients saw ----

    private void clientFailures() {
        ClientStats s = model.clientStats();
        if (s.failed() == 0) {
            return;
        }
        long[] span = {Long.MAX_VALUE, -1};
        widen(span, "failed");
        Map<String, Object> facts = new LinkedHashMap<>();
        StringBuilder causes = new StringBuilder();
        for (FailureCause f : FailureCause.values()) {
            if (s.failures(f) > 0) {
                facts.put(f.key(), s.failures(f));
                causes.append(causes.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %,d", f.key(),
                        s.failures(f)));
            }
        }
        double share = s.failed() / (double) Math.max(1, s.attempts());
        facts.put("share", share);
        out.add(new Finding("client-failures", share >= 0.001 ? Severity.CRITICAL : Severity.WARNING, "clients",
                first(span), span[1], s.failed(), String.format(Locale.ROOT,
                "%,d of %,d requests failed (%s %%) %s: %s.", s.failed(), s.attempts(), pct(share), between(span),
                causes), facts));
    }

    private void synRetransmissionDelays() {
        ClientStats s = model.clientStats();
        long n = s.synRetransmittedConnects();
        if (n == 0) {
            return;
        }
        LatencyHistogram h = s.connectLatency();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("connects", s.connects());
        facts.put("p99Ms", h.quantile(0.99) / 1000.0);
        facts.put("maxMs", h.max() / 1000.0);
        // Where the stalls cluster: the usual first RTOs (1 s, 3 s) and their doublings, and SYNPROXY's 3 s steps.
        Map<String, Object> modes = new LinkedHashMap<>();
        StringBuilder modeText = new StringBuilder();
        for (int sec : new int[]{1, 2, 3, 6, 7, 9, 15, 21}) {
            long c = h.countBetween(sec * 1_000_000L - 50_000, sec * 1_000_000L + 200_000);
            if (c > 0) {
                modes.put(sec + "s", c);
                modeText.append(modeText.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d near %d s",
                        c, sec));
            }
        }
        facts.put("stallModes", modes);
        String why = " Each stall is a SYN retransmission timeout: the first SYN got no SYN-ACK.";
        out.add(new Finding("syn-retransmit-stall", share(n, s.connects()) >= 0.001 ? Severity.WARNING : Severity.INFO,
                "clients", -1, -1, n, String.format(Locale.ROOT,
                "%,d of %,d connects completed only after a SYN retransmission (%s %%); connect p99 %s ms, max %s ms%s.%s",
                n, s.connects(), pct(share(n, s.connects())), num(h.quantile(0.99) / 1000.0), num(h.max() / 1000.0),
                modeText.length() == 0 ? "" : "; stalls " + modeText, why), facts));
    }

    /** Seed 002: the client is connected by the director's SYN proxy, so the stall shows in its first byte. */
    private void synProxyStalls() {
        long retries = model.directors().stream().mapToLong(IpvsDirector::synProxyRetries).sum();
        if (retries == 0) {
            return;
        }
        LatencyHistogram fb = model.clientStats().firstByteLatency();
        Map<String, Object> modes = new LinkedHashMap<>();
        StringBuilder modeText = new StringBuilder();
        for (int sec = 3; sec <= 12; sec += 3) {
            long c = fb.countBetween(sec * 1_000_000L - 50_000, sec * 1_000_000L + 500_000);
            if (c > 0) {
                modes.put(sec + "s", c);
                modeText.append(modeText.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d near %d s",
                        c, sec));
            }
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("synProxyRetries", retries);
        facts.put("firstByteP99Ms", fb.quantile(0.99) / 1000.0);
        facts.put("firstByteMaxMs", fb.max() / 1000.0);
        facts.put("stallModes", modes);
        String where = String.join(", ", model.directors().stream().filter(d -> d.synProxyRetries() > 0)
                .map(IpvsDirector::name).toList());
        out.add(new Finding("synproxy-stall", Severity.WARNING, where, -1, -1, retries, String.format(Locale.ROOT,
                "SYNPROXY on %s re-sent %,d SYNs toward real servers after the first was lost, on its fixed 3 s timer "
                        + "(the entry's SYN_SENT timeout), so requests already accepted from connected clients waited "
                        + "3 s, 6 s or 9 s for their first byte%s; time to first byte p99 %s ms, max %s ms.", where,
                retries, modeText.length() == 0 ? "" : " (" + modeText + ")", num(fb.quantile(0.99) / 1000.0),
                num(fb.max() / 1000.0)), facts));
    }

    // ---- IPVS director (seed 000's LVS curve, FullNAT) ----

    private void directorFindings() {
        for (IpvsDirector d : model.directors()) {
            if (d.reusedEntries() > 0) {
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("synsOnExistingEntries", d.reusedEntries());
                facts.put("conns", d.conns());
                int col = series.column(d.name() + ".conns");
                double peak = 0;
                double offeredAtPeak = 0;
                for (double[] row : series.rows()) {
                    if (col >= 0 && row[col] > peak) {
                        peak = row[col];
                        offeredAtPeak = row[1];
                    }
                }
                facts.put("peakNewConnsPerSecond", peak);
                out.add(new Finding("ipvs-entry-reuse", Severity.WARNING, d.name(), -1, -1, d.reusedEntries(),
                        String.format(Locale.ROOT, "%,d SYNs on %s found the IPVS entry of an earlier connection on the "
                                        + "same client address and port and went to the same real server without being "
                                        + "scheduled (not counted as new connections): the director's new-connection "
                                        + "rate peaked at %s/s (offered %s conn/s then) and falls as source ports "
                                        + "come back while their entries live.", d.reusedEntries(), d.name(),
                                num(peak), num(offeredAtPeak)), facts));
            }
            long drops = d.droppedNoEntry() + d.synsDroppedForConntrack() + d.droppedNoServer() + d.droppedNoLocalPort();
            if (drops > 0) {
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("droppedWithoutEntry", d.droppedNoEntry());
                facts.put("synsDroppedForConntrack", d.synsDroppedForConntrack());
                facts.put("droppedNoServer", d.droppedNoServer());
                facts.put("droppedNoLocalPort", d.droppedNoLocalPort());
                out.add(new Finding("director-drops", Severity.WARNING, d.name(), -1, -1, drops, String.format(
                        Locale.ROOT, "%s dropped %,d packets: %,d without a connection entry, %,d SYNs for a stale "
                                + "conntrack entry (conn_reuse_mode), %,d with no usable real server, %,d with no free "
                                + "local port.", d.name(), drops, d.droppedNoEntry(), d.synsDroppedForConntrack(),
                        d.droppedNoServer(), d.droppedNoLocalPort()), facts));
            }
        }
    }

    private void timeWaitOverflow() {
        for (TcpHost h : model.hosts()) {
            long n = h.counters().get(Counter.TCPTimeWaitOverflow);
            if (n > 0) {
                out.add(new Finding("time-wait-overflow", Severity.INFO, h.name(), -1, -1, n, String.format(Locale.ROOT,
                        "%s hit tcp_max_tw_buckets %,d times (%s): those sockets closed at once instead of entering "
                                + "TIME_WAIT, which removes their PAWS check and their protection against old "
                                + "duplicates.", h.name(), n, Counter.TCPTimeWaitOverflow.nstatName()),
                        Map.of("overflows", n)));
            }
        }
    }

    private void natFindings() {
        for (SnatGateway n : model.nats()) {
            if (n.allocationFailures() > 0) {
                out.add(new Finding("nat-port-exhaustion", Severity.CRITICAL, n.name(), -1, -1, n.allocationFailures(),
                        String.format(Locale.ROOT, "%s found no free port %,d times (range %d-%d on %d address(es)): "
                                        + "those SYNs were dropped.", n.name(), n.allocationFailures(), n.portLow(),
                                n.portHigh(), n.publicAddresses().length), Map.of("allocationFailures",
                        n.allocationFailures())));
            }
            if (n.droppedInvalid() > 0) {
                out.add(new Finding("nat-invalid-drop", Severity.WARNING, n.name(), -1, -1, n.droppedInvalid(),
                        String.format(Locale.ROOT, "%s dropped %,d packets that conntrack marks INVALID (a reply ACK "
                                        + "to a SYN): the client never sees the stale ACK, so it does not reset and "
                                        + "waits for its SYN retransmission instead.", n.name(), n.droppedInvalid()),
                        Map.of("droppedInvalid", n.droppedInvalid())));
            }
        }
    }

    private void linkLoss() {
        long lost = 0;
        long delivered = 0;
        for (Link l : model.links()) {
            lost += l.lost();
            delivered += l.delivered();
        }
        if (lost > 0) {
            out.add(new Finding("link-loss", Severity.INFO, "links", -1, -1, lost, String.format(Locale.ROOT,
                    "The links lost %,d of %,d packets (%s %%), as the scenario's loss settings ask.", lost,
                    lost + delivered, pct(share(lost, lost + delivered))), Map.of("lost", lost, "delivered", delivered)));
        }
    }

    // ---- helpers ----

    /** Widens [first, last] second to cover the rows where {@code column} is positive. */
    private void widen(long[] span, String column) {
        int col = series.column(column);
        if (col < 0) {
            return;
        }
        for (double[] row : series.rows()) {
            if (row[col] > 0) {
                span[0] = Math.min(span[0], (long) row[0]);
                span[1] = Math.max(span[1], (long) row[0]);
            }
        }
    }

    private static long first(long[] span) {
        return span[0] == Long.MAX_VALUE ? -1 : span[0];
    }

    private double value(String column, long second) {
        int col = series.column(column);
        for (double[] row : series.rows()) {
            if ((long) row[0] == second) {
                return row[col];
            }
        }
        return 0;
    }

    private String natNames() {
        return model.nats().stream().map(SnatGateway::name).reduce((a, b) -> a + ", " + b).orElse("the NAT");
    }

    /** "nginx-1..4" when the hosts are a whole scenario group, else their names. */
    private String hosts(List<TcpHost> hit) {
        for (Map.Entry<String, List<TcpHost>> g : model.hostGroups().entrySet()) {
            if (g.getValue().size() > 1 && g.getValue().equals(hit)) {
                return g.getKey() + "-1.." + hit.size();
            }
        }
        return names(hit);
    }

    private static String names(List<TcpHost> hosts) {
        return String.join(", ", hosts.stream().map(TcpHost::name).toList());
    }

    /** "between 1:04:30 and 2:00:00", or "" when no second is known. */
    static String between(long[] span) {
        if (span[1] < 0) {
            return "";
        }
        return span[0] == span[1] ? "at " + clock(span[0]) : "between " + clock(span[0]) + " and " + clock(span[1]);
    }

    /** Seconds since the start of the run as H:MM:SS. */
    static String clock(long second) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", second / 3600, second / 60 % 60, second % 60);
    }

    private static double share(long part, long whole) {
        return part / (double) Math.max(1, whole);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, share >= 0.1 ? "%.0f" : share >= 0.001 ? "%.1f" : "%.3f", share * 100);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v) : String.format(Locale.ROOT, "%,.1f", v);
    }
}
