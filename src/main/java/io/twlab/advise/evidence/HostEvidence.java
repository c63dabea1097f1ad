package io.twlab.advise.evidence;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Everything read about one host: each fact keeps the file and line it came from. */
public final class HostEvidence {
    public final String name;
    /** The kernel release, from uname -a or /proc/version. */
    public Sourced<String> kernelRelease;
    /** CONFIG_HZ, from /proc/config.gz or /boot/config-RELEASE. */
    public Sourced<Integer> configHz;
    /** Seconds since boot, from /proc/uptime. */
    public Sourced<Double> uptimeSeconds;
    /** sysctl values by dotted name (sysctl -a, or /proc/sys files listed as path:value). */
    public final Map<String, Sourced<String>> sysctls = new TreeMap<>();
    /** Counter readings in the order read; {@link Bundle} sorts them by time. */
    public final List<CounterSnapshot> counters = new ArrayList<>();
    /** conntrack -S (or /proc/net/stat/nf_conntrack) summed over CPUs, one map per reading. */
    public final List<ConntrackStats> conntrackStats = new ArrayList<>();
    /** conntrack -C readings. */
    public final List<Sourced<Long>> conntrackCounts = new ArrayList<>();
    /** conntrack -L entries by TCP state. */
    public final Map<String, Long> conntrackStates = new TreeMap<>();
    /** SNAT mappings seen in conntrack -L: public address:port pairs per original source. */
    public long conntrackSnatEntries;
    public Sourced<String> conntrackListSource;
    public final List<NatRule> natRules = new ArrayList<>();
    public final Map<String, IpvsService> ipvsServices = new LinkedHashMap<>();
    /** ipvsadm -L --timeout: tcp, tcpfin, udp seconds. */
    public Sourced<long[]> ipvsTimeouts;
    /** ipvsadm -Lnc entries by state. */
    public final Map<String, Long> ipvsEntryStates = new TreeMap<>();
    public Sourced<String> ipvsEntriesSource;
    /** TIME-WAIT sockets listed by ss -tan, by local port, and by peer address. */
    public final Map<Integer, Long> timeWaitByLocalPort = new TreeMap<>();
    public final Map<String, Long> timeWaitByPeer = new TreeMap<>();
    public Sourced<Long> timeWaitListed;
    /** Listening TCP ports from ss -tan / -tln. */
    public final Map<Integer, Sourced<String>> listening = new TreeMap<>();
    /** ss -s "timewait N". */
    public Sourced<Long> timeWaitSummary;
    public final List<Path> captures = new ArrayList<>();
    /** Files read, by path, with what they were recognised as. */
    public final Map<String, String> files = new TreeMap<>();

    public HostEvidence(String name) {
        this.name = name;
    }

    public String sysctl(String key) {
        Sourced<String> s = sysctls.get(key);
        return s == null ? null : s.value().trim();
    }

    public long sysctlLong(String key, long otherwise) {
        String v = sysctl(key);
        if (v == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(v.split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /**
     * One reading of conntrack's per-CPU statistics, summed; {@code entries} is the table size, {@code cpus} the
     * number of per-CPU rows (the CPUs conntrack runs on).
     */
    public record ConntrackStats(long epochSeconds, Map<String, Long> values, String file, int line, int cpus) {
        public String source() {
            return file + ":" + line;
        }
    }
}
