package io.twlab.model;

import io.twlab.net.Packet;
import io.twlab.report.Json;
import io.twlab.report.RunSummary;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.scenario.ScenarioSpec;
import io.twlab.tcp.Counter;
import io.twlab.tcp.TcpHost;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Seed 000 on the shipped scenario: 63,488 source ports handed out round-robin, so a 4-tuple comes back after
 * 63488 / rate seconds; a PAWS reject needs it back while the server still holds it in TIME_WAIT.
 */
class NatPawsTest {
    private static final Path SCENARIO = Path.of("scenarios/nat-paws-2.6.yaml");

    static RunResult run(String... sets) {
        List<String> all = new ArrayList<>(List.of(sets));
        return Runner.run(ScenarioLoader.load(SCENARIO, all), null);
    }

    static TcpHost nginx(RunResult r) {
        return r.model().hostGroups().get("nginx").get(0);
    }

    static long pawsRejects(RunResult r) {
        TcpHost h = nginx(r);
        return h.counters().get(h.profile().pawsTimewaitCounter() == io.twlab.kernel.PawsCounter.PAWS_TIMEWAIT ? Counter.PAWSTimewait : Counter.PAWSEstab);
    }

    @Test
    void rhel6NoRejectsAt540ButRejectsAt700() {
        // 63488 / 540 = 117.6 s > 112.5 s, the longest a loaded 2.6.32 TIME_WAIT lives: never reused in time.
        RunResult at540 = run("workloads.partner.rate=540", "duration=400s");
        assertThat(pawsRejects(at540)).isZero();
        assertThat(at540.model().clientStats().failed()).isZero();
        // 63488 / 700 = 90.7 s < 97.5 s, the shortest a loaded TIME_WAIT lives: every reuse meets one, and with
        // eight unrelated uptime clocks a share of the SYNs carries an older TSval.
        RunResult at700 = run("workloads.partner.rate=700", "duration=300s");
        assertThat(pawsRejects(at700)).isGreaterThan(1000);
        assertThat(at700.model().clientStats().failed()).isGreaterThan(0);
    }

    @Test
    void rhel7NoRejectsAt900ButRejectsAt1100() {
        // 3.10.0-1127: loaded TIME_WAIT <= 67 s. 63488 / 900 = 70.5 s > 67; 63488 / 1100 = 57.7 s < 60.
        RunResult at900 = run("hosts.nginx.kernel=linux-3.10.0-1127", "workloads.partner.rate=900", "duration=300s");
        assertThat(pawsRejects(at900)).isZero();
        RunResult at1100 = run("hosts.nginx.kernel=linux-3.10.0-1127", "workloads.partner.rate=1100", "duration=300s");
        assertThat(pawsRejects(at1100)).isGreaterThan(1000);
    }

    @Test
    void onePartnerHostWithMonotonicTimestampsIsNeverRejected() {
        // One host on 4.19 (per-address-pair offset): all its SYNs to nginx share one offset, TSval only grows,
        // so a reused tuple is reopened (TW_SYN) even at 1100 conn/s, far beyond the 564 conn/s onset.
        RunResult r = run("hosts.partner.count=1", "hosts.partner.kernel=linux-4.19", "workloads.partner.rate=1100",
                "duration=300s");
        assertThat(pawsRejects(r)).isZero();
        assertThat(nginx(r).counters().get(Counter.PassiveOpens)).isGreaterThan(300_000);
    }

    @Test
    void onePartnerHostOnSixEighteenIsEnoughForRejects() {
        // 6.18 offsets are per 4-tuple: each client port has its own TSval offset, and the NAT maps many client
        // ports onto one public port over time, so one host is enough (shared/reference/real-kernel-6.18.md).
        // Here the firewall forgets closed sessions after 1 s, so every connect takes the next public port, back
        // after 63488 / 700 = 90.7 s < 97.5 s, the shortest loaded 2.6.32 TIME_WAIT.
        RunResult r = run("hosts.partner.count=1", "hosts.partner.kernel=linux-6.18", "workloads.partner.rate=700",
                "duration=300s", "nats.partner-nat.timeouts.close=1s", "nats.partner-nat.timeouts.time-wait=1s");
        assertThat(pawsRejects(r)).isGreaterThan(1000);
    }

    @Test
    void aSixEighteenClientsPortWalkRevisitsItsPortsWithinTheFirewallsTenSecondHold() {
        // 5.18+ __inet_hash_connect advances a bucket by max(i, 2 * U{0..7}) + 2, mean 9 ports per connect, and
        // re-keys it every 10 s: at 700 conn/s one host walks 28,232 ports in 28232 / (700 * 9) = 4.5 s, so within
        // a period later laps land on ports of earlier ones with probability about 2 / 9 per lap, while the
        // firewall (round-robin, closed sessions held 10 s) still holds their mapping and reuses it: same public
        // port, same 4-tuple, same offset, no reject. Between 20 % and 50 % of connects reuse a mapping, and the
        // public ports cycle more slowly than 63488 / 700 = 90.7 s.
        RunResult r = run("hosts.partner.count=1", "hosts.partner.kernel=linux-6.18", "workloads.partner.rate=700",
                "duration=300s");
        io.twlab.nat.SnatGateway fw = r.model().nats().get(0);
        long connects = nginx(r).counters().get(Counter.PassiveOpens);
        assertThat(fw.mappingsReused()).isBetween(connects / 5, connects / 2);
        double cycleSeconds = 63488.0 / (fw.flowsCreated() / 300.0);
        assertThat(cycleSeconds).isGreaterThan(112.5);
        assertThat(pawsRejects(r)).isLessThan(1000);
    }

    @Test
    void timestampsOffRemovesPawsRejects() {
        // Positive control first: the same load with timestamps on is above the 564/s onset and rejects.
        RunResult on = run("workloads.partner.rate=700", "duration=300s");
        assertThat(nginx(on).counters().get(Counter.PAWSEstab)).isGreaterThan(1000);
        RunResult r = run("hosts.nginx.sysctl.net.ipv4.tcp_timestamps=0", "workloads.partner.rate=700", "duration=300s");
        assertThat(nginx(r).counters().get(Counter.PAWSEstab)).isZero();
    }

    @Test
    void secondPublicAddressDoublesTheOnsetRate() {
        // 2 * 63488 / 1080 = 117.6 s > 112.5 s: none; 2 * 63488 / 1400 = 90.7 s < 97.5 s: rejects.
        RunResult at1080 = run("nats.partner-nat.public-ips=[20.1.1.1, 20.1.1.2]", "workloads.partner.rate=1080",
                "duration=400s");
        assertThat(pawsRejects(at1080)).isZero();
        RunResult at1400 = run("nats.partner-nat.public-ips=[20.1.1.1, 20.1.1.2]", "workloads.partner.rate=1400",
                "duration=300s");
        assertThat(pawsRejects(at1400)).isGreaterThan(1000);
    }

    @Test
    void maxTwBucketsReducesButDoesNotRemoveRejectsWithSeveralServers() {
        // Seed 000 had four nginx. At 800 conn/s a port returns after 63488 / 800 = 79.4 s. Capped at 5000, each
        // nginx (200 conn/s) refills its table over 25 s, i.e. across several 7.5 s wheel cells that overflow,
        // so some TIME_WAITs still outlive 79.4 s: fewer rejects, not none.
        RunResult plain = run("hosts.nginx.count=4", "workloads.partner.rate=800", "duration=300s");
        RunResult capped = run("hosts.nginx.count=4", "hosts.nginx.sysctl.net.ipv4.tcp_max_tw_buckets=5000",
                "workloads.partner.rate=800", "duration=300s");
        long plainRejects = totalRejects(plain);
        long cappedRejects = totalRejects(capped);
        assertThat(capped.model().hostGroups().get("nginx").get(0).counters().get(Counter.TCPTimeWaitOverflow))
                .isGreaterThan(0);
        assertThat(cappedRejects).isGreaterThan(0).isLessThan(plainRejects / 2);
    }

    @Test
    void maxTwBucketsOnOneSteadyServerRemovesRejects() {
        // One nginx at 700 conn/s: the 5000 sockets are refilled within 7.1 s after each kill, so they share one
        // wheel cell, only that cell overflows, and they live 52.5-60 s < 90.7 s (63488 / 700): no reuse hits.
        RunResult capped = run("hosts.nginx.sysctl.net.ipv4.tcp_max_tw_buckets=5000", "workloads.partner.rate=700",
                "duration=300s");
        assertThat(pawsRejects(capped)).isZero();
        assertThat(capped.model().timeWaitLifetimes().get("nginx").maxSeconds()).isLessThanOrEqualTo(60.0 + 0.001);
    }

    static long totalRejects(RunResult r) {
        return r.model().hostGroups().get("nginx").stream().mapToLong(h -> h.counters().get(Counter.PAWSEstab)).sum();
    }

    @Test
    void loadedTimeWaitLivesUpTo112AndAHalfSecondsInTheFullModel() {
        // 540 conn/s >> 13.5 TW/s: lifetimes in (97.5, 112.5] once the wheel is loaded (kernel-facts §1.2).
        RunResult r = run("workloads.partner.rate=540", "duration=400s");
        var tl = r.model().timeWaitLifetimes().get("nginx");
        assertThat(tl.maxSeconds()).isCloseTo(112.5, within(0.01));
    }

    /** Finds the first PAWS-rejected SYN and checks the packets around it against seed 000's capture. */
    static void assertRejectSequence(String clientKernel, double expectedResendSeconds, double tolerance) {
        // No application connect timeout, so the kernel's own resend is what follows.
        ScenarioSpec spec = ScenarioLoader.load(SCENARIO, List.of("workloads.partner.rate=700", "duration=200s",
                "hosts.partner.kernel=" + clientKernel, "workloads.partner.connect-timeout=0"));
        Capture[] cap = new Capture[1];
        Capture.run(spec, "partner-nat", "nginx", cap);
        List<Capture.Seen> pk = cap[0].packets;
        Map<Integer, Capture.Seen> lastClientFin = new HashMap<>();
        Map<Integer, Capture.Seen> lastClientTs = new HashMap<>();
        for (int i = 0; i < pk.size(); i++) {
            Capture.Seen p = pk.get(i);
            if (!p.from().equals("partner-nat")) {
                continue;
            }
            if (p.has(Packet.FIN)) {
                lastClientFin.put(p.srcPort(), p);
            }
            if (!p.is(Packet.SYN) || !lastClientFin.containsKey(p.srcPort())) {
                if (p.hasTs()) {
                    lastClientTs.put(p.srcPort(), p);
                }
                continue;
            }
            Capture.Seen answer = next(pk, i, "nginx", p.srcPort());
            if (answer == null || !answer.is(Packet.ACK)) {
                lastClientTs.put(p.srcPort(), p);
                continue;
            }
            // (5) the old ACK: seq = server's snd_nxt after its FIN, ack = old client FIN + 1 (rcv_nxt).
            Capture.Seen oldFin = lastClientFin.get(p.srcPort());
            assertThat(answer.ack()).isEqualTo(oldFin.seq() + 1);
            // The TSval went backwards: the SYN's TSval is below the TSecr the TIME_WAIT echoes (its ts_recent).
            assertThat(answer.tsEcr() - p.tsVal()).isGreaterThan(0);
            // (6) the client's RST: seq = the ACK's ack number, no timestamp option.
            Capture.Seen rst = next(pk, pk.indexOf(answer), "partner-nat", p.srcPort());
            assertThat(rst.is(Packet.RST)).isTrue();
            assertThat(rst.seq()).isEqualTo(answer.ack());
            assertThat(rst.hasTs()).isFalse();
            // Then the SYN again, same ISN, after the client's resend delay; the RST killed the TIME_WAIT, so
            // this time it is accepted.
            Capture.Seen resent = next(pk, pk.indexOf(rst), "partner-nat", p.srcPort());
            assertThat(resent.is(Packet.SYN)).isTrue();
            assertThat(resent.seq()).isEqualTo(p.seq());
            assertThat(resent.seconds() - p.seconds()).isCloseTo(expectedResendSeconds, within(tolerance));
            Capture.Seen accepted = next(pk, pk.indexOf(resent), "nginx", p.srcPort());
            assertThat(accepted.is(Packet.SYN | Packet.ACK)).isTrue();
            return;
        }
        throw new AssertionError("no PAWS-rejected SYN found");
    }

    private static Capture.Seen next(List<Capture.Seen> pk, int from, String sender, int clientPort) {
        for (int j = from + 1; j < pk.size(); j++) {
            Capture.Seen q = pk.get(j);
            int port = q.from().equals("nginx") ? q.dstPort() : q.srcPort();
            if (q.from().equals(sender) && port == clientPort) {
                return q;
            }
        }
        return null;
    }

    @Test
    void rejectedSynLooksLikeSeed000AndIsResentAfterOneSecondOnThreeX() {
        // 3.1+: TCP_TIMEOUT_INIT = 1 s; the RTT to nginx is 5 ms, so the resend leaves 1 s after the SYN, on the
        // jiffy tick: up to one jiffy (4 ms at 3.10's HZ 250) short of it when connect() came mid-jiffy.
        assertRejectSequence("linux-3.10", 1.0 - 0.002, 0.002);
    }

    @Test
    void rejectedSynIsResentAfterThreeSecondsFromRhel6Clients() {
        // 2.6.32: TCP_TIMEOUT_INIT = 3 s.
        assertRejectSequence("linux-2.6.32", 3.0, 0.001);
    }

    @Test
    void rejectedSynIsResentAfterTwoJiffiesFromFiveSevenClients() {
        // 5.7+: after an unacceptable ACK in SYN_SENT the SYN is re-armed at TCP_TIMEOUT_MIN = 2 jiffies
        // (8 ms at HZ=250) measured from the ACK's arrival, 5 ms (one RTT at the NAT) after the SYN left.
        assertRejectSequence("linux-5.10", 0.005 + 0.008, 0.002);
    }

    @Test
    void sameScenarioAndSeedGiveIdenticalOutputs() {
        RunResult a = run("workloads.partner.rate=700", "duration=150s");
        RunResult b = run("workloads.partner.rate=700", "duration=150s");
        assertThat(Json.write(RunSummary.toMap(a))).isEqualTo(Json.write(RunSummary.toMap(b)));
        assertThat(a.series().toCsv()).isEqualTo(b.series().toCsv());
        RunResult c = run("workloads.partner.rate=700", "duration=150s", "seed=43");
        assertThat(Json.write(RunSummary.toMap(c))).isNotEqualTo(Json.write(RunSummary.toMap(a)));
    }

    @Test
    void aFirewallDroppingInvalidPacketsHidesTheStaleAckAndTurnsDelaysIntoFailures() {
        // Without the drop, the client resets the TIME_WAIT on the stale ACK and its SYN retransmission 1 s later
        // succeeds. If conntrack drops that ACK as INVALID, no RST is sent; each retransmitted SYN is rejected
        // again and re-arms the TIME_WAIT for 60 s, so the connect only ends when SYN retries run out (127 s).
        RunResult open = run("workloads.partner.rate=700", "duration=300s", "workloads.partner.connect-timeout=0");
        RunResult strict = run("workloads.partner.rate=700", "duration=300s", "workloads.partner.connect-timeout=0",
                "nats.partner-nat.drop-invalid=1");
        long openRsts = open.model().hostGroups().get("partner").stream().mapToLong(h -> h.counters().get(Counter.OutRsts)).sum();
        long strictRsts = strict.model().hostGroups().get("partner").stream().mapToLong(h -> h.counters().get(Counter.OutRsts)).sum();
        assertThat(openRsts).isGreaterThan(1000);
        assertThat(open.model().clientStats().failed()).isZero();
        assertThat(strictRsts).isZero();
        assertThat(strict.model().clientStats().failures(io.twlab.metrics.FailureCause.SYN_TIMEOUT)).isGreaterThan(1000);
        assertThat(pawsRejects(strict)).isGreaterThan(3 * pawsRejects(open));
    }
}
