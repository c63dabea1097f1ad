package io.twlab.kernel;

import java.util.Map;

/**
 * One kernel version's TCP behaviour as data: the TCP code asks the profile and never tests a version.
 *
 * @param name                    profile id used in scenarios, e.g. "linux-2.6.32"
 * @param source                  the source tree the profile follows
 * @param defaultHz               CONFIG_HZ of the usual build (a scenario may override it)
 * @param reaper                  TIME_WAIT lifetime mechanism
 * @param tsClock                 TSval clock
 * @param tsOffset                TSval offset policy
 * @param initialRtoMs            TCP_TIMEOUT_INIT (3 s until 3.0, 1 s since 3.1)
 * @param synLinearTimeouts       6.5+: tcp_syn_linear_timeouts exists (SYN RTO not backed off for the first N)
 * @param resendSynAfterInvalidAck 5.7+: after an unacceptable ACK in SYN_SENT the SYN is re-sent 2 jiffies later
 * @param twRescheduleOnRst       ≤4.x: an accepted RST with tcp_rfc1337=1 re-arms the TIME_WAIT timer
 * @param twAckRateLimited        TIME_WAIT out-of-window ACKs limited to one per tcp_invalid_ratelimit
 * @param pawsTimewaitCounter     counter for a PAWS reject at a TIME_WAIT socket (PAWSEstab, or PAWSTimewait 6.16+)
 * @param twCountedAtArming       6.13+: TW/TWKilled counted when the TIME_WAIT timer is armed, not at expiry
 * @param twReuse                 tcp_tw_reuse time rule
 * @param recycleDropsSynWithoutTs tw_recycle also drops a SYN with no timestamp (a26552afe894, ~3.17; RHEL 7)
 * @param pawsWrapSeconds         age after which ts_recent no longer applies (24 days; 2147 s from 6.7)
 * @param portSelection           connect() ephemeral port search
 * @param natPortAllocation       nf_nat source-port search when this kernel runs a SNAT gateway
 * @param sysctls                 the sysctls this kernel has, by full name, with defaults
 */
public record KernelProfile(
        String name,
        String source,
        int defaultHz,
        TimeWaitReaperKind reaper,
        TimestampClock tsClock,
        TsOffsetPolicy tsOffset,
        int initialRtoMs,
        boolean synLinearTimeouts,
        boolean resendSynAfterInvalidAck,
        boolean twRescheduleOnRst,
        boolean twAckRateLimited,
        String pawsTimewaitCounter,
        boolean twCountedAtArming,
        TwReuseRule twReuse,
        boolean recycleDropsSynWithoutTs,
        long pawsWrapSeconds,
        PortSelection portSelection,
        NatPortAllocation natPortAllocation,
        Map<String, Sysctl> sysctls) {

    public boolean hasSysctl(String name) {
        return sysctls.containsKey(name);
    }

    public boolean hasTwRecycle() {
        return sysctls.containsKey(Sysctls.TCP_TW_RECYCLE);
    }
}
