package io.twlab.tcp;

import io.twlab.engine.RandomStreams;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.kernel.Sysctls;
import io.twlab.model.Capture;
import io.twlab.net.Link;
import io.twlab.net.Routing;
import io.twlab.model.RunResult;
import io.twlab.net.Packet;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.scenario.ScenarioSpec;
import io.twlab.metrics.FailureCause;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** TCP endpoint behaviours on small two- or three-element networks, one behaviour per test. */
class TcpBehaviourTest {
    /** One client, one server, a direct link; {@code %s} slots: client kernel, extra server/host YAML. */
    private static final String DIRECT = """
            name: direct
            duration: 300s
            hosts:
              - name: client
                kernel: %s
                address: 10.0.0.1
              - name: server
                kernel: linux-4.19
                address: 10.0.1.1
            links:
              - between: [client, server]
                latency: 1ms
            workloads:
              - name: w
                from: client
                to: server:80
                rate: 0.001
            """;

    private static RunResult run(String yaml, List<String> sets, Capture[] cap) {
        ScenarioSpec spec = ScenarioLoader.parse(yaml, "test.yaml", sets);
        return Capture.run(spec, "client", "server", cap);
    }

    private static double[] synTimes(Capture c) {
        return c.packets.stream().filter(p -> p.from().equals("client") && p.is(Packet.SYN))
                .mapToDouble(Capture.Seen::seconds).toArray();
    }

    @Test
    void httpTenExchangeLeavesTimeWaitOnTheServer() {
        Capture[] cap = new Capture[1];
        RunResult r = run(DIRECT.formatted("linux-4.19"), List.of("duration=10s"), cap);
        List<String> flags = cap[0].packets.stream().map(p -> p.from() + ":" + flagName(p)).toList();
        // SYN, SYN-ACK, ACK, request, response (carries the ACK of the request), the server's FIN right behind
        // it (write then close), the client's quick ACK of the data, its FIN (read() returned 0, close()), and
        // the server's last ACK, after which the server holds TIME_WAIT.
        assertThat(flags).containsExactly("client:SYN", "server:SYN,ACK", "client:ACK", "client:PSH,ACK",
                "server:PSH,ACK", "server:FIN,ACK", "client:ACK", "client:FIN,ACK", "server:ACK");
        TcpHost server = r.model().hostGroups().get("server").get(0);
        TcpHost client = r.model().hostGroups().get("client").get(0);
        assertThat(server.timeWait().count()).isEqualTo(1);
        assertThat(client.timeWait().count()).isZero();
        assertThat(server.counters().get(Counter.PassiveOpens)).isEqualTo(1);
        assertThat(client.counters().get(Counter.ActiveOpens)).isEqualTo(1);
        assertThat(r.model().clientStats().successes()).isEqualTo(1);
    }

    private static String flagName(Capture.Seen p) {
        Packet q = new Packet();
        q.flags = p.flags();
        return q.flagString();
    }

    private static final String LOSSY = DIRECT.replace("latency: 1ms", "latency: 1ms\n    loss: 1");

    /**
     * SYN times against a schedule: a connection timer fires on a jiffy tick, so the first arming (at connect(),
     * mid-jiffy) runs up to one jiffy short and the later ones, armed on ticks, keep that offset; from 4.8 the wheel
     * also fires each up to one slot of its level late, which adds up ({@code maxLate}, seconds after nominal).
     */
    private static void assertSchedule(double[] times, double jiffySeconds, double[] nominal, double[] maxLate) {
        assertThat(times).hasSize(nominal.length);
        for (int i = 0; i < nominal.length; i++) {
            assertThat(times[i]).as("SYN %d", i).isBetween(nominal[i] - jiffySeconds, nominal[i] + maxLate[i]);
        }
    }

    private static double jiffy(String kernel) {
        return 1.0 / Profiles.get(kernel).defaultHz();
    }

    private static void assertSchedule(double[] times, double jiffySeconds, double... nominal) {
        assertSchedule(times, jiffySeconds, nominal, new double[nominal.length]);
    }

    @Test
    void synScheduleLinuxThreeTen() {
        Capture[] cap = new Capture[1];
        RunResult r = run(LOSSY.formatted("linux-3.10"), List.of(), cap);
        // 3.10: 1 s initial RTO, doubling, 6 retries; the cascading wheel: on the jiffy (HZ 250).
        assertSchedule(synTimes(cap[0]), jiffy("linux-3.10"), 0, 1, 3, 7, 15, 31, 63);
        assertThat(r.model().clientStats().failures(FailureCause.SYN_TIMEOUT)).isEqualTo(1);
        assertThat(r.model().hostGroups().get("client").get(0).counters().get(Counter.TCPSynRetrans)).isEqualTo(6);
    }

    @Test
    void synScheduleLinuxTwoSixThirtyTwo() {
        // ≤3.0: TCP_TIMEOUT_INIT 3 s, 5 retries: 0, 3, 9, 21, 45, 93 s; fails at 189 s.
        Capture[] cap = new Capture[1];
        run(LOSSY.formatted("linux-2.6.32"), List.of(), cap);
        assertSchedule(synTimes(cap[0]), jiffy("linux-2.6.32"), 0, 3, 9, 21, 45, 93);
    }

    @Test
    void synScheduleLinuxSixEighteenWithLinearTimeouts() {
        // 6.5+: tcp_syn_linear_timeouts=4 keeps RTO at 1 s for the first retransmissions, max retries 6 + 4:
        // 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s; fails at 131 s. HZ 250 and the 4.8 wheel: a delay of 1 s or 2 s
        // (250, 500 jiffies: level 1) fires up to 8 jiffies = 32 ms late, 4-16 s (level 2) up to 64 jiffies =
        // 256 ms, 32 s (8000 jiffies, level 3) up to 512 jiffies = 2.048 s; the lateness adds up.
        Capture[] cap = new Capture[1];
        run(LOSSY.formatted("linux-6.18"), List.of(), cap);
        double l1 = 0.032;
        double l2 = 0.256;
        double l3 = 2.048;
        assertSchedule(synTimes(cap[0]), 0.004, new double[]{0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67},
                new double[]{0, l1, 2 * l1, 3 * l1, 4 * l1, 5 * l1, 6 * l1, 6 * l1 + l2, 6 * l1 + 2 * l2,
                        6 * l1 + 3 * l2, 6 * l1 + 3 * l2 + l3});
        // And the wheel does delay them: the 1 s re-send is not on its nominal jiffy.
        assertThat(synTimes(cap[0])[1]).isGreaterThan(1.0);
    }

    @Test
    void synRetriesSysctlShortensTheSchedule() {
        Capture[] cap = new Capture[1];
        RunResult r = run(LOSSY.formatted("linux-3.10"), List.of("hosts.client.sysctl.net.ipv4.tcp_syn_retries=2"), cap);
        assertSchedule(synTimes(cap[0]), jiffy("linux-3.10"), 0, 1, 3);
        assertThat(r.model().clientStats().failed()).isEqualTo(1);
    }

    @Test
    void applicationConnectTimeoutAbortsSilently() {
        Capture[] cap = new Capture[1];
        RunResult r = run(LOSSY.formatted("linux-3.10"), List.of("workloads.w.connect-timeout=2500ms"), cap);
        // SYNs at 0 and 1 s; the 3 s one is never sent because the application gave up at 2.5 s.
        assertSchedule(synTimes(cap[0]), jiffy("linux-3.10"), 0, 1);
        assertThat(r.model().clientStats().failures(FailureCause.CONNECT_TIMEOUT)).isEqualTo(1);
    }

    @Test
    void closedPortAnswersRstAndConnectIsRefused() {
        Simulator sim = new Simulator();
        RandomStreams random = new RandomStreams(1);
        KernelProfile profile = Profiles.get("linux-4.19");
        TcpHost client = new TcpHost(sim, "client", 0x0a000001, profile, new Sysctls(profile, Map.of()),
                new HostClock(Simulator.NS_PER_SEC, 250), random);
        TcpHost server = new TcpHost(sim, "server", 0x0a000101, profile, new Sysctls(profile, Map.of()),
                new HostClock(Simulator.NS_PER_SEC, 250), random);
        new Link(client, server, Simulator.NS_PER_MS, 0, 0, random.stream("link"));
        Routing.build(List.of(client, server));
        CloseReason[] reason = new CloseReason[1];
        client.connect(server.ip(), 81, new TcpApp() {
            public void onEstablished(TcpConnection c) { }
            public void onData(TcpConnection c, int bytes) { }
            public void onPeerFin(TcpConnection c) { }
            public void onClosed(TcpConnection c, CloseReason r) { reason[0] = r; }
        });
        sim.runUntil(5 * Simulator.NS_PER_SEC, null);
        // No listener: tcp_v4_send_reset answers RST|ACK with ack = ISN + 1; SYN_SENT takes it as ECONNREFUSED.
        assertThat(reason[0]).isEqualTo(CloseReason.REFUSED);
        assertThat(server.counters().get(Counter.OutRsts)).isEqualTo(1);
        assertThat(client.counters().get(Counter.AttemptFails)).isEqualTo(1);
        assertThat(client.connectionCount()).isZero();
    }

    @Test
    void clientCloseFirstPutsTimeWaitOnTheClientAndTwReuseTakesItOver() {
        // Client closes first: TIME_WAIT on the client. With 4 ephemeral ports and 2 conn/s, ports return every
        // 2 s while their TIME_WAIT lasts 60 s: without tw_reuse connect() finds no port (EADDRNOTAVAIL); with
        // tcp_tw_reuse=1 and timestamps, a TIME_WAIT older than 1 s (4.19 rule) is taken over (TWRecycled).
        String yaml = DIRECT.formatted("linux-4.19").replace("rate: 0.001", "rate: 2\n    pattern: client-close")
                .replace("address: 10.0.0.1", "address: 10.0.0.1\n    sysctl:\n      net.ipv4.ip_local_port_range: 40000-40003");
        Capture[] cap = new Capture[1];
        RunResult without = run(yaml, List.of("duration=30s"), cap);
        TcpHost client = without.model().hostGroups().get("client").get(0);
        assertThat(client.timeWait().count()).isEqualTo(4);
        assertThat(without.model().clientStats().failures(FailureCause.NO_PORT)).isGreaterThan(40);

        RunResult with = run(yaml, List.of("duration=30s", "hosts.client.sysctl.net.ipv4.tcp_tw_reuse=1"), cap);
        TcpHost reusing = with.model().hostGroups().get("client").get(0);
        assertThat(reusing.counters().get(Counter.TWRecycled)).isGreaterThan(40);
        assertThat(with.model().clientStats().failures(FailureCause.NO_PORT)).isZero();
    }

    /** Two clients behind one SNAT address in front of a 3.10 server with tcp_tw_recycle=1. */
    private static final String RECYCLE_BEHIND_NAT = """
            name: recycle
            duration: 120s
            hosts:
              - name: client
                count: 2
                kernel: linux-3.10
                address: 10.0.0.1
              - name: server
                kernel: linux-3.10
                address: 10.0.1.1
                sysctl:
                  net.ipv4.tcp_tw_recycle: 1
            nats:
              - name: nat
                inside: [client]
                public-ips: [20.0.0.1]
                allocation: random
            links:
              - between: [client, nat]
              - between: [nat, server]
                latency: 1ms
            workloads:
              - name: w
                from: client
                to: server:80
                rate: 20
                connect-timeout: 3s
            """;

    @Test
    void twRecycleDropsSynsFromHostsBehindOneNatSilently() {
        // Seeds 003/004: tw_recycle=1 on a pre-4.12 server remembers the latest TSval per peer address; two
        // clients behind one SNAT address have unrelated clocks, so within 60 s the one with the older clock is
        // dropped without an answer (PAWSPassive) and only retransmits.
        String yaml = RECYCLE_BEHIND_NAT;
        RunResult r = Capture.run(ScenarioLoader.parse(yaml, "t.yaml", List.of()), "nat", "server", new Capture[1]);
        TcpHost server = r.model().hostGroups().get("server").get(0);
        assertThat(server.counters().get(Counter.PAWSPassive)).isGreaterThan(100);
        assertThat(r.model().clientStats().failures(FailureCause.CONNECT_TIMEOUT)).isGreaterThan(50);

        RunResult off = Capture.run(ScenarioLoader.parse(yaml, "t.yaml",
                List.of("hosts.server.sysctl.net.ipv4.tcp_tw_recycle=0")), "nat", "server", new Capture[1]);
        assertThat(off.model().hostGroups().get("server").get(0).counters().get(Counter.PAWSPassive)).isZero();
        assertThat(off.model().clientStats().failed()).isZero();
    }

    @Test
    void twRecycleIsHarmlessWithDistinctClientAddresses() {
        // LVS DR mode keeps client addresses: each peer's TSval series is monotonic, nothing is dropped.
        // The same system without the NAT: clients linked straight to the server.
        String yaml = RECYCLE_BEHIND_NAT.replace("nats:\n  - name: nat\n    inside: [client]\n"
                + "    public-ips: [20.0.0.1]\n    allocation: random\nlinks:\n  - between: [client, nat]\n"
                + "  - between: [nat, server]\n", "links:\n  - between: [client, server]\n");
        RunResult r = Capture.run(ScenarioLoader.parse(yaml, "t.yaml", List.of()), "client", "server", new Capture[1]);
        assertThat(r.model().nats()).as("the clients reach the server directly").isEmpty();
        TcpHost server = r.model().hostGroups().get("server").get(0);
        assertThat(server.counters().get(Counter.PAWSPassive)).isZero();
        assertThat(r.model().clientStats().failed()).isZero();
        // Every exchange left its TIME_WAIT on the server, and with recycle each lasted 3.5 x RTO: the RTO is
        // the 200 ms minimum, so 700 ms, rounded to the recycle timer's 128 ms ticks: under 1 s, where without
        // recycle it would be 60 s.
        var tl = r.model().timeWaitLifetimes().get("server");
        assertThat(tl.count()).isPositive();
        assertThat(tl.maxSeconds()).isGreaterThanOrEqualTo(0.7).isLessThan(1.0);
    }

    @Test
    void maxTwBucketsOverflowSkipsTimeWait() {
        Capture[] cap = new Capture[1];
        RunResult r = run(DIRECT.formatted("linux-4.19").replace("rate: 0.001", "rate: 10"),
                List.of("duration=20s", "hosts.server.sysctl.net.ipv4.tcp_max_tw_buckets=50"), cap);
        TcpHost server = r.model().hostGroups().get("server").get(0);
        // 10 conn/s for 20 s = 200 closes; at most 50 TIME_WAITs, the other 150 overflow.
        assertThat(server.timeWait().count()).isEqualTo(50);
        assertThat(server.counters().get(Counter.TCPTimeWaitOverflow)).isEqualTo(150);
    }

    @Test
    void lossyLinkStillCompletesExchangesThroughRetransmission() {
        Capture[] cap = new Capture[1];
        RunResult r = run(DIRECT.formatted("linux-4.19").replace("rate: 0.001", "rate: 20")
                .replace("latency: 1ms", "latency: 1ms\n    loss: 5%"), List.of("duration=60s"), cap);
        long done = r.model().clientStats().successes();
        long attempts = r.model().clientStats().attempts();
        // 20/s for 60 s = 1200 exchanges, and no timeout is configured: none may fail. Those still open at the end
        // are the last second's (20) and the few in a backoff after two losses in a row (5 % x 5 %).
        assertThat(attempts).isEqualTo(1200);
        assertThat(r.model().clientStats().failed()).isZero();
        assertThat(attempts - done).isLessThan(30);
        // A connect needs a SYN retransmission when the SYN or the SYN-ACK is lost: 1 - 0.95^2 = 9.75 %, i.e.
        // 117 of 1200 expected (binomial sd 10); the bounds are 6 sd.
        assertThat(r.model().clientStats().synRetransmittedConnects()).isBetween(55L, 180L);
        assertThat(r.model().hostGroups().get("server").get(0).counters().get(Counter.RetransSegs)).isGreaterThan(0);
        assertThat(synTimes(cap[0])[0]).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void keepAliveCarriesKExchangesThenTheClientCloses() {
        Capture[] cap = new Capture[1];
        RunResult r = run(DIRECT.formatted("linux-4.19").replace("rate: 0.001",
                "rate: 0.001\n    pattern: keep-alive\n    requests-per-connection: 5"), List.of("duration=10s"), cap);
        long requests = cap[0].packets.stream().filter(p -> p.from().equals("client") && p.length() > 0).count();
        long responses = cap[0].packets.stream().filter(p -> p.from().equals("server") && p.length() > 0).count();
        // Five 300-byte requests and five 1000-byte responses on one connection; the client closes first, so
        // the TIME_WAIT is on the client.
        assertThat(requests).isEqualTo(5);
        assertThat(responses).isEqualTo(5);
        assertThat(r.model().clientStats().successes()).isEqualTo(1);
        assertThat(r.model().hostGroups().get("client").get(0).timeWait().count()).isEqualTo(1);
        assertThat(r.model().hostGroups().get("server").get(0).timeWait().count()).isZero();
    }

    @Test
    void retryPolicyOpensNewConnectionsAfterAFailure() {
        // Every packet is lost; connect timeout 1.5 s, 2 retries 0.5 s apart: connects at 0, 2 and 4 s (each on
        // a new socket, so ActiveOpens = 3), one request failed.
        Capture[] cap = new Capture[1];
        RunResult r = run(LOSSY.formatted("linux-3.10"), List.of("workloads.w.connect-timeout=1500ms",
                "workloads.w.retries=2", "workloads.w.retry-delay=500ms", "duration=20s"), cap);
        TcpHost client = r.model().hostGroups().get("client").get(0);
        assertThat(client.counters().get(Counter.ActiveOpens)).isEqualTo(3);
        assertThat(r.model().clientStats().failures(FailureCause.CONNECT_TIMEOUT)).isEqualTo(1);
        assertThat(r.model().clientStats().connects()).isEqualTo(3);
        // Each attempt sends its SYN and one retransmission 1 s later before the application gives up.
        assertSchedule(synTimes(cap[0]), jiffy("linux-3.10"), 0, 1, 2, 3, 4, 5);
    }

    @Test
    void orphanedFinWait2BecomesABucketThatLivesTcpFinTimeout() {
        // tcp_close(): an orphan whose FIN is acknowledged, with tcp_fin_timeout <= 60 s, is replaced at once by a
        // TIME_WAIT bucket in substate FIN_WAIT2 that lives max(fin_timeout, 3.5 RTO) = 10 s here.
        Simulator sim = new Simulator();
        RandomStreams random = new RandomStreams(1);
        KernelProfile profile = Profiles.get("linux-4.4");
        TcpHost client = new TcpHost(sim, "client", 0x0a000001, profile,
                new Sysctls(profile, Map.of(io.twlab.kernel.Sysctls.TCP_FIN_TIMEOUT, 10L)),
                new HostClock(Simulator.NS_PER_SEC, 1000), random);
        TcpHost server = new TcpHost(sim, "server", 0x0a000101, profile, new Sysctls(profile, Map.of()),
                new HostClock(Simulator.NS_PER_SEC, 1000), random);
        new Link(client, server, Simulator.NS_PER_MS, 0, 0, random.stream("link"));
        Routing.build(List.of(client, server));
        TcpApp silent = new TcpApp() {
            public void onEstablished(TcpConnection c) { }
            public void onData(TcpConnection c, int bytes) { }
            public void onPeerFin(TcpConnection c) { } // never closes: the client stays in FIN_WAIT2
            public void onClosed(TcpConnection c, CloseReason r) { }
        };
        server.listen(80, 128, c -> silent);
        client.connect(server.ip(), 80, new TcpApp() {
            public void onEstablished(TcpConnection c) { c.close(); }
            public void onData(TcpConnection c, int bytes) { }
            public void onPeerFin(TcpConnection c) { }
            public void onClosed(TcpConnection c, CloseReason r) { }
        });
        sim.runUntil(5 * Simulator.NS_PER_SEC, null);
        assertThat(client.timeWait().count()).isEqualTo(1);
        int onlyEntry = 0; // the table's first slot
        assertThat(client.timeWait().substate(onlyEntry)).isEqualTo(TimeWaitTable.SUBSTATE_FIN_WAIT2);
        assertThat(client.connectionCount()).isZero();
        // Entered at ~4 ms (SYN, SYN-ACK, FIN, ACK over 1 ms links); gone 10 s later (exact timer on 4.4).
        sim.runUntil(10 * Simulator.NS_PER_SEC, null);
        assertThat(client.timeWait().count()).isEqualTo(1);
        sim.runUntil(10_100 * Simulator.NS_PER_MS, null);
        assertThat(client.timeWait().count()).isZero();
        assertThat(client.counters().get(Counter.TW)).isEqualTo(1);
    }

    @Test
    void aSynWithANewerTimestampReopensTheServersTimeWaitWithIsnSndNxtPlus65537() {
        // One client port, so every connection reuses the 4-tuple the server still holds in TIME_WAIT (60 s).
        // The client's TSval only grows, so each SYN is accepted (TW_SYN) and the server's new ISN continues the
        // old sequence space: SYN-ACK seq = old snd_nxt + 65535 + 2.
        Capture[] cap = new Capture[1];
        RunResult r = run(DIRECT.formatted("linux-4.19").replace("rate: 0.001", "rate: 1").replace(
                "address: 10.0.0.1", "address: 10.0.0.1\n    sysctl:\n      net.ipv4.ip_local_port_range: 40000-40000"),
                List.of("duration=5s"), cap);
        assertThat(r.model().clientStats().successes()).isEqualTo(5);
        List<Capture.Seen> pk = cap[0].packets;
        int reopened = 0;
        Integer lastServerAckSeq = null;
        for (Capture.Seen p : pk) {
            if (p.from().equals("server") && p.is(Packet.ACK) && p.length() == 0) {
                lastServerAckSeq = p.seq(); // the server's final ACK carries snd_nxt after its FIN
            }
            if (p.from().equals("server") && p.is(Packet.SYN | Packet.ACK) && lastServerAckSeq != null) {
                assertThat(p.seq()).isEqualTo(lastServerAckSeq + 65537);
                reopened++;
            }
        }
        assertThat(reopened).isEqualTo(4);
        TcpHost server = r.model().hostGroups().get("server").get(0);
        assertThat(server.counters().get(Counter.PAWSEstab)).isZero();
        assertThat(server.timeWait().count()).isEqualTo(1);
    }
}
