package io.twlab.tcp;

import io.twlab.engine.RandomStreams;
import io.twlab.kernel.PortSelection;
import io.twlab.kernel.Sysctls;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * connect()'s ephemeral port, __inet_hash_connect() (net/ipv4/inet_hashtables.c) as the profile's
 * {@link PortSelection} says: a start from a keyed hash of the destination (secure_ipv4_port_ephemeral) plus a
 * global hint, or from 5.18 a per-bucket perturbation and a hash that changes every 10 s; then a scan of
 * ip_local_port_range (4.6+: even offsets first) for the first port whose 4-tuple is free or whose TIME_WAIT
 * tcp_twsk_unique() lets it take over. When none is, the cause is the kind of holder met most often.
 */
final class EphemeralPorts {
    /** EPHEMERAL_PORT_SHUFFLE_PERIOD (net/core/secure_seq.c): 10 s of jiffies. */
    private static final int SHUFFLE_PERIOD_SECONDS = 10;
    /** INET_TABLE_PERTURB_SIZE from 5.18: 2^16 buckets. */
    private static final int PERTURB_MASK = (1 << 16) - 1;

    private final TcpHost host;
    private final long secret;
    private final int low;
    private final int high;
    private final int twReuse;
    private final SplittableRandom random;
    /** table_perturb[], filled lazily: an untouched bucket holds its boot-time random value. */
    private final Int2IntOpenHashMap perturb = new Int2IntOpenHashMap();
    private final int[] heldBy = new int[NoPortCause.values().length];
    private final long[] failures = new long[NoPortCause.values().length];
    private int hint;
    /** The kernel's loop index i at the port the last scan found. */
    private int tries;
    private int reusedTimeWait = -1;

    EphemeralPorts(TcpHost host, long secret, int low, int high, int twReuse, SplittableRandom random) {
        this.host = host;
        this.secret = secret;
        this.low = low;
        this.high = high;
        this.twReuse = twReuse;
        this.random = random;
    }

    /** A free port, or -1 (EADDRNOTAVAIL, counted by cause); {@link #reusedTimeWait} tells which TIME_WAIT it takes over. */
    int pick(int remoteIp, int remotePort) {
        reusedTimeWait = -1;
        Arrays.fill(heldBy, 0);
        int port = switch (host.profile.portSelection()) {
            case HASHED_OFFSET_SEQUENTIAL -> sequential(remoteIp, remotePort);
            case HASHED_OFFSET_EVEN_FIRST -> evenFirstWithHint(remoteIp, remotePort);
            case PERTURBED_TIME_SEEDED -> evenFirstPerturbed(remoteIp, remotePort);
        };
        if (port < 0) {
            failures[mainHolder().ordinal()]++;
        }
        return port;
    }

    /** connect() calls that failed with EADDRNOTAVAIL, by what held the ports. */
    long failures(NoPortCause cause) {
        return failures[cause.ordinal()];
    }

    /** The TIME_WAIT slot the last {@link #pick} takes over, or -1. */
    int reusedTimeWait() {
        return reusedTimeWait;
    }

    /** ≤4.5: port = low + (i + hint + offset) mod range for i = 1.., and the hint advances by the tries. */
    private int sequential(int remoteIp, int remotePort) {
        int remaining = high - low + 1;
        int offset = hint + staticOffset(remoteIp, remotePort);
        for (int i = 1; i <= remaining; i++) {
            int port = low + Integer.remainderUnsigned(i + offset, remaining);
            if (usable(remoteIp, remotePort, port)) {
                hint += i;
                return port;
            }
        }
        return -1;
    }

    /** 4.6-5.11 (1580ab63fc9a): even offsets from (hint + offset), then odd ones; the hint advances by tries + 2. */
    private int evenFirstWithHint(int remoteIp, int remotePort) {
        int remaining = evenRemaining();
        int found = scanBothParities(remoteIp, remotePort, hint + staticOffset(remoteIp, remotePort), remaining);
        if (found < 0) {
            return -1;
        }
        hint += tries + 2;
        return found;
    }

    /**
     * 5.18+ (the 2022 series after Kol, Klein and Gilad's device-tracking attack): the 64-bit port offset is keyed
     * on jiffies / (10 s) as well, its low 16 bits pick a table_perturb bucket and its high 32 bits add to that
     * bucket's value; a success advances the bucket by max(tries, 2 * random below 8) + 2. So a client's ports
     * walk on within a 10 s period and jump to a new region at each period, returning to old ones by chance.
     */
    private int evenFirstPerturbed(int remoteIp, int remotePort) {
        long epoch = host.clock.kernelJiffies(host.sim.now()) / (SHUFFLE_PERIOD_SECONDS * (long) host.clock.hz());
        long portOffset = RandomStreams.mix(destinationKey(remoteIp, remotePort)
                ^ ((epoch & 0xffffffffL) * 0x9e3779b97f4a7c15L));
        int index = (int) portOffset & PERTURB_MASK;
        int bucket = perturbValue(index);
        int found = scanBothParities(remoteIp, remotePort, bucket + (int) (portOffset >>> 32), evenRemaining());
        if (found < 0) {
            return -1;
        }
        int step = Math.max(tries, 2 * random.nextInt(8));
        perturb.put(index, bucket + step + 2);
        return found;
    }

    /**
     * Ports low + offset, +2, ... (wrapping inside the even-sized range), then the other parity; {@link #tries} is
     * the kernel's i at the port found.
     */
    private int scanBothParities(int remoteIp, int remotePort, int start, int remaining) {
        int offset = Integer.remainderUnsigned(start, remaining) & ~1;
        int end = low + remaining;
        for (int pass = 0; pass < 2; pass++) {
            int port = low + offset;
            for (int i = 0; i < remaining; i += 2, port += 2) {
                if (port >= end) {
                    port -= remaining;
                }
                if (usable(remoteIp, remotePort, port)) {
                    tries = i;
                    return port;
                }
            }
            offset++;
            if (remaining <= 1) {
                break;
            }
        }
        return -1;
    }

    /** high + 1 - low rounded down to even: the scans step by 2 and never use the last port of an odd range. */
    private int evenRemaining() {
        int remaining = high + 1 - low;
        return remaining > 1 ? remaining & ~1 : remaining;
    }

    /** secure_ipv4_port_ephemeral() before 5.18: a keyed hash of (saddr, daddr, dport), fixed for the boot. */
    private int staticOffset(int remoteIp, int remotePort) {
        return (int) (RandomStreams.mix(destinationKey(remoteIp, remotePort)) >>> 33);
    }

    /** The secret keyed with the destination, what secure_ipv4_port_ephemeral() hashes (saddr is this host's). */
    private long destinationKey(int remoteIp, int remotePort) {
        return secret ^ ((remoteIp & 0xffffffffL) << 16) ^ remotePort;
    }

    private int perturbValue(int index) {
        return perturb.containsKey(index) ? perturb.get(index) : (int) RandomStreams.mix(~secret ^ index);
    }

    private NoPortCause mainHolder() {
        NoPortCause main = NoPortCause.IN_USE;
        for (NoPortCause c : NoPortCause.values()) {
            if (heldBy[c.ordinal()] > heldBy[main.ordinal()]) {
                main = c;
            }
        }
        return main;
    }

    private boolean usable(int remoteIp, int remotePort, int port) {
        long key = TcpHost.tupleKey(remoteIp, remotePort, port);
        if (host.connections.containsKey(key)) {
            heldBy[NoPortCause.IN_USE.ordinal()]++;
            return false;
        }
        int tw = host.timeWait.find(key);
        if (tw < 0) {
            return true;
        }
        NoPortCause refusal = reuseRefusal(tw, remoteIp);
        if (refusal == null) {
            reusedTimeWait = tw;
            return true;
        }
        heldBy[refusal.ordinal()]++;
        return false;
    }

    /** tcp_twsk_unique(): null when tw_reuse may take the tuple over, else why not. */
    private NoPortCause reuseRefusal(int tw, int remoteIp) {
        TimeWaitTable t = host.timeWait;
        if (t.substate(tw) == TimeWaitTable.SUBSTATE_FIN_WAIT2) {
            return NoPortCause.FIN_WAIT2;
        }
        // Before 4.19 the sysctl is a boolean: any non-zero value enables reuse toward every destination.
        boolean enabled = host.profile.twReuseLoopbackMode()
                ? twReuse == 1 || (twReuse == 2 && (remoteIp >>> 24) == 127)
                : twReuse != 0;
        if (!enabled) {
            return NoPortCause.TIME_WAIT;
        }
        if (t.tsRecentStamp[tw] == 0) {
            return NoPortCause.TIME_WAIT_NO_TIMESTAMPS;
        }
        long now = host.sim.now();
        HostClock clock = host.clock;
        boolean oldEnough = switch (host.profile.twReuse()) {
            case SECONDS_DIFF_GREATER_THAN_ONE -> clock.seconds(now) - t.tsRecentStamp[tw] > 1;
            case SECONDS_ADVANCED -> clock.seconds(now) > t.tsRecentStamp[tw];
            case ENTRY_STAMP_PLUS_DELAY_MS -> (int) clock.millis(now) - t.entryStampMs[tw]
                    > host.sysctls.get(Sysctls.TCP_TW_REUSE_DELAY);
        };
        return oldEnough ? null : NoPortCause.TIME_WAIT_TOO_RECENT;
    }
}
