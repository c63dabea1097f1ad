package io.twlab.tcp;

import io.twlab.engine.RandomStreams;
import io.twlab.kernel.TimestampClock;

/**
 * A host's initial sequence numbers and TSval clock: secure_tcp_seq() and secure_tcp_ts_off()
 * (net/core/secure_seq.c) under the profile's offset policy, on jiffies or milliseconds (tcp_time_stamp).
 */
final class SequenceClocks {
    private final TcpHost host;
    private final long secret;
    private final long wallClockAtStartNs;
    private final boolean jiffiesClock;
    private final boolean offsetsDisabled;

    SequenceClocks(TcpHost host, long secret, long wallClockAtStartNs, boolean offsetsDisabled) {
        this.host = host;
        this.secret = secret;
        this.wallClockAtStartNs = wallClockAtStartNs;
        this.jiffiesClock = host.profile.tsClock() == TimestampClock.JIFFIES;
        this.offsetsDisabled = offsetsDisabled;
    }

    long secret() {
        return secret;
    }

    /** secure_tcp_seq(): keyed hash of the 4-tuple plus the real-time clock in 64 ns units. */
    int secureSequence(int localIp, int localPort, int remoteIp, int remotePort) {
        long h = RandomStreams.mix(secret ^ ((localIp & 0xffffffffL) << 32 | (remoteIp & 0xffffffffL))
                ^ ((long) localPort << 48) ^ ((long) remotePort << 32) ^ 0x1234567L);
        long wallNs = wallClockAtStartNs + host.sim.now();
        return (int) h + (int) (wallNs >>> 6);
    }

    /** TSval offset of a new connection under the kernel's policy; tcp_timestamps=2 means no offset (4.11+). */
    int timestampOffset(int localIp, int localPort, int remoteIp, int remotePort) {
        long pair = ((localIp & 0xffffffffL) << 32) | (remoteIp & 0xffffffffL);
        if (offsetsDisabled) {
            return 0;
        }
        return switch (host.profile.tsOffset()) {
            case NONE -> 0;
            case PER_CONNECTION -> (int) RandomStreams.mix(secret ^ pair ^ ((long) localPort << 17) ^ host.sim.now());
            case PER_ADDRESS_PAIR -> (int) RandomStreams.mix(secret ^ pair ^ 0x7541L);
            case PER_FOUR_TUPLE -> (int) RandomStreams.mix(secret ^ pair
                    ^ (((long) localPort << 16 | remotePort) * 0x9E3779B97F4A7C15L));
        };
    }

    /** TSval before any offset. */
    int rawTs() {
        return host.clock.rawTimestamp(host.sim.now(), jiffiesClock);
    }

    int tsNow(TcpConnection c) {
        return rawTs() + c.tsOffset;
    }
}
