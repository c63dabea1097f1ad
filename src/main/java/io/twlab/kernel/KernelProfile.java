package io.twlab.kernel;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One kernel version's TCP behaviour as data: the TCP code asks the profile and never tests a version. A
 * profile other than the first is derived from its predecessor by named {@link KernelChange}s
 * ({@link #derive}), so the table of profiles reads as a history of the kernel.
 *
 * @param name                    profile id used in scenarios, e.g. "linux-2.6.32"
 * @param source                  the source tree the profile follows
 * @param derivedFrom             the profile this one was derived from, or null for the first
 * @param changes                 what changed against {@code derivedFrom}, in order
 * @param defaultHz               CONFIG_HZ of the usual build (a scenario may override it)
 * @param reaper                  TIME_WAIT lifetime mechanism
 * @param tsClock                 TSval clock
 * @param tsOffset                TSval offset policy
 * @param initialRtoMs            TCP_TIMEOUT_INIT (3 s until 3.0, 1 s since 3.1)
 * @param synLinearTimeouts       6.5+: tcp_syn_linear_timeouts exists (SYN RTO not backed off for the first N)
 * @param resendSynAfterInvalidAck 5.7+: after an unacceptable ACK in SYN_SENT the SYN is re-sent 2 jiffies later
 * @param twRescheduleOnRst       ≤4.x: an accepted RST with tcp_rfc1337=1 re-arms the TIME_WAIT timer
 * @param timerWheelRounding      4.8+: the non-cascading timer wheel rounds a timer's expiry up to its level's
 *                                granularity (calc_wheel_index); before, a timer fires on its own jiffy
 * @param twAckRateLimited        TIME_WAIT out-of-window ACKs limited to one per tcp_invalid_ratelimit
 * @param rfc5961ChallengeAcks    3.6+: an in-window SYN or RST not at rcv_nxt gets a challenge ACK (RFC 5961);
 *                                before, the SYN resets the connection and any in-window RST is accepted
 * @param pawsTimewaitCounter     counter for a PAWS reject at a TIME_WAIT socket
 * @param twCountedAtArming       6.13+: TW/TWKilled counted when the TIME_WAIT timer is armed, not at expiry
 * @param twReuse                 tcp_tw_reuse time rule
 * @param twReuseLoopbackMode     4.19+: tcp_tw_reuse=2 means loopback only (79e9fed46038); before, any non-zero
 *                                value enables reuse for every destination
 * @param recycleDropsSynWithoutTs tw_recycle also drops a SYN with no timestamp (a26552afe894, ~3.17; RHEL 7)
 * @param pawsWrapSeconds         age after which ts_recent no longer applies (24 days; 2147 s from 6.7)
 * @param portSelection           connect() ephemeral port search
 * @param natPortAllocation       nf_nat source-port search when this kernel runs a SNAT gateway
 * @param conntrackGcEarlyDrop    after a "table full" drop, conntrack's gc_worker kills assured entries in closing
 *                                states while the table is at 95 % of nf_conntrack_max (nf_conntrack_max95)
 * @param sysctls                 the sysctls this kernel has, by full name, with defaults
 */
public record KernelProfile(
        String name,
        String source,
        String derivedFrom,
        List<KernelChange> changes,
        int defaultHz,
        TimeWaitReaperKind reaper,
        TimestampClock tsClock,
        TsOffsetPolicy tsOffset,
        int initialRtoMs,
        boolean synLinearTimeouts,
        boolean resendSynAfterInvalidAck,
        boolean twRescheduleOnRst,
        boolean timerWheelRounding,
        boolean twAckRateLimited,
        boolean rfc5961ChallengeAcks,
        PawsCounter pawsTimewaitCounter,
        boolean twCountedAtArming,
        TwReuseRule twReuse,
        boolean twReuseLoopbackMode,
        boolean recycleDropsSynWithoutTs,
        long pawsWrapSeconds,
        PortSelection portSelection,
        NatPortAllocation natPortAllocation,
        boolean conntrackGcEarlyDrop,
        Map<String, Sysctl> sysctls) {

    public boolean hasSysctl(String name) {
        return sysctls.containsKey(name);
    }

    public boolean hasTwRecycle() {
        return sysctls.containsKey(Sysctls.TCP_TW_RECYCLE);
    }

    /** This profile with {@code changes} applied: a new kernel version named {@code name}. */
    public KernelProfile derive(String name, String source, int defaultHz, KernelChange... changes) {
        Builder b = new Builder(this);
        b.defaultHz = defaultHz;
        for (KernelChange c : changes) {
            c.apply().accept(b);
        }
        return b.build(name, source, this.name, List.of(changes));
    }

    /** The first profile: every field given, no predecessor. */
    static KernelProfile first(String name, String source, Builder b) {
        return b.build(name, source, null, List.of());
    }

    /** The mutable form a {@link KernelChange} edits. */
    public static final class Builder {
        int defaultHz;
        TimeWaitReaperKind reaper;
        TimestampClock tsClock;
        TsOffsetPolicy tsOffset;
        int initialRtoMs;
        boolean synLinearTimeouts;
        boolean resendSynAfterInvalidAck;
        boolean twRescheduleOnRst;
        boolean timerWheelRounding;
        boolean twAckRateLimited;
        boolean rfc5961ChallengeAcks;
        PawsCounter pawsTimewaitCounter;
        boolean twCountedAtArming;
        TwReuseRule twReuse;
        boolean twReuseLoopbackMode;
        boolean recycleDropsSynWithoutTs;
        long pawsWrapSeconds;
        PortSelection portSelection;
        NatPortAllocation natPortAllocation;
        boolean conntrackGcEarlyDrop;
        final TreeMap<String, Sysctl> sysctls = new TreeMap<>();

        Builder() {
        }

        private Builder(KernelProfile p) {
            defaultHz = p.defaultHz;
            reaper = p.reaper;
            tsClock = p.tsClock;
            tsOffset = p.tsOffset;
            initialRtoMs = p.initialRtoMs;
            synLinearTimeouts = p.synLinearTimeouts;
            resendSynAfterInvalidAck = p.resendSynAfterInvalidAck;
            twRescheduleOnRst = p.twRescheduleOnRst;
            timerWheelRounding = p.timerWheelRounding;
            twAckRateLimited = p.twAckRateLimited;
            rfc5961ChallengeAcks = p.rfc5961ChallengeAcks;
            pawsTimewaitCounter = p.pawsTimewaitCounter;
            twCountedAtArming = p.twCountedAtArming;
            twReuse = p.twReuse;
            twReuseLoopbackMode = p.twReuseLoopbackMode;
            recycleDropsSynWithoutTs = p.recycleDropsSynWithoutTs;
            pawsWrapSeconds = p.pawsWrapSeconds;
            portSelection = p.portSelection;
            natPortAllocation = p.natPortAllocation;
            conntrackGcEarlyDrop = p.conntrackGcEarlyDrop;
            sysctls.putAll(p.sysctls);
        }

        public Builder reaper(TimeWaitReaperKind v) { reaper = v; return this; }
        public Builder tsClock(TimestampClock v) { tsClock = v; return this; }
        public Builder tsOffset(TsOffsetPolicy v) { tsOffset = v; return this; }
        public Builder initialRtoMs(int v) { initialRtoMs = v; return this; }
        public Builder synLinearTimeouts(boolean v) { synLinearTimeouts = v; return this; }
        public Builder resendSynAfterInvalidAck(boolean v) { resendSynAfterInvalidAck = v; return this; }
        public Builder twRescheduleOnRst(boolean v) { twRescheduleOnRst = v; return this; }
        public Builder timerWheelRounding(boolean v) { timerWheelRounding = v; return this; }
        public Builder twAckRateLimited(boolean v) { twAckRateLimited = v; return this; }
        public Builder rfc5961ChallengeAcks(boolean v) { rfc5961ChallengeAcks = v; return this; }
        public Builder pawsTimewaitCounter(PawsCounter v) { pawsTimewaitCounter = v; return this; }
        public Builder twCountedAtArming(boolean v) { twCountedAtArming = v; return this; }
        public Builder twReuse(TwReuseRule v) { twReuse = v; return this; }
        public Builder twReuseLoopbackMode(boolean v) { twReuseLoopbackMode = v; return this; }
        public Builder recycleDropsSynWithoutTs(boolean v) { recycleDropsSynWithoutTs = v; return this; }
        public Builder pawsWrapSeconds(long v) { pawsWrapSeconds = v; return this; }
        public Builder portSelection(PortSelection v) { portSelection = v; return this; }
        public Builder natPortAllocation(NatPortAllocation v) { natPortAllocation = v; return this; }
        public Builder conntrackGcEarlyDrop(boolean v) { conntrackGcEarlyDrop = v; return this; }

        /** Adds a sysctl, or replaces the one of that name. */
        public Builder sysctl(Sysctl s) {
            sysctls.put(s.name(), s);
            return this;
        }

        public Builder withoutSysctl(String name) {
            if (sysctls.remove(name) == null) {
                throw new IllegalStateException("no sysctl " + name + " to remove");
            }
            return this;
        }

        /** The same sysctl with another default. */
        public Builder sysctlDefault(String name, long value) {
            Sysctl s = sysctls.get(name);
            if (s == null) {
                throw new IllegalStateException("no sysctl " + name + " to change");
            }
            sysctls.put(name, new Sysctl(name, value, s.min(), s.max(), s.portRange(), s.description()));
            return this;
        }

        KernelProfile build(String name, String source, String derivedFrom, List<KernelChange> changes) {
            return new KernelProfile(name, source, derivedFrom, changes, defaultHz, reaper, tsClock, tsOffset,
                    initialRtoMs, synLinearTimeouts, resendSynAfterInvalidAck, twRescheduleOnRst, timerWheelRounding, twAckRateLimited,
                    rfc5961ChallengeAcks, pawsTimewaitCounter, twCountedAtArming, twReuse, twReuseLoopbackMode, recycleDropsSynWithoutTs, pawsWrapSeconds,
                    portSelection, natPortAllocation, conntrackGcEarlyDrop, Collections.unmodifiableMap(new TreeMap<>(sysctls)));
        }
    }
}
