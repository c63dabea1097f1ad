package io.twlab.kernel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.twlab.kernel.Sysctls.*;

/**
 * The kernel profiles twlab ships. Facts and their sources: shared/reference/kernel-facts.md and docs/kernels.md.
 */
public final class Profiles {
    private static final Map<String, KernelProfile> ALL = new LinkedHashMap<>();

    static {
        // RHEL 6 (csg109/kernel-2.6.32): death-row wheel, jiffies TSval, no offsets, 3 s initial RTO, 5 SYN retries,
        // TIME_WAIT ACKs never rate-limited, tw_recycle via inet_peer.
        register(new KernelProfile("linux-2.6.32", "RHEL 6 kernel 2.6.32 (csg109/kernel-2.6.32)", 1000,
                TimeWaitReaperKind.DEATH_ROW_WHEEL, TimestampClock.JIFFIES, TsOffsetPolicy.NONE, 3000,
                false, false, true, false, "PAWSEstab", false, TwReuseRule.SECONDS_DIFF_GREATER_THAN_ONE,
                false, 24L * 86400, PortSelection.HASHED_OFFSET_SEQUENTIAL, NatPortAllocation.ROVER,
                sysctls(5, 0, true, false, false, 262144, false)));
        // Upstream 3.10: as 2.6.32 but 1 s initial RTO (since 3.1) and 6 SYN retries (since ~3.7).
        register(new KernelProfile("linux-3.10", "upstream Linux 3.10", 250,
                TimeWaitReaperKind.DEATH_ROW_WHEEL, TimestampClock.JIFFIES, TsOffsetPolicy.NONE, 1000,
                false, false, true, false, "PAWSEstab", false, TwReuseRule.SECONDS_DIFF_GREATER_THAN_ONE,
                false, 24L * 86400, PortSelection.HASHED_OFFSET_SEQUENTIAL, NatPortAllocation.ROVER,
                sysctls(6, 0, true, false, false, 262144, false)));
        // RHEL 7.8 (jiho-dev/linux-3.10.0-1127): the 1 s re-arm in inet_twdr_twkill_work, backported ACK rate
        // limit, tw_recycle dropping SYNs without timestamps, nf_nat bounded random search.
        register(new KernelProfile("linux-3.10.0-1127", "RHEL 7.8 kernel 3.10.0-1127 (jiho-dev/linux-3.10.0-1127)", 1000,
                TimeWaitReaperKind.DEATH_ROW_WHEEL_RHEL_REARM, TimestampClock.JIFFIES, TsOffsetPolicy.NONE, 1000,
                false, false, true, true, "PAWSEstab", false, TwReuseRule.SECONDS_DIFF_GREATER_THAN_ONE,
                true, 24L * 86400, PortSelection.HASHED_OFFSET_SEQUENTIAL, NatPortAllocation.RANDOM_BOUNDED,
                sysctls(6, 0, true, true, false, 262144, false)));
        // Ubuntu 16.04 4.4: per-socket TIME_WAIT timer (4.1+) before the 4.8 timer wheel, still jiffies TSval.
        register(new KernelProfile("linux-4.4", "upstream Linux 4.4", 250,
                TimeWaitReaperKind.PER_SOCKET_TIMER, TimestampClock.JIFFIES, TsOffsetPolicy.NONE, 1000,
                false, false, true, true, "PAWSEstab", false, TwReuseRule.SECONDS_DIFF_GREATER_THAN_ONE,
                true, 24L * 86400, PortSelection.HASHED_OFFSET_SEQUENTIAL, NatPortAllocation.ROVER,
                sysctls(6, 0, true, true, false, 262144, false)));
        // Debian 10 4.19 (chens37/linux-4.19.1): rounded per-socket timers, 1 ms TSval with per-address-pair
        // offsets, no tw_recycle (removed 4.12), RST no longer re-arms TIME_WAIT, tcp_tw_reuse default 2.
        register(new KernelProfile("linux-4.19", "upstream Linux 4.19 (chens37/linux-4.19.1)", 250,
                TimeWaitReaperKind.PER_SOCKET_TIMER_WHEEL_ROUNDED, TimestampClock.MILLISECONDS,
                TsOffsetPolicy.PER_ADDRESS_PAIR, 1000, false, false, false, true, "PAWSEstab", false,
                TwReuseRule.SECONDS_ADVANCED, false, 24L * 86400, PortSelection.HASHED_OFFSET_EVEN_FIRST,
                NatPortAllocation.ROVER, sysctls(6, 2, false, true, false, 262144, true)));
        // Debian 11 5.10: + re-sending the SYN 2 jiffies after an invalid ACK (5.7+), bounded nf_nat search (5.0+).
        register(new KernelProfile("linux-5.10", "upstream Linux 5.10", 250,
                TimeWaitReaperKind.PER_SOCKET_TIMER_WHEEL_ROUNDED, TimestampClock.MILLISECONDS,
                TsOffsetPolicy.PER_ADDRESS_PAIR, 1000, false, true, false, true, "PAWSEstab", false,
                TwReuseRule.SECONDS_ADVANCED, false, 24L * 86400, PortSelection.HASHED_OFFSET_EVEN_FIRST,
                NatPortAllocation.RANDOM_BOUNDED, sysctls(6, 2, false, true, false, 262144, true)));
        // 6.6 LTS: + tcp_syn_linear_timeouts (6.5+), nf_nat eviction of TIME_WAIT conntrack entries.
        register(new KernelProfile("linux-6.6", "upstream Linux 6.6", 250,
                TimeWaitReaperKind.PER_SOCKET_TIMER_WHEEL_ROUNDED, TimestampClock.MILLISECONDS,
                TsOffsetPolicy.PER_ADDRESS_PAIR, 1000, true, true, false, true, "PAWSEstab", false,
                TwReuseRule.SECONDS_ADVANCED, false, 24L * 86400, PortSelection.HASHED_OFFSET_EVEN_FIRST,
                NatPortAllocation.RANDOM_BOUNDED_EVICT_TIME_WAIT, sysctls(6, 2, false, true, true, 262144, true)));
        // 6.18.44 as observed (shared/reference/real-kernel-6.18.md): per-4-tuple TS offsets (165573e41f2f
        // backport), PAWSTimewait counter (6.16+), TW counted when armed, tcp_tw_reuse_delay (6.14+),
        // TCP_PAWS_WRAP = INT_MAX/1000 ms ≈ 2147 s (6.7+).
        Map<String, Sysctl> s618 = new TreeMap<>(sysctls(6, 2, false, true, true, 262144, true));
        s618.put(TCP_TW_REUSE_DELAY, Sysctl.integer(TCP_TW_REUSE_DELAY, 1000, 1, 60000,
                "ms a TIME_WAIT must age before connect() may reuse it (6.14+)"));
        register(new KernelProfile("linux-6.18", "Linux 6.18.44 (gregkh/linux ~6.18; netns experiment)", 250,
                TimeWaitReaperKind.PER_SOCKET_TIMER_WHEEL_ROUNDED, TimestampClock.MILLISECONDS,
                TsOffsetPolicy.PER_FOUR_TUPLE, 1000, true, true, false, true, "PAWSTimewait", true,
                TwReuseRule.ENTRY_STAMP_PLUS_DELAY_MS, false, 2147, PortSelection.HASHED_OFFSET_EVEN_FIRST,
                NatPortAllocation.RANDOM_BOUNDED_EVICT_TIME_WAIT, Collections.unmodifiableMap(s618)));
    }

    private Profiles() {
    }

    private static void register(KernelProfile p) {
        ALL.put(p.name(), p);
    }

    public static KernelProfile get(String name) {
        return ALL.get(name);
    }

    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /** {@code tsOffsets}: the kernel randomises TSval offsets, so tcp_timestamps=2 (offsets off) exists (4.11+). */
    private static Map<String, Sysctl> sysctls(int synRetries, int twReuseDefault, boolean twRecycle,
                                               boolean invalidRateLimit, boolean linearTimeouts, int maxTwBuckets,
                                               boolean tsOffsets) {
        Map<String, Sysctl> m = new TreeMap<>();
        add(m, tsOffsets
                ? Sysctl.integer(TCP_TIMESTAMPS, 1, 0, 2, "send and accept RFC 7323 timestamps (2: no random offset, 4.11+)")
                : Sysctl.integer(TCP_TIMESTAMPS, 1, 0, 1, "send and accept RFC 7323 timestamps (no random offsets to turn off "
                + "before 4.10, so no value 2, added in 4.11)"));
        add(m, Sysctl.integer(TCP_TW_REUSE, twReuseDefault, 0, 2, "connect() may take over a TIME_WAIT tuple (2: loopback only)"));
        if (twRecycle) {
            add(m, Sysctl.integer(TCP_TW_RECYCLE, 0, 0, 1, "fast TIME_WAIT recycling with per-peer timestamp checks (removed in 4.12)"));
        }
        add(m, Sysctl.integer(TCP_MAX_TW_BUCKETS, maxTwBuckets, 0, Integer.MAX_VALUE, "TIME_WAIT sockets allowed before new ones are skipped"));
        add(m, Sysctl.integer(TCP_FIN_TIMEOUT, 60, 1, 3600, "seconds an orphaned FIN_WAIT2 socket lives"));
        add(m, Sysctl.integer(TCP_RFC1337, 0, 0, 1, "ignore RST in TIME_WAIT (RFC 1337)"));
        add(m, Sysctl.integer(TCP_SYN_RETRIES, synRetries, 1, 127, "SYN retransmissions before connect() fails"));
        add(m, Sysctl.integer(TCP_SYNACK_RETRIES, 5, 1, 255, "SYN-ACK retransmissions before a request is dropped"));
        if (invalidRateLimit) {
            add(m, Sysctl.integer(TCP_INVALID_RATELIMIT, 500, 0, Integer.MAX_VALUE, "ms between out-of-window ACKs"));
        }
        if (linearTimeouts) {
            add(m, Sysctl.integer(TCP_SYN_LINEAR_TIMEOUTS, 4, 0, 255, "SYN retransmissions before exponential backoff (6.5+)"));
        }
        add(m, Sysctl.integer(TCP_MAX_SYN_BACKLOG, 4096, 128, Integer.MAX_VALUE, "pending requests per listener"));
        add(m, Sysctl.range(IP_LOCAL_PORT_RANGE, 32768, 60999, "ephemeral ports for connect()"));
        add(m, Sysctl.integer(SOMAXCONN, 4096, 1, 65535, "upper bound of a listen() backlog"));
        return Collections.unmodifiableMap(m);
    }

    private static void add(Map<String, Sysctl> m, Sysctl s) {
        m.put(s.name(), s);
    }
}
