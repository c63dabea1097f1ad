package io.twlab.kernel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.twlab.kernel.KernelChange.of;
import static io.twlab.kernel.Sysctls.*;

/**
 * The kernel profiles twlab ships, each derived from its predecessor by named changes with the version and the
 * commit or source file they come from. Facts and their sources: shared/reference/kernel-facts.md and
 * docs/kernels.md; the whole table is printed by {@code twlab profiles --table} and checked by a golden test.
 */
public final class Profiles {
    private static final Map<String, KernelProfile> ALL = new LinkedHashMap<>();

    static {
        // RHEL 6 (csg109/kernel-2.6.32): death-row wheel, jiffies TSval, no offsets, 3 s initial RTO, 5 SYN retries,
        // TIME_WAIT ACKs never rate-limited, tw_recycle via inet_peer.
        KernelProfile.Builder b = new KernelProfile.Builder()
                .reaper(TimeWaitReaperKind.DEATH_ROW_WHEEL).tsClock(TimestampClock.JIFFIES)
                .tsOffset(TsOffsetPolicy.NONE).initialRtoMs(3000).twRescheduleOnRst(true)
                .pawsTimewaitCounter(PawsCounter.PAWS_ESTAB).twReuse(TwReuseRule.SECONDS_DIFF_GREATER_THAN_ONE)
                .pawsWrapSeconds(24L * 86400).portSelection(PortSelection.HASHED_OFFSET_SEQUENTIAL)
                .natPortAllocation(NatPortAllocation.ROVER)
                .sysctl(Sysctl.integer(TCP_TIMESTAMPS, 1, 0, 1, "send and accept RFC 7323 timestamps (no random "
                        + "offsets to turn off before 4.10, so no value 2, added in 4.11)"))
                .sysctl(Sysctl.integer(TCP_TW_REUSE, 0, 0, 2, "connect() may take over a TIME_WAIT tuple (2: loopback only)"))
                .sysctl(Sysctl.integer(TCP_TW_RECYCLE, 0, 0, 1, "fast TIME_WAIT recycling with per-peer timestamp "
                        + "checks (removed in 4.12)"))
                .sysctl(Sysctl.integer(TCP_MAX_TW_BUCKETS, 262144, 0, Integer.MAX_VALUE, "TIME_WAIT sockets allowed "
                        + "before new ones are skipped"))
                .sysctl(Sysctl.integer(TCP_FIN_TIMEOUT, 60, 1, 3600, "seconds an orphaned FIN_WAIT2 socket lives"))
                .sysctl(Sysctl.integer(TCP_RFC1337, 0, 0, 1, "ignore RST in TIME_WAIT (RFC 1337)"))
                .sysctl(Sysctl.integer(TCP_SYN_RETRIES, 5, 1, 127, "SYN retransmissions before connect() fails"))
                .sysctl(Sysctl.integer(TCP_SYNACK_RETRIES, 5, 1, 255, "SYN-ACK retransmissions before a request is dropped"))
                .sysctl(Sysctl.integer(TCP_MAX_SYN_BACKLOG, 4096, 128, Integer.MAX_VALUE, "pending requests per listener"))
                .sysctl(Sysctl.range(IP_LOCAL_PORT_RANGE, 32768, 60999, "ephemeral ports for connect()"))
                .sysctl(Sysctl.integer(SOMAXCONN, 4096, 1, 65535, "upper bound of a listen() backlog"));
        b.defaultHz = 1000;
        KernelProfile rhel6 = register(KernelProfile.first("linux-2.6.32", "RHEL 6 kernel 2.6.32 (csg109/kernel-2.6.32)", b));

        KernelProfile v310 = register(rhel6.derive("linux-3.10", "upstream Linux 3.10", 250,
                of("initial RTO 1 s", "3.1", "9ad7c049f0f7 tcp: RFC2988bis + taking RTO back to 1 sec "
                        + "(include/net/tcp.h TCP_TIMEOUT_INIT)", p -> p.initialRtoMs(1000)),
                of("RFC 5961 challenge ACKs for in-window SYNs and RSTs", "3.6", "282f23c6ee34 tcp: implement RFC "
                        + "5961 3.2, 0c24604b68fc tcp: implement RFC 5961 4.2 (net/ipv4/tcp_input.c "
                        + "tcp_validate_incoming); RHEL 6 does not carry them (Red Hat on CVE-2016-5696)",
                        p -> p.rfc5961ChallengeAcks(true)),
                of("6 SYN retries", "3.7", "include/net/tcp.h TCP_SYN_RETRIES (5 in 2.6.32, 6 in 3.10)",
                        p -> p.sysctlDefault(TCP_SYN_RETRIES, 6))));

        // RHEL 7.8 (jiho-dev/linux-3.10.0-1127): 3.10 with Red Hat's own and backported changes.
        register(v310.derive("linux-3.10.0-1127", "RHEL 7.8 kernel 3.10.0-1127 (jiho-dev/linux-3.10.0-1127)", 1000,
                of("death row re-armed 1 s after a busy cell", "RHEL 7", "net/ipv4/inet_timewait_sock.c "
                        + "inet_twdr_twkill_work (mod_timer jiffies + HZ)",
                        p -> p.reaper(TimeWaitReaperKind.DEATH_ROW_WHEEL_RHEL_REARM)),
                of("TIME_WAIT out-of-window ACKs rate-limited", "3.16 (backported)", "net/ipv4/tcp_minisocks.c "
                        + "tcp_timewait_check_oow_rate_limit; tcp_invalid_ratelimit", p -> p.twAckRateLimited(true)
                        .sysctl(invalidRateLimit())),
                of("tw_recycle drops SYNs without timestamps", "~3.17 (backported)", "a26552afe894, "
                        + "net/ipv4/tcp_input.c tcp_peer_is_proven", p -> p.recycleDropsSynWithoutTs(true)),
                of("nf_nat bounded random port search", "5.0 (backported)", "a504b703bb1d, "
                        + "net/netfilter/nf_nat_proto_common.c nf_nat_l4proto_unique_tuple",
                        p -> p.natPortAllocation(NatPortAllocation.RANDOM_BOUNDED))));

        KernelProfile v44 = register(v310.derive("linux-4.4", "upstream Linux 4.4", 250,
                of("per-socket TIME_WAIT timer", "4.1", "789f558cfb36 tcp/dccp: get rid of central timewait timer "
                        + "(net/ipv4/inet_timewait_sock.c)", p -> p.reaper(TimeWaitReaperKind.PER_SOCKET_TIMER)),
                of("TIME_WAIT out-of-window ACKs rate-limited", "3.16", "net/ipv4/tcp_minisocks.c "
                        + "tcp_timewait_check_oow_rate_limit; tcp_invalid_ratelimit", p -> p.twAckRateLimited(true)
                        .sysctl(invalidRateLimit())),
                of("tw_recycle drops SYNs without timestamps", "~3.17", "a26552afe894, net/ipv4/tcp_input.c "
                        + "tcp_peer_is_proven", p -> p.recycleDropsSynWithoutTs(true))));

        KernelProfile v419 = register(v44.derive("linux-4.19", "upstream Linux 4.19 (chens37/linux-4.19.1)", 250,
                of("TIME_WAIT and connection timers on the 4.8 non-cascading wheel (expiry rounded up per level)",
                        "4.8", "500462a9de65 timer: Switch to a non-cascading wheel (kernel/time/timer.c "
                        + "calc_wheel_index)", p -> p.reaper(TimeWaitReaperKind.PER_SOCKET_TIMER_WHEEL_ROUNDED)
                                .timerWheelRounding(true)),
                of("1 ms TSval clock", "4.13", "9a568de4818d tcp: switch TCP TS option (RFC 7323) to 1ms clock",
                        p -> p.tsClock(TimestampClock.MILLISECONDS)),
                of("TSval offsets per address pair; tcp_timestamps=2 turns them off", "4.11",
                        "28ee1b746f49 secure_seq: downgrade to per-host timestamp offsets (secure_tcp_ts_off)",
                        p -> p.tsOffset(TsOffsetPolicy.PER_ADDRESS_PAIR).sysctl(Sysctl.integer(TCP_TIMESTAMPS, 1, 0, 2,
                                "send and accept RFC 7323 timestamps (2: no random offset, 4.11+)"))),
                of("RST no longer re-arms TIME_WAIT", "before 4.19", "net/ipv4/tcp_minisocks.c "
                        + "tcp_timewait_state_process (do not restart timewait timer on rst reception)",
                        p -> p.twRescheduleOnRst(false)),
                of("tcp_tw_recycle removed", "4.12", "4396e46187ca tcp: remove tcp_tw_recycle",
                        p -> p.withoutSysctl(TCP_TW_RECYCLE).recycleDropsSynWithoutTs(false)),
                of("tcp_tw_reuse when the seconds counter advanced", "4.19",
                        "net/ipv4/tcp_ipv4.c tcp_twsk_unique (time_after32(ktime_get_seconds(), ...))",
                        p -> p.twReuse(TwReuseRule.SECONDS_ADVANCED)),
                of("tcp_tw_reuse=2 is loopback only, and the default", "4.19",
                        "79e9fed46038 tcp: Add TCP_TW_REUSE_LOOPBACK (net/ipv4/tcp_ipv4.c tcp_twsk_unique)",
                        p -> p.twReuseLoopbackMode(true).sysctlDefault(TCP_TW_REUSE, 2)),
                of("conntrack's gc_worker early-drops closing entries at 95 % after a table-full drop", "4.x",
                        "net/netfilter/nf_conntrack_core.c gc_worker (nf_conntrack_max95, gc_worker_can_early_drop)",
                        p -> p.conntrackGcEarlyDrop(true)),
                of("connect() tries even ports first", "4.6", "net/ipv4/inet_hashtables.c __inet_hash_connect",
                        p -> p.portSelection(PortSelection.HASHED_OFFSET_EVEN_FIRST))));

        KernelProfile v510 = register(v419.derive("linux-5.10", "upstream Linux 5.10", 250,
                of("SYN re-sent 2 jiffies after an unacceptable ACK", "5.7", "net/ipv4/tcp_input.c "
                        + "tcp_rcv_synsent_state_process (TCP_TIMEOUT_MIN)", p -> p.resendSynAfterInvalidAck(true)),
                of("nf_nat bounded random port search", "5.0", "a504b703bb1d netfilter: nat: limit port clash "
                        + "resolution attempts", p -> p.natPortAllocation(NatPortAllocation.RANDOM_BOUNDED))));

        KernelProfile v66 = register(v510.derive("linux-6.6", "upstream Linux 6.6", 250,
                of("tcp_syn_linear_timeouts (4)", "6.5", "ccce324dabfe tcp: add tcp_syn_linear_timeouts "
                        + "(net/ipv4/tcp_timer.c)", p -> p.synLinearTimeouts(true).sysctl(Sysctl.integer(
                        TCP_SYN_LINEAR_TIMEOUTS, 4, 0, 255, "SYN retransmissions before exponential backoff (6.5+)"))),
                of("connect() ports from a hash re-keyed every 10 s and 2^16 perturbation buckets", "5.18",
                        "net/core/secure_seq.c secure_ipv4_port_ephemeral (EPHEMERAL_PORT_SHUFFLE_PERIOD), "
                        + "net/ipv4/inet_hashtables.c __inet_hash_connect (table_perturb)",
                        p -> p.portSelection(PortSelection.PERTURBED_TIME_SEEDED)),
                of("nf_nat evicts closed conntrack entries for a newer SYN", "~6.5", "net/netfilter/nf_nat_core.c "
                        + "nf_nat_used_tuple_harder", p -> p.natPortAllocation(NatPortAllocation.RANDOM_BOUNDED_EVICT_TIME_WAIT))));

        register(v66.derive("linux-6.18", "Linux 6.18.44 (gregkh/linux ~6.18; netns experiment)", 250,
                of("TSval offsets per 4-tuple again", "2026 (6.12-stable backport)", "165573e41f2f tcp: secure_seq: "
                        + "add back ports to TS offset", p -> p.tsOffset(TsOffsetPolicy.PER_FOUR_TUPLE)),
                of("PAWS rejects at TIME_WAIT counted as PAWSTimewait", "6.16", "net/ipv4/tcp_minisocks.c "
                        + "LINUX_MIB_PAWS_TW_REJECTED", p -> p.pawsTimewaitCounter(PawsCounter.PAWS_TIMEWAIT)),
                of("TW/TWKilled counted when the timer is armed", "6.13", "net/ipv4/inet_timewait_sock.c "
                        + "inet_twsk_hashdance_schedule", p -> p.twCountedAtArming(true)),
                of("tcp_tw_reuse after tcp_tw_reuse_delay ms", "6.14", "19ce8cd30465, net/ipv4/tcp_ipv4.c "
                        + "tcp_twsk_unique", p -> p.twReuse(TwReuseRule.ENTRY_STAMP_PLUS_DELAY_MS).sysctl(
                        Sysctl.integer(TCP_TW_REUSE_DELAY, 1000, 1, 60000,
                                "ms a TIME_WAIT must age before connect() may reuse it (6.14+)"))),
                of("ts_recent trusted for 2147 s, not 24 days", "6.7", "include/net/tcp.h TCP_PAWS_WRAP",
                        p -> p.pawsWrapSeconds(2147))));
    }

    private Profiles() {
    }

    private static Sysctl invalidRateLimit() {
        return Sysctl.integer(TCP_INVALID_RATELIMIT, 500, 0, Integer.MAX_VALUE, "ms between out-of-window ACKs");
    }

    private static KernelProfile register(KernelProfile p) {
        ALL.put(p.name(), p);
        return p;
    }

    public static KernelProfile get(String name) {
        return ALL.get(name);
    }

    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }
}
