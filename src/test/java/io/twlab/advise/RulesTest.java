package io.twlab.advise;

import io.twlab.advise.evidence.Bundle;
import io.twlab.report.Finding.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.twlab.advise.Fixtures.format;
import static io.twlab.advise.Fixtures.header;
import static io.twlab.advise.Fixtures.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each lint rule on a bundle of real-format files (netstat -s of net-tools 1.60 as RHEL 6/7 print it, nstat,
 * sysctl -a, ipvsadm, conntrack -S, ss), with the figures of the seeds and the arithmetic written out; and the
 * rules' silence on a clean bundle.
 */
class RulesTest {
    private static final long T0 = 1_700_000_000L;

    @TempDir
    Path dir;

    /** netstat -s as net-tools 1.60 prints it, with the given Tcp and TcpExt values. */
    static String netstat160(long active, long passive, long pawsEstab, long pawsPassive, long tw) {
        return "Tcp:\n    " + active + " active connections openings\n    " + passive + " passive connection openings\n"
                + "    0 failed connection attempts\n    12 connection resets received\n    3 connections established\n"
                + "    9000 segments received\n    9100 segments send out\n    7 segments retransmited\n"
                + "    0 bad segments received.\n    40 resets sent\nTcpExt:\n"
                + (pawsPassive > 0 ? "    " + pawsPassive + " passive connections rejected because of time stamp\n" : "")
                + (pawsEstab > 0 ? "    " + pawsEstab + " packets rejects in established connections because of "
                + "timestamp\n" : "")
                + "    " + tw + " TCP sockets finished time wait in fast timer\n    ArpFilter: 0\n";
    }

    static String nstat(Map<String, Long> values) {
        StringBuilder sb = new StringBuilder("#kernel\n");
        values.forEach((k, v) -> sb.append(String.format("%-32s%-19d0.0%n", k, v)));
        return sb.toString();
    }

    private Advice advise() {
        Bundle b = Fixtures.read(dir);
        assertThat(b.problems).isEmpty();
        return Advice.run(Observed.of(b, Map.of()), false, s -> { });
    }

    private static List<AdviceFinding> of(Advice a, String rule) {
        return a.findings.stream().filter(f -> f.rule().equals(rule)).toList();
    }

    /** Seed 000's nginx on RHEL 6: "216576 packets rejects in established connections because of timestamp". */
    private void seed000Server(long pawsFirst, long pawsLast) throws Exception {
        put(dir, "nginx", "uname", format("uname-rhel6.txt"));
        put(dir, "nginx", "n1", header("netstat -s", T0, "nginx") + netstat160(50, 1_000_000, pawsFirst, 0, 990_000));
        // 600 s later: 564/s × 600 s = 338,400 more accepted connections.
        put(dir, "nginx", "n2", header("netstat -s", T0 + 600, "nginx")
                + netstat160(50, 1_338_400, pawsLast, 0, 1_328_000));
        put(dir, "nginx", "sysctl", "net.ipv4.tcp_timestamps = 1\nnet.ipv4.tcp_tw_recycle = 0\n"
                + "net.ipv4.tcp_tw_reuse = 0\nnet.ipv4.tcp_max_tw_buckets = 262144\n");
        put(dir, "nginx", "ss", header("ss -tan", T0 + 600, "nginx")
                + "State      Recv-Q Send-Q      Local Address:Port        Peer Address:Port\n"
                + "LISTEN     0      511                     *:443                   *:*\n"
                + "TIME-WAIT  0      0            30.1.1.1:443        20.1.1.1:33735\n"
                + "TIME-WAIT  0      0            30.1.1.1:443        20.1.1.1:33736\n"
                + "ESTAB      0      0            30.1.1.1:443        20.1.1.1:33737\n");
    }

    @Test
    void pawsRejectsRisingOnASeed000ServerAreCritical() throws Exception {
        // Seed 000: "每次大概会增加1W多个" - over 10,000 more PAWSEstab during the incident; here 12,000 in 600 s.
        seed000Server(204_576, 216_576);
        Advice a = advise();
        assertThat(a.observed.roles).containsEntry("nginx", Role.SERVER);
        assertThat(a.observed.kernel(a.observed.bundle.hosts.get("nginx")).profile()).isEqualTo("linux-2.6.32");
        AdviceFinding f = of(a, "paws-timewait-reject").get(0);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        // 216,576 - 204,576 = 12,000 rejects in 600 s = 20.0 per second.
        assertThat(f.figures()).containsEntry("rejects", 12_000L).containsEntry("perSecond", 20.0)
                .containsEntry("counter", "PAWSEstab");
        assertThat(f.facts().get(0).source()).contains("n1:").contains("n2:");
        assertThat(f.facts()).anyMatch(x -> x.name().startsWith("peer holding") && x.value().toString()
                .startsWith("20.1.1.1"));
        // The rate from the server's passive opens: 338,400 / 600 s = 564 per second.
        assertThat(a.observed.rate).isEqualTo(564.0);
        // Only one reading of the same counters: a warning with the total since boot, no rate.
        dir = dir.resolve("single");
        put(dir, "nginx", "n1", netstat160(50, 1_000_000, 216_576, 0, 990_000));
        put(dir, "nginx", "ss", header("ss -tan state time-wait", T0, "nginx")
                + "Recv-Q Send-Q Local Address:Port Peer Address:Port\n0 0 30.1.1.1:443 20.1.1.1:33735\n");
        AdviceFinding once = of(advise(), "paws-timewait-reject").get(0);
        assertThat(once.severity()).isEqualTo(Severity.WARNING);
        assertThat(once.text()).contains("216576").contains("since boot");
    }

    @Test
    void twRecycleBehindANatModeDirectorDropsSynsAndIsHarmlessBehindDr() throws Exception {
        // Seed 003/004: a RHEL 7 server with tcp_tw_recycle=1 behind LVS NAT: PAWSPassive rising.
        put(dir, "rs", "uname", format("uname-rhel7.txt").replace("lvs01", "rs01"));
        put(dir, "rs", "n1", header("netstat -s", T0, "rs") + netstat160(0, 10_000, 0, 100, 9_000));
        put(dir, "rs", "n2", header("netstat -s", T0 + 60, "rs") + netstat160(0, 16_000, 0, 400, 15_000));
        put(dir, "rs", "sysctl", "net.ipv4.tcp_tw_recycle = 1\nnet.ipv4.tcp_timestamps = 1\n");
        put(dir, "lvs", "list", format("ipvsadm-Ln.txt"));
        Advice a = advise();
        AdviceFinding f = of(a, "tw-recycle-behind-nat").get(0);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.text()).contains("PAWSPassive +300 in 60 s"); // 400 - 100
        assertThat(f.appliesTo()).contains("4.12");
        // The same server behind LVS DR only (every client keeps its own address), PAWSPassive not moving: info.
        dir = dir.resolve("dr");
        put(dir, "rs", "n1", header("netstat -s", T0, "rs") + netstat160(0, 10_000, 0, 0, 9_000));
        put(dir, "rs", "n2", header("netstat -s", T0 + 60, "rs") + netstat160(0, 16_000, 0, 0, 15_000));
        put(dir, "rs", "sysctl", "net.ipv4.tcp_tw_recycle = 1\n");
        put(dir, "lvs", "list", "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
                + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nTCP  30.1.1.2:80 rr\n"
                + "  -> 10.1.0.4:80                  Route   1      2          40\n");
        AdviceFinding dr = of(advise(), "tw-recycle-behind-nat").get(0);
        assertThat(dr.severity()).isEqualTo(Severity.INFO);
        assertThat(dr.figures()).containsEntry("natInPath", false);
    }

    private void director(String kernel, String sysctls) throws Exception {
        put(dir, "lvs", "uname", "Linux lvs01 " + kernel + " #1 SMP Debian 4.19.304-1 (2024-01-09) x86_64 GNU/Linux\n");
        put(dir, "lvs", "list", format("ipvsadm-Ln.txt"));
        put(dir, "lvs", "stats", format("ipvsadm-stats.txt"));
        put(dir, "lvs", "rate", format("ipvsadm-rate.txt"));
        put(dir, "lvs", "timeout", format("ipvsadm-timeout.txt"));
        put(dir, "lvs", "sysctl", sysctls);
        // Three real servers accepting 188/s each (564/s in all) while ipvsadm counts 30 new connections/s.
        for (int i = 1; i <= 3; i++) {
            String rs = "nginx" + i;
            put(dir, rs, "a", header("nstat -asz", T0, rs) + nstat(Map.of("TcpPassiveOpens", 1_000L,
                    "TcpActiveOpens", 0L)));
            put(dir, rs, "b", header("nstat -asz", T0 + 100, rs) + nstat(Map.of("TcpPassiveOpens", 1_000L + 18_800,
                    "TcpActiveOpens", 0L)));
        }
    }

    @Test
    void ipvsConnReuseModeWithConntrackBefore59ExpireNodestConnAndEntryReuse() throws Exception {
        director("4.19.0-26-amd64", "net.ipv4.vs.conn_reuse_mode = 1\nnet.ipv4.vs.conntrack = 1\n"
                + "net.ipv4.vs.expire_nodest_conn = 0\n");
        Advice a = advise();
        assertThat(a.observed.roles).containsEntry("lvs", Role.DIRECTOR).containsEntry("nginx1", Role.SERVER);
        // 3 × 18,800 / 100 s = 564 per second at the servers.
        assertThat(a.observed.rate).isEqualTo(564.0);
        AdviceFinding reuse = of(a, "ipvs-conn-reuse-mode").get(0);
        assertThat(reuse.severity()).isEqualTo(Severity.WARNING);
        assertThat(reuse.text()).contains("before 5.9").contains("1 s");
        AdviceFinding nodest = of(a, "ipvs-expire-nodest-conn").get(0);
        assertThat(nodest.text()).contains("10.1.0.3:443").contains("9120 entries");
        // ipvsadm --rate says 30/s for 30.1.1.1:443 while the servers accept 564/s: under half, so entries are reused.
        AdviceFinding entries = of(a, "ipvs-entry-reuse").get(0);
        assertThat(entries.text()).contains("30.0 new connections/s").contains("564/s");
        // On 5.9+ the same conn_reuse_mode=1 reschedules without dropping: no finding.
        dir = dir.resolve("new");
        director("5.10.0-28-amd64", "net.ipv4.vs.conn_reuse_mode = 1\nnet.ipv4.vs.conntrack = 1\n"
                + "net.ipv4.vs.expire_nodest_conn = 1\n");
        Advice now = advise();
        assertThat(of(now, "ipvs-conn-reuse-mode")).isEmpty();
        assertThat(of(now, "ipvs-expire-nodest-conn")).isEmpty();
        // conn_reuse_mode=0 keeps reused tuples on their old (possibly removed) real server.
        dir = dir.resolve("zero");
        director("5.10.0-28-amd64", "net.ipv4.vs.conn_reuse_mode = 0\n");
        assertThat(of(advise(), "ipvs-conn-reuse-mode").get(0).text()).contains("conn_reuse_mode=0")
                .contains("same real server");
    }

    @Test
    void snatRangeAgainstRateAndHoldTimes() throws Exception {
        // A Linux SNAT with 2048-65535 (63,488 ports) on RHEL 7 and one 6.18 server accepting 600/s.
        put(dir, "fw", "uname", format("uname-rhel7.txt").replace("lvs01", "fw01"));
        put(dir, "fw", "rules", format("iptables-save-nat.txt"));
        put(dir, "fw", "sysctl", "net.netfilter.nf_conntrack_tcp_timeout_time_wait = 120\n");
        put(dir, "srv", "uname", format("uname-6.18.txt").replaceAll("server", "srv"));
        put(dir, "srv", "a", header("nstat -asz", T0, "srv") + nstat(Map.of("TcpPassiveOpens", 0L)));
        put(dir, "srv", "b", header("nstat -asz", T0 + 100, "srv") + nstat(Map.of("TcpPassiveOpens", 60_000L)));
        Advice a = advise();
        AdviceFinding f = of(a, "snat-port-capacity").get(0);
        // 63,488 ports / max(120 s conntrack, ~62 s server TIME_WAIT) = 529.1 per second < 600: critical.
        assertThat((double) f.figures().get("safeRate")).isCloseTo(63_488 / 120.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        // Ports needed: 600/s × 120 s × 1.25 = 90,000.
        assertThat(f.figures()).containsEntry("neededPorts", 90_000L);
        assertThat(f.figures()).containsEntry("flags", "fully-random");
        // At 200/s the same range is used to 200 / 529 = 38 %: below half, info only.
        dir = dir.resolve("low");
        put(dir, "fw", "rules", format("iptables-save-nat.txt"));
        put(dir, "srv", "a", header("nstat -asz", T0, "srv") + nstat(Map.of("TcpPassiveOpens", 0L)));
        put(dir, "srv", "b", header("nstat -asz", T0 + 100, "srv") + nstat(Map.of("TcpPassiveOpens", 20_000L)));
        assertThat(of(advise(), "snat-port-capacity").get(0).severity()).isEqualTo(Severity.INFO);
    }

    @Test
    void conntrackInsertFailuresAndAFullTable() throws Exception {
        put(dir, "nat", "s1", header("conntrack -S", T0, "nat")
                + "cpu=0   \tfound=0 invalid=3 insert=0 insert_failed=5 drop=0 early_drop=0 error=0 search_restart=0\n"
                + "cpu=1   \tfound=0 invalid=2 insert=0 insert_failed=3 drop=0 early_drop=0 error=0 search_restart=0\n");
        put(dir, "nat", "s2", header("conntrack -S", T0 + 10, "nat")
                + "cpu=0   \tfound=0 invalid=3 insert=0 insert_failed=17 drop=0 early_drop=0 error=0 search_restart=0\n"
                + "cpu=1   \tfound=0 invalid=2 insert=0 insert_failed=13 drop=0 early_drop=0 error=0 search_restart=0\n");
        put(dir, "nat", "count", header("conntrack -C", T0 + 10, "nat") + "240000\n");
        put(dir, "nat", "sysctl", "net.netfilter.nf_conntrack_max = 262144\n");
        Advice a = advise();
        List<AdviceFinding> f = of(a, "conntrack-pressure");
        // insert_failed: (17 + 13) - (5 + 3) = 22 in 10 s: critical (10 or more).
        assertThat(f).anyMatch(x -> x.figures().get("counter").equals("insert_failed")
                && x.figures().get("delta").equals(22L) && x.severity() == Severity.CRITICAL);
        // 240,000 of 262,144 entries = 91.6 %: 90 % or more is critical.
        assertThat(f).anyMatch(x -> x.text().contains("240000 of 262144") && x.severity() == Severity.CRITICAL);
    }

    @Test
    void timeWaitOverflowAndListenOverflowRising() throws Exception {
        put(dir, "srv", "a", header("nstat -asz", T0, "srv") + nstat(Map.of("TcpPassiveOpens", 0L,
                "TcpExtTCPTimeWaitOverflow", 100L, "TcpExtListenOverflows", 0L, "TcpExtListenDrops", 0L)));
        put(dir, "srv", "b", header("nstat -asz", T0 + 10, "srv") + nstat(Map.of("TcpPassiveOpens", 5_000L,
                "TcpExtTCPTimeWaitOverflow", 3_100L, "TcpExtListenOverflows", 50L, "TcpExtListenDrops", 50L)));
        put(dir, "srv", "sysctl", "net.ipv4.tcp_max_tw_buckets = 5000\nnet.core.somaxconn = 128\n");
        Advice a = advise();
        AdviceFinding tw = of(a, "time-wait-overflow").get(0);
        assertThat(tw.severity()).isEqualTo(Severity.WARNING);
        assertThat(tw.text()).contains("3000 TIME_WAIT sockets in 10 s").contains("5000");
        // 50 overflows in 10 s = 5 per second: critical from 1 per second.
        AdviceFinding listen = of(a, "listen-overflow").get(0);
        assertThat(listen.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(listen.figures()).containsEntry("perSecond", 5.0);
    }

    @Test
    void clientPortsExhaustedByItsOwnTimeWaitAndTwReuseWhereItDoesNothing() throws Exception {
        // A client closing first toward one server: 28,000 TIME-WAIT sockets for 32768-60999 (28,232 ports).
        put(dir, "cli", "a", header("nstat -asz", T0, "cli") + nstat(Map.of("TcpActiveOpens", 0L,
                "TcpPassiveOpens", 0L)));
        put(dir, "cli", "b", header("nstat -asz", T0 + 60, "cli") + nstat(Map.of("TcpActiveOpens", 28_000L,
                "TcpPassiveOpens", 0L)));
        put(dir, "cli", "ss", header("ss -s", T0 + 60, "cli") + "Total: 28100\nTCP:   28050 (estab 40, closed 28000, "
                + "orphaned 0, timewait 28000)\n");
        put(dir, "cli", "sysctl", "net.ipv4.ip_local_port_range = 32768\t60999\nnet.ipv4.tcp_tw_reuse = 0\n");
        put(dir, "srv", "a", header("nstat -asz", T0, "srv") + nstat(Map.of("TcpPassiveOpens", 0L)));
        put(dir, "srv", "b", header("nstat -asz", T0 + 60, "srv") + nstat(Map.of("TcpPassiveOpens", 28_000L)));
        put(dir, "srv", "sysctl", "net.ipv4.tcp_tw_reuse = 1\n");
        put(dir, "srv", "ss", header("ss -tan", T0 + 60, "srv") + "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
                + "LISTEN 0 511 *:80 *:*\nTIME-WAIT 0 0 10.0.0.2:80 10.0.0.9:41000\n");
        Advice a = advise();
        AdviceFinding ports = of(a, "client-port-exhaustion").get(0);
        // 28,000 / 28,232 = 99 %: critical from 90 %.
        assertThat(ports.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(ports.figures()).containsEntry("ports", 28_232L).containsEntry("timeWait", 28_000L);
        List<AdviceFinding> reuse = of(a, "tw-reuse-role");
        assertThat(reuse).anyMatch(f -> f.host().equals("cli") && f.severity() == Severity.WARNING);
        assertThat(reuse).anyMatch(f -> f.host().equals("srv") && f.severity() == Severity.INFO
                && f.text().contains("neither helps nor hurts"));
    }

    @Test
    void synproxyOfAFullNatDirector() throws Exception {
        put(dir, "lvs", "list", "IP Virtual Server version 1.2.1 (size=4194304)\nProt LocalAddress:Port Scheduler Flags\n"
                + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nTCP  192.168.1.100:80 wlc\n"
                + "  -> 10.2.0.1:80                  FullNat 1      30         900\n");
        put(dir, "lvs", "sysctl", "net.ipv4.vs.synproxy_syn_retry = 3\nnet.ipv4.vs.conn_reuse_mode = 1\n");
        AdviceFinding f = of(advise(), "synproxy-fixed-retransmit").get(0);
        assertThat(f.text()).contains("3 s").contains("3, 6 or 9 s");
        assertThat(f.figures()).containsEntry("synRetry", 3);
    }

    @Test
    void aCleanBundleHasNoWarningOrCriticalFinding() throws Exception {
        // PAWS counters still, plenty of NAT ports for the rate (63,488 / 120 s = 529/s against 50/s).
        put(dir, "fw", "rules", format("iptables-save-nat.txt"));
        put(dir, "srv", "uname", format("uname-rhel7.txt").replace("lvs01", "srv"));
        put(dir, "srv", "n1", header("netstat -s", T0, "srv") + netstat160(0, 100_000, 5, 0, 90_000));
        put(dir, "srv", "n2", header("netstat -s", T0 + 100, "srv") + netstat160(0, 105_000, 5, 0, 95_000));
        put(dir, "srv", "sysctl", format("sysctl-6.18.txt").substring(format("sysctl-6.18.txt").indexOf('\n') + 1));
        Advice a = advise();
        assertThat(a.findings).isNotEmpty();
        assertThat(a.findings).allMatch(f -> f.severity() == Severity.INFO, "only information");
    }

    @Test
    void kernelReleasesMapToTheNearestProfile() {
        assertThat(KernelMatch.of("2.6.32-754.el6.x86_64").profile()).isEqualTo("linux-2.6.32");
        assertThat(KernelMatch.of("3.10.0-1127.el7.x86_64").exact()).isTrue();
        KernelMatch rhel7 = KernelMatch.of("3.10.0-1160.el7.x86_64");
        assertThat(rhel7.profile()).isEqualTo("linux-3.10.0-1127");
        assertThat(rhel7.exact()).isFalse();
        assertThat(KernelMatch.of("5.4.0-150-generic").profile()).isEqualTo("linux-4.19");
        assertThat(KernelMatch.of("6.1.0-18-amd64").profile()).isEqualTo("linux-5.10");
        assertThat(KernelMatch.of("6.18.44-fc-v1045").profile()).isEqualTo("linux-6.18");
        assertThat(KernelMatch.of("6.18.44-fc-v1045").exact()).isTrue();
        assertThat(KernelMatch.of("4.9.0-19-amd64").before(5, 9)).isTrue();
        assertThat(KernelMatch.of("5.10.0-28-amd64").before(5, 9)).isFalse();
    }
}
