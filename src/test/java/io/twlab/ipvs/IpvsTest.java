package io.twlab.ipvs;

import io.twlab.model.Capture;
import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.net.Packet;
import io.twlab.scenario.ScenarioLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.twlab.ipvs.IpvsTcpState.Direction.INPUT;
import static io.twlab.ipvs.IpvsTcpState.Direction.INPUT_ONLY;
import static io.twlab.ipvs.IpvsTcpState.Direction.OUTPUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The IPVS director on seed 000's system (scenarios/lvs-nat-paws.yaml) and its building blocks. */
class IpvsTest {
    private static final Path SCENARIO = Path.of("scenarios/lvs-nat-paws.yaml");
    private static final int SYN = 0;
    private static final int FIN = 1;
    private static final int ACK = 2;
    private static final int RST = 3;

    @Test
    void stateTableFollowsAnHttpExchangeInNatMode() {
        // Client SYN (input), server SYN-ACK (output: SYN row), client ACK, server FIN, client FIN, server ACK.
        IpvsTcpState s = IpvsTcpState.NONE.next(INPUT, SYN);
        assertThat(s).isEqualTo(IpvsTcpState.SYN_RECV);
        s = s.next(OUTPUT, SYN);
        assertThat(s).isEqualTo(IpvsTcpState.SYN_RECV);
        s = s.next(INPUT, ACK);
        assertThat(s).isEqualTo(IpvsTcpState.ESTABLISHED);
        s = s.next(OUTPUT, FIN);
        assertThat(s).isEqualTo(IpvsTcpState.FIN_WAIT);
        s = s.next(INPUT, FIN);
        assertThat(s).isEqualTo(IpvsTcpState.TIME_WAIT);
        assertThat(s.next(OUTPUT, ACK)).isEqualTo(IpvsTcpState.TIME_WAIT);
        // kernel-facts §7: a SYN from TIME_WAIT, CLOSE, FIN_WAIT, CLOSE_WAIT or LAST_ACK moves to SYN_RECV.
        for (IpvsTcpState from : List.of(IpvsTcpState.TIME_WAIT, IpvsTcpState.CLOSE, IpvsTcpState.FIN_WAIT,
                IpvsTcpState.CLOSE_WAIT, IpvsTcpState.LAST_ACK)) {
            assertThat(from.next(INPUT, SYN)).isEqualTo(IpvsTcpState.SYN_RECV);
        }
        // An RST from the client on an established entry closes it; in DR (input only) a FIN gives FIN_WAIT.
        assertThat(IpvsTcpState.ESTABLISHED.next(INPUT, RST)).isEqualTo(IpvsTcpState.CLOSE);
        assertThat(IpvsTcpState.ESTABLISHED.next(INPUT_ONLY, FIN)).isEqualTo(IpvsTcpState.FIN_WAIT);
    }

    @Test
    void schedulersDistributeAsTheKernelDoes() {
        List<RealServer> servers = List.of(new RealServer("a", 1, 80, 3), new RealServer("b", 2, 80, 1),
                new RealServer("c", 3, 80, 0));
        Scheduler.State rr = new Scheduler.State();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            order.add(Scheduler.RR.pick(servers, rr, 0, 0).name());
        }
        assertThat(order).containsExactly("a", "b", "a", "b"); // weight 0 is skipped
        Scheduler.State wrr = new Scheduler.State();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            counts.merge(Scheduler.WRR.pick(servers, wrr, 0, 0).name(), 1, Integer::sum);
        }
        assertThat(counts).containsEntry("a", 300).containsEntry("b", 100).doesNotContainKey("c");
        // lc: the fewest activeconns*256 + inactconns.
        servers.get(0).activeConns = 1;
        assertThat(Scheduler.LC.pick(servers, new Scheduler.State(), 0, 0).name()).isEqualTo("b");
        // sh: the same client always lands on the same server.
        Scheduler.State sh = new Scheduler.State();
        RealServer first = Scheduler.SH.pick(servers, sh, 0x14010101, 1000);
        for (int port = 0; port < 50; port++) {
            assertThat(Scheduler.SH.pick(servers, sh, 0x14010101, port)).isSameAs(first);
        }
    }

    private static double meanColumn(RunResult r, String column, int fromSecond, int toSecond) {
        int c = r.series().column(column);
        return r.series().rows().subList(fromSecond - 1, toSecond).stream().mapToDouble(row -> row[c]).average()
                .orElse(Double.NaN);
    }

    @Test
    void newConnectionCurveFallsToTheOtherVipAbove529PerSecond() {
        // Ports return after 63488 / 700 = 90.7 s, inside the entry's 120 s TIME_WAIT: every SYN of the busy VIP
        // finds its old entry, so from second ~91 the director counts only the small VIP's 25 conn/s.
        RunResult r = Runner.run(ScenarioLoader.load(SCENARIO, List.of("workloads.partner.rate=700",
                "duration=150s")), null);
        assertThat(meanColumn(r, "lvs.conns", 10, 85)).isCloseTo(725.0, within(1.0));
        assertThat(meanColumn(r, "lvs.conns", 95, 150)).isCloseTo(25.0, within(1.0));
        assertThat(meanColumn(r, "successes", 95, 150)).isGreaterThan(600.0);
    }

    @Test
    void belowTheThresholdTheCurveTracksTheRate() {
        // 63488 / 500 = 127 s > 120 s: entries expire before their port returns; every SYN is scheduled. The
        // director sees the partners' 500/s and the scenario's other clients' 25/s (workloads.other): 525/s.
        RunResult r = Runner.run(ScenarioLoader.load(SCENARIO, List.of("workloads.partner.rate=500",
                "duration=300s")), null);
        assertThat(meanColumn(r, "lvs.conns", 150, 300)).isCloseTo(500.0 + 25.0, within(2.0));
        assertThat(r.model().directors().get(0).reusedEntries()).isZero();
    }

    /**
     * Entry timers in the director kernel's jiffies (mod_timer(jiffies + timeout), ip_vs_conn.c). At 525 conn/s a
     * port returns after 63488 / 525 = 120.93 s. With exact times, or on 2.6.32 (HZ 1000, no wheel: at most 1 ms
     * early), the 120 s TIME_WAIT entry is gone by then. On a 4.8+ wheel at HZ 250 the 30,000-jiffy timer sits in
     * level 3 and runs at the next 512-jiffy (2.048 s) slot: 0-2.048 s late, so the entry is still there when the
     * port returns in about (2.048 - 0.93) / 2.048 = 55 % of cases. Ports return from ~121 s on: in a 250 s run,
     * 525 x (250 - 121) = 67,725 SYNs, of which 40-70 % find their old entry.
     */
    @Test
    void entryTimersOnTheWheelOutliveTheirTimeout() {
        List<String> load = List.of("workloads.partner.rate=525", "duration=250s");
        assertThat(run("lvs-nat-paws.yaml", load).model().directors().get(0).reusedEntries()).isZero();
        List<String> old = new ArrayList<>(load);
        old.add("directors.lvs.kernel=linux-2.6.32");
        assertThat(run("lvs-nat-paws.yaml", old).model().directors().get(0).reusedEntries()).isZero();
        List<String> wheel = new ArrayList<>(load);
        wheel.add("directors.lvs.kernel=linux-6.18");
        long reused = run("lvs-nat-paws.yaml", wheel).model().directors().get(0).reusedEntries();
        assertThat(reused).isBetween((long) (0.40 * 67_725), (long) (0.70 * 67_725));
    }

    @Test
    void connReuseModeOneReschedulesClosedEntries() {
        // Every SYN on a TIME_WAIT/CLOSE entry is scheduled again, so the count keeps at least the offered 725/s.
        // It is higher: after a PAWS reject the client's RST moves the entry to CLOSE and the client's
        // retransmitted SYN is scheduled (and counted) once more.
        RunResult r = Runner.run(ScenarioLoader.load(SCENARIO, List.of("workloads.partner.rate=700",
                "duration=150s", "directors.lvs.conn-reuse-mode=1")), null);
        assertThat(meanColumn(r, "lvs.conns", 95, 150)).isGreaterThanOrEqualTo(724.0);
        RunResult clean = Runner.run(ScenarioLoader.load(SCENARIO, List.of("workloads.partner.rate=700",
                "duration=150s", "directors.lvs.conn-reuse-mode=1", "hosts.partner.count=1",
                "hosts.partner.kernel=linux-4.19")), null);
        // One monotonic client: no rejects, so exactly one scheduling per connection.
        assertThat(meanColumn(clean, "lvs.conns", 95, 150)).isCloseTo(725.0, within(1.0));
    }

    /** For each public client port, the set of nginx that received its SYNs. */
    private static Map<Integer, Set<String>> serversPerPort(String... sets) {
        // Three servers: a port returns after 63488 connections, and 63488 mod 3 = 2, so a rescheduled port moves
        // to another server under (w)rr; with four servers it would land on the same one again by arithmetic.
        List<String> all = new ArrayList<>(List.of("workloads.partner.rate=700", "duration=200s",
                "workloads.partner.connect-timeout=0", "hosts.nginx.kernel=linux-4.19", "hosts.nginx.count=3"));
        all.addAll(List.of(sets));
        Capture[] cap = new Capture[1];
        Capture.run(ScenarioLoader.load(SCENARIO, all), "lvs", "nginx", cap);
        Map<Integer, Set<String>> seen = new HashMap<>();
        for (Capture.Seen p : cap[0].packets) {
            if (p.from().equals("lvs") && p.is(Packet.SYN) && p.dstPort() == 443) {
                seen.computeIfAbsent(p.srcPort(), k -> new HashSet<>()).add(p.to());
            }
        }
        return seen;
    }

    @Test
    void reusedTuplesStickToTheirRealServerUnlessRescheduled() {
        // conn_reuse_mode 0: the entry keeps its real server, so a port that came back (twice in 200 s at
        // 700 conn/s) always reaches the same nginx. Mode 1 expires the TIME_WAIT entry and wrr spreads the port.
        Map<Integer, Set<String>> sticky = serversPerPort();
        assertThat(sticky.size()).isGreaterThan(60_000);
        assertThat(sticky.values()).allMatch(s -> s.size() == 1);
        Map<Integer, Set<String>> rescheduled = serversPerPort("directors.lvs.conn-reuse-mode=1");
        long moved = rescheduled.values().stream().filter(s -> s.size() > 1).count();
        assertThat(moved).isGreaterThan(30_000);
    }

    @Test
    void scaleOutRejectsStayOnTheOldServersAndFallAsPortsDrift() {
        // 650 conn/s: ports return after 63488 / 650 = 97.7 s. linux-2.6.32 TIME_WAIT under load lives up to
        // 112.5 s (rejects), linux-3.10.0-1127 at most 67 s (none). Failed ports leave 60 s SYN_RECV entries and are
        // rescheduled; on a new server they succeed and stick, so failures fall over time.
        RunResult r = Runner.run(ScenarioLoader.load(Path.of("scenarios/lvs-nat-paws-scale-out.yaml"),
                List.of("duration=1200s")), null);
        long oldRejects = r.model().hostGroups().get("nginx").stream()
                .mapToLong(h -> h.counters().get(io.twlab.tcp.Counter.PAWSEstab)).sum();
        long newRejects = r.model().hostGroups().get("nginx-new").stream()
                .mapToLong(h -> h.counters().get(io.twlab.tcp.Counter.PAWSEstab)).sum();
        assertThat(oldRejects).isGreaterThan(5000);
        assertThat(newRejects).isLessThan(oldRejects / 100);
        double early = meanColumn(r, "failed", 100, 400);
        double late = meanColumn(r, "failed", 900, 1200);
        assertThat(late).isLessThan(early / 2);
        // The director's new connections settle near the seed's ~30/s: the small VIP's 25/s plus rescheduled ports.
        assertThat(meanColumn(r, "lvs.conns", 900, 1200)).isBetween(25.0, 45.0);
    }

    @Test
    void kubeProxyConnReuseModeOneCostsAOneSecondSynRetransmission() {
        // 500 conn/s over the 14,116 even ephemeral ports: a port returns after ~28 s, inside the entry's 120 s.
        // Mode 1 + conntrack: that SYN is dropped; the client re-sends it after its 1 s initial RTO.
        RunResult r = Runner.run(ScenarioLoader.load(Path.of("scenarios/k8s-ipvs-conn-reuse.yaml"),
                List.of("duration=120s")), null);
        IpvsDirector d = r.model().directors().get(0);
        var stats = r.model().clientStats();
        assertThat(d.synsDroppedForConntrack()).isGreaterThan(40_000);
        // Every dropped SYN shows as a connect that completed only after a SYN retransmission, 1 s late.
        assertThat(stats.synRetransmittedConnects()).isCloseTo(d.synsDroppedForConntrack(), within(600L));
        // 1 s (250 jiffies at HZ 250) on the 4.8 wheel fires up to one level-1 slot (8 jiffies = 32 ms) late.
        assertThat(stats.connectLatency().quantile(0.5)).isBetween(1_000_000L, 1_042_000L);
        // conn_reuse_mode 0 keeps the old entry (and its pod): no drop, no delay.
        RunResult mode0 = Runner.run(ScenarioLoader.load(Path.of("scenarios/k8s-ipvs-conn-reuse.yaml"),
                List.of("duration=120s", "directors.kube-ipvs.conn-reuse-mode=0")), null);
        assertThat(mode0.model().clientStats().connectLatency().max()).isLessThan(10_000L);
        assertThat(mode0.model().clientStats().synRetransmittedConnects()).isZero();
    }

    @Test
    void persistenceKeepsEachClientAddressOnOneRealServer() {
        // recycle-lvs-dr.yaml: 10 clients with their own addresses, rr over 2 nginx. Without persistence each
        // client's connections alternate between both; with ipvsadm -p 300 every client stays on one.
        Map<Integer, Set<String>> plain = serversPerClient(List.of());
        Map<Integer, Set<String>> sticky = serversPerClient(List.of("directors.lvs.services.web.persistence=300s"));
        assertThat(plain).hasSize(10);
        assertThat(plain.values()).allMatch(s -> s.size() == 2);
        assertThat(sticky).hasSize(10);
        assertThat(sticky.values()).allMatch(s -> s.size() == 1);
    }

    private static Map<Integer, Set<String>> serversPerClient(List<String> sets) {
        List<String> all = new ArrayList<>(List.of("duration=60s", "hosts.nginx.sysctl.net.ipv4.tcp_tw_recycle=0"));
        all.addAll(sets);
        Capture[] cap = new Capture[1];
        Capture.run(ScenarioLoader.load(Path.of("scenarios/recycle-lvs-dr.yaml"), all), "lvs", "nginx", cap);
        Map<Integer, Set<String>> seen = new HashMap<>();
        for (Capture.Seen p : cap[0].packets) {
            if (p.from().equals("lvs") && p.is(Packet.SYN)) {
                seen.computeIfAbsent(p.srcIp(), k -> new HashSet<>()).add(p.to());
            }
        }
        return seen;
    }

    @Test
    void seedZeroFixesOnTheFullSystem() {
        // 800 conn/s: ports return after 63488 / 800 = 79.4 s, inside loaded 2.6.32 TIME_WAITs.
        List<String> load = List.of("workloads.partner.rate=800", "duration=300s");
        long plain = rejects(run("lvs-nat-paws.yaml", load));
        long capped = rejects(run("lvs-nat-paws-fix-max-tw-buckets.yaml", load));
        long noTimestamps = rejects(run("lvs-nat-paws-fix-timestamps-off.yaml", load));
        assertThat(plain).isGreaterThan(10_000);
        assertThat(capped).isGreaterThan(0).isLessThan(plain / 2);
        assertThat(noTimestamps).isZero();
        // Two public addresses: 2 * 63488 / 800 = 158.7 s > 112.5 s, no rejects at all.
        assertThat(rejects(run("lvs-nat-paws-fix-two-ips.yaml", load))).isZero();
    }

    private static RunResult run(String scenario, List<String> sets) {
        return Runner.run(ScenarioLoader.load(Path.of("scenarios/" + scenario), sets), null);
    }

    private static long rejects(RunResult r) {
        return r.model().hostGroups().get("nginx").stream()
                .mapToLong(h -> h.counters().get(io.twlab.tcp.Counter.PAWSEstab)).sum();
    }

    private static long synsToAfter(List<String> sets, String server, double afterSeconds) {
        List<String> all = new ArrayList<>(List.of("workloads.partner.rate=700", "duration=400s",
                "hosts.nginx.kernel=linux-4.19", "workloads.partner.connect-timeout=0",
                "directors.lvs.services.web.weight-changes=[{at: 150s, real-server: nginx-1, weight: 0}]"));
        all.addAll(sets);
        Capture[] cap = new Capture[1];
        Capture.run(ScenarioLoader.load(SCENARIO, all), "lvs", "nginx", cap);
        // Only the drained service (443); the small VIP on 8443 keeps all four servers.
        return cap[0].packets.stream().filter(p -> p.from().equals("lvs") && p.to().equals(server)
                && p.is(Packet.SYN) && p.dstPort() == 443 && p.seconds() > afterSeconds).count();
    }

    @Test
    void drainingAServerNeedsReschedulingOfReusedTuples() {
        // nginx-1 gets weight 0 at 150 s. Ports return every 90.7 s; by 260 s every port has come back once.
        // conn_reuse_mode 0: reused tuples follow their old entries, so nginx-1 still gets a quarter of the SYNs.
        long sticky = synsToAfter(List.of("directors.lvs.conn-reuse-mode=0"), "nginx-1", 260);
        // conn_reuse_mode 1 + expire_nodest_conn: entries on the quiesced server give way; new SYNs go elsewhere.
        long drained = synsToAfter(List.of("directors.lvs.conn-reuse-mode=1", "directors.lvs.expire-nodest-conn=1"),
                "nginx-1", 260);
        // 140 s x 700 conn/s / 4 servers = 24,500 SYNs would reach nginx-1 without the drain.
        assertThat(sticky).isGreaterThan(20_000);
        assertThat(drained).isZero();
    }
}
