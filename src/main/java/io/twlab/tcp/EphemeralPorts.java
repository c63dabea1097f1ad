package io.twlab.tcp;

import io.twlab.engine.RandomStreams;
import io.twlab.kernel.PortSelection;
import io.twlab.kernel.Sysctls;

/**
 * connect()'s ephemeral port: __inet_hash_connect() (net/ipv4/inet_hashtables.c) starts at a keyed hash of
 * the destination plus a global hint and scans ip_local_port_range (4.6+: even ports first), taking the first
 * port whose 4-tuple is free or whose TIME_WAIT tcp_twsk_unique() lets it take over.
 */
final class EphemeralPorts {
    private final TcpHost host;
    private final long secret;
    private final int low;
    private final int high;
    private final int twReuse;
    private int hint;
    private int reusedTimeWait = -1;

    EphemeralPorts(TcpHost host, long secret, int low, int high, int twReuse) {
        this.host = host;
        this.secret = secret;
        this.low = low;
        this.high = high;
        this.twReuse = twReuse;
    }

    /** A free port, or -1 (EADDRNOTAVAIL); {@link #reusedTimeWait} tells which TIME_WAIT it takes over. */
    int pick(int remoteIp, int remotePort) {
        reusedTimeWait = -1;
        int remaining = high - low + 1;
        int portOffset = (int) (RandomStreams.mix(secret ^ ((remoteIp & 0xffffffffL) << 16) ^ remotePort) >>> 33);
        if (host.profile.portSelection() == PortSelection.HASHED_OFFSET_SEQUENTIAL) {
            int offset = hint + portOffset;
            for (int i = 1; i <= remaining; i++) {
                int port = low + Math.floorMod(i + offset, remaining);
                if (usable(remoteIp, remotePort, port)) {
                    hint += i;
                    return port;
                }
            }
            return -1;
        }
        int offset = Math.floorMod(hint + portOffset, remaining) & ~1;
        for (int parity = 0; parity < 2; parity++) {
            int port = low + offset;
            for (int i = 0; i < remaining; i += 2, port += 2) {
                if (port > high) {
                    port -= remaining;
                }
                if (usable(remoteIp, remotePort, port)) {
                    hint += i + 2;
                    return port;
                }
            }
            offset++;
        }
        return -1;
    }

    /** The TIME_WAIT slot the last {@link #pick} takes over, or -1. */
    int reusedTimeWait() {
        return reusedTimeWait;
    }

    private boolean usable(int remoteIp, int remotePort, int port) {
        long key = TcpHost.tupleKey(remoteIp, remotePort, port);
        if (host.connections.containsKey(key)) {
            return false;
        }
        int tw = host.timeWait.find(key);
        if (tw < 0) {
            return true;
        }
        if (reuseAllows(tw, remoteIp)) {
            reusedTimeWait = tw;
            return true;
        }
        return false;
    }

    /** tcp_twsk_unique(): tw_reuse needs a timestamped old connection and the version's time rule. */
    private boolean reuseAllows(int tw, int remoteIp) {
        // Before 4.19 the sysctl is a boolean: any non-zero value enables reuse toward every destination.
        boolean enabled = host.profile.twReuseLoopbackMode()
                ? twReuse == 1 || (twReuse == 2 && (remoteIp >>> 24) == 127)
                : twReuse != 0;
        TimeWaitTable t = host.timeWait;
        if (!enabled || t.tsRecentStamp[tw] == 0 || t.substate(tw) == TimeWaitTable.SUBSTATE_FIN_WAIT2) {
            return false;
        }
        long now = host.sim.now();
        HostClock clock = host.clock;
        return switch (host.profile.twReuse()) {
            case SECONDS_DIFF_GREATER_THAN_ONE -> clock.seconds(now) - t.tsRecentStamp[tw] > 1;
            case SECONDS_ADVANCED -> clock.seconds(now) > t.tsRecentStamp[tw];
            case ENTRY_STAMP_PLUS_DELAY_MS -> (int) clock.millis(now) - t.entryStampMs[tw]
                    > host.sysctls.get(Sysctls.TCP_TW_REUSE_DELAY);
        };
    }
}
