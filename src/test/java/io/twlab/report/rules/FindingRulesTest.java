package io.twlab.report.rules;

import io.twlab.metrics.FailureCause;
import io.twlab.metrics.LatencyHistogram;
import io.twlab.model.SeriesKey;
import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.Findings;
import io.twlab.report.RunFacts;
import io.twlab.report.RunFacts.Clients;
import io.twlab.report.RunFacts.Director;
import io.twlab.report.RunFacts.Host;
import io.twlab.report.RunFacts.Links;
import io.twlab.report.RunFacts.Nat;
import io.twlab.report.Series;
import io.twlab.tcp.Counter;
import io.twlab.tcp.NoPortCause;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each finding rule on a run's facts built by hand: the figures in, the finding's kind, severity, span, count,
 * facts and sentence out. No simulation runs here; the scenario tests check that runs produce such facts.
 */
class FindingRulesTest {
    private static final long[] SECONDS = {1, 2, 3, 4};

    private static Clients clients(long attempts, long successes, Map<FailureCause, Long> failures) {
        return new Clients(attempts, successes, failures, successes, 0, new LatencyHistogram(), new LatencyHistogram());
    }

    private static Clients quietClients() {
        return clients(1000, 1000, Map.of());
    }

    private static RunFacts run(Clients c, List<Host> hosts, List<Nat> nats, List<Director> directors, Series s) {
        return new RunFacts(c, hosts, Map.of(), nats, directors, new Links(0, 0), s);
    }

    private static RunFacts runWithGroup(List<Host> hosts, Map<String, List<String>> groups, List<Nat> nats,
                                         Series s) {
        return new RunFacts(quietClients(), hosts, groups, nats, List.of(), new Links(0, 0), s);
    }

    private static Series empty() {
        return Series.over(SECONDS).build();
    }

    private static Host server(String name, String kernel, Map<Counter, Long> counters, double twMax) {
        return new Host(name, kernel, true, counters, twMax);
    }

    // ---- PAWS in TIME_WAIT ----

    /** Two servers of one group, the NAT's reuse age dipping below the TIME_WAIT lifetime while they reject. */
    @Test
    void pawsRejectsNameTheOnsetAndTheReuseAgeAgainstTimeWait() {
        Series s = Series.over(SECONDS)
                .put(SeriesKey.OFFERED_RATE, 500, 564, 600, 700)
                .put(SeriesKey.counter("nginx-1", Counter.PAWSTimewait), 0, 10, 20, 0)
                .put(SeriesKey.counter("nginx-2", Counter.PAWSTimewait), 0, 0, 5, 7)
                .put(SeriesKey.natMinReuseAge("fw"), 30.0, -1, 52.3, 48.1)
                .build();
        RunFacts run = runWithGroup(List.of(
                        server("nginx-1", "linux-3.10", Map.of(Counter.PAWSTimewait, 30L), 67.0),
                        server("nginx-2", "linux-2.6.32", Map.of(Counter.PAWSTimewait, 12L), 61.2)),
                Map.of("nginx", List.of("nginx-1", "nginx-2")),
                List.of(new Nat("fw", 0, 0, 2048, 65535, 1)), s);

        List<Finding> f = new PawsRejectRule().apply(run);

        assertThat(f).hasSize(1);
        Finding p = f.get(0);
        assertThat(p.kind()).isEqualTo("paws-timewait-reject");
        assertThat(p.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(p.count()).isEqualTo(30 + 12);
        // Rejects are positive from second 2 (nginx-1) to second 4 (nginx-2).
        assertThat(p.fromSecond()).isEqualTo(2);
        assertThat(p.toSecond()).isEqualTo(4);
        assertThat(p.facts()).containsEntry("onsetOfferedRate", 564.0)
                // Within seconds 2..4 the non-negative ages are 52.3 and 48.1; second 1's 30.0 is before the onset.
                .containsEntry("minPortReuseAgeSeconds", 48.1)
                .containsEntry("timeWaitMaxSeconds", 67.0)
                .containsEntry("kernels", List.of("linux-2.6.32", "linux-3.10"))
                .containsEntry("counter", Counter.PAWSTimewait.nstatName());
        assertThat(p.text()).contains("PAWS rejected 42 SYNs on nginx-1..2 between 0:00:02 and 0:00:04")
                .contains("Onset at 564 conn/s offered")
                .contains("fw handed source ports out again after as little as 48.1 s")
                .contains("(TIME_WAIT lived up to 67.0 s in this run)");
        assertThat(p.where()).isEqualTo("nginx-1, nginx-2");
    }

    @Test
    void pawsRejectsWithoutANatNameTheTimeWaitLifetimeOnly() {
        RunFacts run = run(quietClients(), List.of(server("web", "linux-6.18", Map.of(Counter.PAWSEstab, 5L), 60.0)),
                List.of(), List.of(), empty());

        Finding p = new PawsRejectRule().apply(run).get(0);

        // No series column moved, so the finding has no span and no onset.
        assertThat(p.fromSecond()).isEqualTo(-1);
        assertThat(p.toSecond()).isEqualTo(-1);
        assertThat(p.facts()).doesNotContainKeys("onsetSecond", "minPortReuseAgeSeconds")
                .containsEntry("counter", Counter.PAWSEstab.nstatName());
        assertThat(p.text()).contains("PAWS rejected 5 SYNs on web  (")
                .contains("Cause: SYNs reused 4-tuples still in TIME_WAIT on linux-6.18 (TIME_WAIT lived up to 60.0 s");
    }

    @Test
    void noPawsCounterNoPawsFinding() {
        RunFacts run = run(quietClients(), List.of(server("web", "linux-6.18", Map.of(Counter.PassiveOpens, 900L), 60)),
                List.of(), List.of(), empty());
        assertThat(new PawsRejectRule().apply(run)).isEmpty();
    }

    /** Clients count PAWS too (a client's own TIME_WAIT); only servers' rejects are seed 000's failure. */
    @Test
    void clientHostsPawsIsNotCounted() {
        Host client = new Host("client", "linux-6.18", false, Map.of(Counter.PAWSTimewait, 3L), -1);
        assertThat(new PawsRejectRule().apply(run(quietClients(), List.of(client), List.of(), List.of(), empty())))
                .isEmpty();
    }

    // ---- tcp_tw_recycle ----

    @Test
    void recycleDropsAreOneFindingPerHostWithTheirSpan() {
        Series s = Series.over(SECONDS).put(SeriesKey.counter("rs1", Counter.PAWSPassive), 0, 0, 4, 0).build();
        RunFacts run = run(quietClients(), List.of(
                server("rs1", "linux-3.10", Map.of(Counter.PAWSPassive, 4L), 60),
                server("rs2", "linux-3.10", Map.of(), 60)), List.of(), List.of(), s);

        List<Finding> f = new TwRecycleRule().apply(run);

        assertThat(f).extracting(Finding::where).containsExactly("rs1");
        assertThat(f.get(0).fromSecond()).isEqualTo(3);
        assertThat(f.get(0).toSecond()).isEqualTo(3);
        assertThat(f.get(0).text()).contains("silently dropped 4 SYNs at 0:00:03");
    }

    // ---- clients ----

    /** One failed request in a thousand is the critical threshold: 1/1000 = 0.001 is critical, 1/1001 is not. */
    @Test
    void clientFailuresBecomeCriticalFromOneInAThousand() {
        Map<FailureCause, Long> one = Map.of(FailureCause.RESET, 1L);
        Finding atThreshold = new ClientFailureRule().apply(run(clients(1000, 999, one), List.of(), List.of(),
                List.of(), empty())).get(0);
        Finding below = new ClientFailureRule().apply(run(clients(1001, 1000, one), List.of(), List.of(),
                List.of(), empty())).get(0);
        assertThat(atThreshold.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(below.severity()).isEqualTo(Severity.WARNING);
        assertThat(atThreshold.facts()).containsEntry("reset", 1L).containsEntry("share", 0.001);
        assertThat(atThreshold.text()).startsWith("1 of 1,000 requests failed (0.1 %)").endsWith(": reset 1.");
    }

    @Test
    void noFailedRequestNoClientFinding() {
        assertThat(new ClientFailureRule().apply(run(quietClients(), List.of(), List.of(), List.of(), empty())))
                .isEmpty();
    }

    /** Connect latencies at 1 s and 3 s (the two initial RTOs) show as stall modes; 0.2 ms connects do not. */
    @Test
    void synRetransmitStallsClusterAtTheRtoSteps() {
        LatencyHistogram connect = new LatencyHistogram();
        for (int i = 0; i < 990; i++) {
            connect.record(200);
        }
        for (int i = 0; i < 7; i++) {
            connect.record(1_000_400);
        }
        for (int i = 0; i < 3; i++) {
            connect.record(3_001_000);
        }
        Clients c = new Clients(1000, 1000, Map.of(), 1000, 10, connect, new LatencyHistogram());

        Finding f = new SynRetransmitStallRule().apply(run(c, List.of(), List.of(), List.of(), empty())).get(0);

        assertThat(f.count()).isEqualTo(10);
        // 10 of 1000 = 1 %: above the 0.1 % warning share.
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.facts().get("stallModes")).isEqualTo(Map.of("1s", 7L, "3s", 3L));
        assertThat(f.text()).contains("10 of 1,000 connects completed only after a SYN retransmission (1.0 %)")
                .contains("stalls 7 near 1 s, 3 near 3 s");
    }

    @Test
    void aRareSynRetransmissionIsOnlyInformation() {
        Clients c = new Clients(100_000, 100_000, Map.of(), 100_000, 5, new LatencyHistogram(), new LatencyHistogram());
        // 5 of 100,000 = 0.005 % < 0.1 %.
        assertThat(new SynRetransmitStallRule().apply(run(c, List.of(), List.of(), List.of(), empty())).get(0)
                .severity()).isEqualTo(Severity.INFO);
    }

    // ---- director ----

    @Test
    void synProxyStallsShowInTheFirstByteAtThreeSecondSteps() {
        LatencyHistogram firstByte = new LatencyHistogram();
        firstByte.record(3_000_500);
        firstByte.record(3_100_000);
        firstByte.record(6_001_000);
        firstByte.record(900);
        Clients c = new Clients(4, 4, Map.of(), 4, 0, new LatencyHistogram(), firstByte);
        Director lvs = new Director("lvs", 0, 4, 0, 0, 0, 0, 4);

        Finding f = new SynProxyStallRule().apply(run(c, List.of(), List.of(), List.of(lvs), empty())).get(0);

        assertThat(f.where()).isEqualTo("lvs");
        assertThat(f.count()).isEqualTo(4);
        assertThat(f.facts().get("stallModes")).isEqualTo(Map.of("3s", 2L, "6s", 1L));
        assertThat(f.text()).contains("(2 near 3 s, 1 near 6 s)");
    }

    @Test
    void entryReuseReportsThePeakNewConnectionRateAndTheOfferedRateThen() {
        Series s = Series.over(SECONDS)
                .put(SeriesKey.OFFERED_RATE, 400, 529, 600, 700)
                .put(SeriesKey.directorConns("lvs"), 400, 529, 120, 30)
                .build();
        Director lvs = new Director("lvs", 1_250, 1_079, 0, 0, 0, 0, 0);

        Finding f = new IpvsEntryReuseRule().apply(run(quietClients(), List.of(), List.of(), List.of(lvs), s)).get(0);

        assertThat(f.facts()).containsEntry("peakNewConnsPerSecond", 529.0).containsEntry("conns", 1_079L);
        assertThat(f.text()).startsWith("1,250 SYNs on lvs found the IPVS entry")
                .contains("peaked at 529/s (offered 529 conn/s then)");
    }

    @Test
    void directorDropsAddUpTheirReasons() {
        Director lvs = new Director("lvs", 0, 10, 3, 5, 0, 2, 0);
        Finding f = new DirectorDropRule().apply(run(quietClients(), List.of(), List.of(), List.of(lvs), empty()))
                .get(0);
        assertThat(f.count()).isEqualTo(3 + 5 + 0 + 2);
        assertThat(f.text()).isEqualTo("lvs dropped 10 packets: 3 without a connection entry, 5 SYNs for a stale "
                + "conntrack entry (conn_reuse_mode), 0 with no usable real server, 2 with no free local port.");
        assertThat(new DirectorDropRule().apply(run(quietClients(), List.of(), List.of(),
                List.of(new Director("lvs", 9, 10, 0, 0, 0, 0, 0)), empty()))).isEmpty();
    }

    // ---- TIME_WAIT overflow, NAT, links ----

    @Test
    void timeWaitOverflowIsPerHost() {
        RunFacts run = run(quietClients(), List.of(
                server("a", "linux-6.18", Map.of(Counter.TCPTimeWaitOverflow, 7L), 60),
                server("b", "linux-6.18", Map.of(), 60),
                new Host("c", "linux-6.18", false, Map.of(Counter.TCPTimeWaitOverflow, 1L), -1)),
                List.of(), List.of(), empty());
        assertThat(new TimeWaitOverflowRule().apply(run)).extracting(Finding::where, Finding::count)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 7L), org.assertj.core.groups.Tuple.tuple("c", 1L));
    }

    /** EADDRNOTAVAIL by cause: the total is the sum of the causes, the remedy follows the largest one. */
    @Test
    void clientPortExhaustionNamesTheHoldersAndTheMatchingFix() {
        Host reuseOff = new Host("c1", "linux-6.18", false, Map.of(), -1,
                Map.of(NoPortCause.TIME_WAIT, 900L, NoPortCause.IN_USE, 3L));
        Host full = new Host("c2", "linux-6.18", false, Map.of(), -1, Map.of(NoPortCause.IN_USE, 5L));
        Host fine = new Host("c3", "linux-6.18", false, Map.of(), -1);
        List<Finding> out = new ClientPortExhaustionRule().apply(run(quietClients(), List.of(reuseOff, full, fine),
                List.of(), List.of(), empty()));
        assertThat(out).extracting(Finding::where, Finding::count).containsExactly(
                org.assertj.core.groups.Tuple.tuple("c1", 903L), org.assertj.core.groups.Tuple.tuple("c2", 5L));
        assertThat(out.get(0).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(out.get(0).text()).isEqualTo("c1: connect() found no free local port 903 times (EADDRNOTAVAIL), "
                + "the ports held by in-use 3, time-wait 900. Most were this host's own TIME_WAIT sockets: "
                + "tcp_tw_reuse=1 lets connect() take them over (timestamps needed), or let the server close first.");
        assertThat(out.get(1).text()).endsWith("tcp_tw_reuse cannot help.");
        assertThat(out.get(0).facts()).containsEntry("time-wait", 900L).containsEntry("in-use", 3L);
    }

    @Test
    void natFindingsNameTheRangeAndTheInvalidDrops() {
        Nat fw = new Nat("fw", 12, 0, 2048, 65535, 2);
        Nat router = new Nat("router", 0, 40, 1024, 65535, 1);
        RunFacts run = run(quietClients(), List.of(), List.of(fw, router), List.of(), empty());

        assertThat(new NatPortExhaustionRule().apply(run)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(f.text()).isEqualTo("fw found no free port 12 times (range 2048-65535 on 2 address(es)): "
                    + "those SYNs were dropped.");
        });
        assertThat(new NatInvalidDropRule().apply(run)).singleElement().satisfies(f -> {
            assertThat(f.where()).isEqualTo("router");
            assertThat(f.count()).isEqualTo(40);
        });
    }

    @Test
    void linkLossGivesTheShareOfAllPackets() {
        RunFacts run = new RunFacts(quietClients(), List.of(), Map.of(), List.of(), List.of(), new Links(25, 975),
                empty());
        // 25 of 25 + 975 = 1000 packets: 2.5 %.
        assertThat(new LinkLossRule().apply(run).get(0).text())
                .isEqualTo("The links lost 25 of 1,000 packets (2.5 %), as the scenario's loss settings ask.");
        assertThat(new LinkLossRule().apply(run(quietClients(), List.of(), List.of(), List.of(), empty()))).isEmpty();
    }

    // ---- the whole list ----

    @Test
    void theAllClearComesFirstOnlyWhenNothingIsAboveInformation() {
        RunFacts overflowOnly = run(clients(1000, 990, Map.of()), List.of(
                server("a", "linux-6.18", Map.of(Counter.TCPTimeWaitOverflow, 7L), 60)), List.of(), List.of(), empty());
        assertThat(Findings.of(overflowOnly)).extracting(Finding::kind)
                .containsExactly("no-failures", "time-wait-overflow");
        assertThat(Findings.of(overflowOnly).get(0).text())
                .isEqualTo("No failures: 990 of 1,000 requests succeeded (10 still in flight when the run ended), "
                        + "and no host rejected or dropped a SYN.");

        RunFacts failing = run(clients(1000, 900, Map.of(FailureCause.CONNECT_TIMEOUT, 100L)), List.of(
                server("a", "linux-6.18", Map.of(Counter.TCPTimeWaitOverflow, 7L, Counter.PAWSTimewait, 100L), 60)),
                List.of(), List.of(new Director("lvs", 0, 10, 1, 0, 0, 0, 0)), empty());
        // Most severe first, rule order within a severity.
        assertThat(Findings.of(failing)).extracting(Finding::kind)
                .containsExactly("paws-timewait-reject", "client-failures", "director-drops", "time-wait-overflow");
    }
}
