package io.twlab.advise;

import io.twlab.advise.evidence.Bundle;
import io.twlab.advise.evidence.CounterChange;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.advise.evidence.IpvsService;
import io.twlab.advise.evidence.NatRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.twlab.advise.Fixtures.body;
import static io.twlab.advise.Fixtures.format;
import static io.twlab.advise.Fixtures.header;
import static io.twlab.advise.Fixtures.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each reader on each generation of its format, recognised by content: files are given neutral names (a.txt, b.txt)
 * so nothing can be told from the name. Fixtures: real outputs of Linux 6.18.44 taken in a twlab lab run, and files
 * written from the tools' documented formats (docs/advise.md lists which is which).
 */
class ReadersTest {
    @TempDir
    Path dir;

    private HostEvidence only(String file, String text) throws Exception {
        put(dir, "h", file, text);
        Bundle b = Fixtures.read(dir);
        assertThat(b.ignored).as("ignored files").isEmpty();
        return b.hosts.get("h");
    }

    @Test
    void procNetNetstatAndSnmpOfTheRealKernel() throws Exception {
        put(dir, "h", "a.txt", body("proc-net-netstat-6.18.txt"));
        put(dir, "h", "b.txt", body("proc-net-snmp-6.18.txt"));
        Bundle b = Fixtures.read(dir);
        HostEvidence h = b.hosts.get("h");
        assertThat(h.files.values()).containsOnly("proc-net-snmp");
        // The lab's server after the calibration run: 227 connections accepted, 108 PAWS rejects at TIME_WAIT.
        assertThat(b.change(h, "TcpExtPAWSTimewait").last()).isEqualTo(108);
        assertThat(b.change(h, "TcpPassiveOpens").last()).isEqualTo(227);
        assertThat(b.change(h, "TcpExtTW").last()).isEqualTo(227);
        assertThat(b.problems).isEmpty();
    }

    @Test
    void nstatTextAndJson() throws Exception {
        HostEvidence text = only("a.txt", body("nstat-6.18.txt"));
        assertThat(text.files.values()).containsOnly("nstat");
        assertThat(text.counters.get(0).values()).containsEntry("TcpExtPAWSTimewait", 108L)
                .containsEntry("TcpPassiveOpens", 227L).containsEntry("TcpExtPAWSEstab", 0L);
        dir = dir.resolve("json");
        HostEvidence json = only("a.txt", format("nstat-json.txt"));
        assertThat(json.counters.get(0).values()).containsEntry("TcpExtPAWSTimewait", 107L)
                .containsEntry("TcpPassiveOpens", 240L);
        assertThat(json.counters.get(0).format()).isEqualTo("nstat-json");
    }

    @Test
    void netstatSummaryOfNetTools160AndOf210() throws Exception {
        // net-tools 1.60 (RHEL 6/7): "active connections openings", "segments send out", "segments retransmited",
        // "SYNs to LISTEN sockets ignored"; unknown counters as "Name: value".
        HostEvidence old = only("a.txt", format("netstat-s-net-tools-1.60.txt"));
        var v = old.counters.get(0).values();
        assertThat(v).containsEntry("TcpActiveOpens", 2279L).containsEntry("TcpPassiveOpens", 3863216L)
                .containsEntry("TcpOutSegs", 31541216L).containsEntry("TcpRetransSegs", 15423L)
                .containsEntry("TcpInErrs", 3L).containsEntry("TcpExtPAWSEstab", 216576L)
                .containsEntry("TcpExtTW", 3860114L).containsEntry("TcpExtListenDrops", 12L)
                .containsEntry("TcpExtListenOverflows", 12L).containsEntry("TcpExtTCPTimeWaitOverflow", 0L)
                .containsEntry("TcpExtTCPPureAcks", 6907181L);
        // Icmp's histogram lines and IpExt's named values do not leak into the TCP groups.
        assertThat(v).doesNotContainKey("TcpExtInOctets").containsEntry("IpExtInOctets", 5148372014L);
        // net-tools 2.10 on the real 6.18 server: "active connection openings", "segments sent out", and the new
        // PAWSTimewait counter as "PAWSTimewait: 108".
        dir = dir.resolve("new");
        HostEvidence now = only("a.txt", body("netstat-s-net-tools-2.10.txt"));
        assertThat(now.counters.get(0).values()).containsEntry("TcpExtPAWSTimewait", 108L)
                .containsEntry("TcpPassiveOpens", 227L).containsEntry("TcpExtTW", 227L);
    }

    @Test
    void sysctlAndProcSysFiles() throws Exception {
        put(dir, "h", "a.txt", body("sysctl-6.18.txt"));
        put(dir, "h", "b.txt", format("proc-sys-nf-conntrack.txt"));
        HostEvidence h = Fixtures.read(dir).hosts.get("h");
        assertThat(h.sysctl("net.ipv4.tcp_timestamps")).isEqualTo("1");
        assertThat(h.sysctl("net.ipv4.ip_local_port_range")).matches("32768\\s+60999");
        assertThat(h.sysctl("net.netfilter.nf_conntrack_tcp_timeout_time_wait")).isEqualTo("120");
        assertThat(h.sysctls.get("net.ipv4.tcp_timestamps").source()).matches(".*a\\.txt:\\d+");
    }

    @Test
    void conntrackStatisticsOfTwoToolGenerationsAndOfTheKernel() throws Exception {
        HostEvidence now = only("a.txt", body("conntrack-S-1.4.7.txt"));
        assertThat(now.conntrackStats.get(0).values()).containsKeys("insert_failed", "drop", "early_drop",
                "clash_resolve");
        dir = dir.resolve("old");
        // conntrack-tools 1.4.4: entries= on every CPU line (the table size, not summed), events summed.
        HostEvidence old = only("a.txt", format("conntrack-S-1.4.4.txt"));
        assertThat(old.conntrackStats.get(0).values()).containsEntry("entries", 4180L)
                .containsEntry("insert_failed", 3L + 5L).containsEntry("search_restart", 3L);
        // One row per CPU: the calibrated scenario's cpus (the insert race).
        assertThat(now.conntrackStats.get(0).cpus()).isEqualTo(2);
        assertThat(old.conntrackStats.get(0).cpus()).isEqualTo(2);
        dir = dir.resolve("proc");
        HostEvidence proc = only("a.txt", format("proc-net-stat-nf_conntrack.txt"));
        assertThat(proc.conntrackStats.get(0).values()).containsKeys("entries", "insert_failed", "early_drop");
    }

    @Test
    void conntrackEntriesAndCount() throws Exception {
        put(dir, "h", "a.txt", body("conntrack-L.txt"));
        put(dir, "h", "b.txt", format("conntrack-C.txt").replace(" router\n", " h\n"));
        HostEvidence h = Fixtures.read(dir).hosts.get("h");
        // Real entries of the lab's router: original source 198.18.1.x, reply destination the NAT address.
        assertThat(h.conntrackStates).containsKey("TIME_WAIT");
        assertThat(h.conntrackSnatEntries).isEqualTo(h.conntrackStates.values().stream().mapToLong(x -> x).sum());
        assertThat(h.conntrackCounts.get(0).value()).isEqualTo(19);
    }

    @Test
    void ipvsadmListStatsRateTimeoutAndEntries() throws Exception {
        put(dir, "h", "a.txt", format("ipvsadm-Ln.txt"));
        put(dir, "h", "b.txt", format("ipvsadm-stats.txt"));
        put(dir, "h", "c.txt", format("ipvsadm-rate.txt"));
        put(dir, "h", "d.txt", format("ipvsadm-timeout.txt"));
        put(dir, "h", "e.txt", format("ipvsadm-Lnc.txt"));
        Bundle b = Fixtures.read(dir);
        assertThat(b.problems).isEmpty();
        HostEvidence h = b.hosts.get("h");
        IpvsService web = h.ipvsServices.get("TCP 30.1.1.1:443");
        assertThat(web.scheduler).isEqualTo("wlc");
        assertThat(web.realServers).hasSize(3);
        assertThat(web.realServers.get(2).weight()).isZero();
        assertThat(web.realServers.get(0).forward()).isEqualTo("Masq");
        assertThat(web.conns).isEqualTo(5210377);
        assertThat(web.cps).isEqualTo(30);
        IpvsService other = h.ipvsServices.get("TCP 30.1.1.2:80");
        assertThat(other.flags).isEqualTo("persistent 300");
        assertThat(other.forwarding()).isEqualTo("Route");
        assertThat(h.ipvsTimeouts.value()).containsExactly(900, 120, 300);
        assertThat(h.ipvsEntryStates).containsEntry("TIME_WAIT", 2L).containsEntry("ESTABLISHED", 1L);
    }

    @Test
    void ssSocketsOfTheRealKernelAndBothSummaryGenerations() throws Exception {
        // The time-wait listing keeps its collect header: without a State column only the command tells the state.
        put(dir, "h", "a.txt", format("ss-time-wait-6.18.txt"));
        put(dir, "h", "b.txt", body("ss-tln-6.18.txt"));
        put(dir, "h", "c.txt", body("ss-s-6.18.txt"));
        Bundle b = Fixtures.read(dir);
        assertThat(b.hosts).containsOnlyKeys("h", "server");
        HostEvidence h = b.hosts.get("server");
        HostEvidence same = b.hosts.get("h");
        h.listening.putAll(same.listening);
        h.timeWaitSummary = same.timeWaitSummary;
        // 6.18's ss lists IPv4 in IPv6 form ([::ffff:198.19.1.1]:8080); all 17 TIME-WAIT sockets (19 lines less the
        // two headers) are on the listener.
        assertThat(h.timeWaitListed.value()).isEqualTo(17);
        assertThat(h.timeWaitByLocalPort).containsOnlyKeys(8080);
        assertThat(h.listening).containsKey(8080);
        assertThat(h.timeWaitByPeer).containsOnlyKeys("198.19.0.1");
        // iproute2 6.x: "timewait 17)" without the "/0" and ", ports" of older versions.
        assertThat(h.timeWaitSummary.value()).isEqualTo(17);
        dir = dir.resolve("old");
        HostEvidence old = only("a.txt", format("ss-s-older.txt"));
        assertThat(old.timeWaitSummary.value()).isEqualTo(69950);
    }

    @Test
    void kernelReleaseFromUnameAndProcVersion() throws Exception {
        assertThat(only("a.txt", format("uname-rhel6.txt")).kernelRelease.value()).isEqualTo("2.6.32-754.el6.x86_64");
        dir = dir.resolve("7");
        assertThat(only("a.txt", format("uname-rhel7.txt")).kernelRelease.value()).isEqualTo("3.10.0-1127.el7.x86_64");
        dir = dir.resolve("v");
        assertThat(only("a.txt", format("proc-version.txt")).kernelRelease.value()).matches("\\d+\\.\\d+.*");
        dir = dir.resolve("u");
        assertThat(only("a.txt", body("uname-6.18.txt")).kernelRelease.value()).startsWith("6.18.");
    }

    @Test
    void natRulesOfNftablesAndIptables() throws Exception {
        NatRule nft = only("a.txt", body("nft-ruleset.txt")).natRules.get(0);
        assertThat(nft.kind()).isEqualTo("snat");
        assertThat(nft.addresses()).containsExactly("198.19.0.1");
        assertThat(nft.ports()).isEqualTo(20);
        assertThat(nft.flags()).isEqualTo("none");
        dir = dir.resolve("ipt");
        NatRule ipt = only("a.txt", format("iptables-save-nat.txt")).natRules.get(0);
        assertThat(ipt.addresses()).containsExactly("20.1.1.1");
        assertThat(ipt.portLow()).isEqualTo(2048);
        assertThat(ipt.ports()).isEqualTo(65535 - 2048 + 1);
        assertThat(ipt.flags()).isEqualTo("fully-random");
        dir = dir.resolve("masq");
        NatRule masq = only("a.txt", "table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority "
                + "srcnat; policy accept;\n\t\toifname \"eth0\" masquerade random,persistent\n\t}\n}\n").natRules.get(0);
        assertThat(masq.kind()).isEqualTo("masquerade");
        assertThat(masq.flags()).isEqualTo("random");
        assertThat(masq.ports()).as("nf_nat's default range 1024-65535").isEqualTo(64512);
    }

    @Test
    void twoTimedReadingsGiveARateAndHostsComeFromHeadersOrFolders() throws Exception {
        String proc = body("proc-net-snmp-6.18.txt");
        // The same counters 30 s apart; the second has 300 more passive opens. Headers name host "srv" although
        // the folder says otherwise: the header wins.
        put(dir, "folder", "1", header("cat /proc/net/snmp", 1_000_000, "srv") + proc);
        put(dir, "folder", "2", header("cat /proc/net/snmp", 1_000_030, "srv")
                + proc.replaceFirst("(Tcp: (?:\\S+ ){5})227", "$1527"));
        Bundle b = Fixtures.read(dir);
        assertThat(b.hosts).containsOnlyKeys("srv");
        CounterChange c = b.change(b.hosts.get("srv"), "TcpPassiveOpens");
        assertThat(c.delta()).isEqualTo(300);
        assertThat(c.seconds()).isEqualTo(30);
        assertThat(c.perSecond()).isEqualTo(10.0); // 300 / 30 s
        assertThat(c.sources()).contains("1:").contains("2:");
    }

    @Test
    void badLinesAreReportedWithFileAndLineAndUnknownFilesIgnored() throws Exception {
        put(dir, "h", "counters", "TcpExt: PAWSEstab TW\nTcpExt: 5 x\nTcp: ActiveOpens\n");
        put(dir, "h", "sys", "net.ipv4.tcp_timestamps = 1\nthis is not a sysctl\nnet.ipv4.tcp_tw_reuse = 0\n");
        put(dir, "h", "photo.bin", "\u0000\u00ff\u00fe binary");
        put(dir, "h", "readme", "hello\nworld\n");
        Bundle b = Fixtures.read(dir);
        assertThat(b.problems).extracting(Object::toString)
                .anyMatch(p -> p.matches(".*counters:2: 'x' for TcpExtTW is not a number; skipped"))
                .anyMatch(p -> p.matches(".*counters:3: a header line without its value line; skipped"))
                .anyMatch(p -> p.matches(".*sys:2: expected 'name = value'; skipped"));
        assertThat(b.hosts.get("h").sysctl("net.ipv4.tcp_tw_reuse")).isEqualTo("0");
        assertThat(b.ignored).anyMatch(i -> i.contains("readme") && i.contains("not a format twlab reads"));
    }
}
