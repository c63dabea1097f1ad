package io.twlab.tcp;

import io.twlab.engine.EventHandler;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.TimeWaitReaperKind;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;

/**
 * Ends TIME_WAIT entries as a kernel version's timer mechanism does. The lifetime of an entry is not a
 * parameter: it is whatever the mechanism produces under the current load.
 */
public abstract class TimeWaitReaper implements EventHandler {
    /** Jiffy-bucket marker in {@code TimeWaitTable.bucket}: cells of the death-row wheel are 0..7. */
    private static final long JIFFY_BUCKET = 1L << 62;
    protected static final int EV_JIFFY_BUCKET = 1;

    protected final Simulator sim;
    protected final TimeWaitTable table;
    protected final Counters counters;
    protected final HostClock clock;
    private final boolean countAtArming;
    private final Long2IntOpenHashMap jiffyBuckets = new Long2IntOpenHashMap();

    protected TimeWaitReaper(Simulator sim, TimeWaitTable table, Counters counters, HostClock clock,
                             boolean countAtArming) {
        this.sim = sim;
        this.table = table;
        this.counters = counters;
        this.clock = clock;
        this.countAtArming = countAtArming;
        jiffyBuckets.defaultReturnValue(-1);
        table.setReaper(this);
    }

    public static TimeWaitReaper create(KernelProfile profile, Simulator sim, TimeWaitTable table,
                                        Counters counters, HostClock clock) {
        TimeWaitReaperKind kind = profile.reaper();
        return switch (kind) {
            case DEATH_ROW_WHEEL -> new DeathRowReaper(sim, table, counters, clock, false);
            case DEATH_ROW_WHEEL_RHEL_REARM -> new DeathRowReaper(sim, table, counters, clock, true);
            case PER_SOCKET_TIMER -> new PerSocketTimerReaper(sim, table, counters, clock, false,
                    profile.twCountedAtArming());
            case PER_SOCKET_TIMER_WHEEL_ROUNDED -> new PerSocketTimerReaper(sim, table, counters, clock, true,
                    profile.twCountedAtArming());
        };
    }

    /**
     * Arms (or, with {@code rearm}, re-arms) the timer of entry {@code s} to fire {@code timeoNs} from now.
     * inet_twsk_schedule / __inet_twsk_schedule.
     */
    public final void schedule(int s, long timeoNs, boolean rearm) {
        long timeoJiffies = ceilDiv(timeoNs, clock.jiffyNs());
        // Entries with a timeout of at most 4 s count as TWKilled, the others as TW.
        boolean shortTimeout = timeoJiffies <= 4L * clock.hz();
        table.substate[s] = (byte) (shortTimeout ? table.substate[s] | TimeWaitTable.SHORT_TIMEOUT
                : table.substate[s] & ~TimeWaitTable.SHORT_TIMEOUT);
        if (!rearm && countAtArming) {
            counters.inc(shortTimeout ? Counter.TWKilled : Counter.TW);
        }
        arm(s, timeoJiffies);
    }

    protected abstract void arm(int s, long timeoJiffies);

    abstract void deschedule(int s);

    /** An entry's timer fired: count it (unless counted when armed) and free it. */
    protected final void expire(int s) {
        if (!countAtArming) {
            counters.inc((table.substate[s] & TimeWaitTable.SHORT_TIMEOUT) != 0 ? Counter.TWKilled : Counter.TW);
        }
        table.remove(s, true, sim.now());
    }

    // ---- intrusive lists shared by the wheel cells and the jiffy buckets ----

    protected final void linkToJiffy(int s, long expiresJiffy) {
        int head = jiffyBuckets.get(expiresJiffy);
        if (head < 0) {
            sim.at(clock.simTimeOfJiffy(expiresJiffy, sim.now()), this, EV_JIFFY_BUCKET, expiresJiffy, null);
        }
        jiffyBuckets.put(expiresJiffy, s);
        pushFront(s, head);
        table.bucket[s] = JIFFY_BUCKET | expiresJiffy;
    }

    protected final void pushFront(int s, int head) {
        table.prev[s] = -1;
        table.next[s] = head;
        if (head >= 0) {
            table.prev[head] = s;
        }
    }

    /** Unlinks an entry from its list; returns the wheel cell it was on, -1 for a jiffy bucket or none. */
    protected final int unlink(int s) {
        long b = table.bucket[s];
        if (b == -1) {
            return -1;
        }
        int p = table.prev[s];
        int n = table.next[s];
        if (n >= 0) {
            table.prev[n] = p;
        }
        int cell = -1;
        if (p >= 0) {
            table.next[p] = n;
            if ((b & JIFFY_BUCKET) == 0) {
                cell = (int) b;
            }
        } else if ((b & JIFFY_BUCKET) != 0) {
            long j = b & ~JIFFY_BUCKET;
            if (n >= 0) {
                jiffyBuckets.put(j, n);
            } else {
                jiffyBuckets.remove(j);
            }
        } else {
            cell = (int) b;
            setCellHead(cell, n);
        }
        table.bucket[s] = -1;
        table.prev[s] = -1;
        table.next[s] = -1;
        return cell;
    }

    protected final boolean onJiffyBucket(int s) {
        return (table.bucket[s] & JIFFY_BUCKET) != 0;
    }

    protected void setCellHead(int cell, int head) {
        throw new IllegalStateException("no wheel cells in " + getClass().getSimpleName());
    }

    @Override
    public void onEvent(Simulator sim, int kind, long arg, Object payload) {
        if (kind == EV_JIFFY_BUCKET) {
            int s = jiffyBuckets.remove(arg);
            while (s >= 0) {
                int n = table.next[s];
                table.bucket[s] = -1;
                onJiffyExpiry(s);
                s = n;
            }
        } else {
            onOwnTimer(kind, arg);
        }
    }

    protected void onJiffyExpiry(int s) {
        expire(s);
    }

    protected void onOwnTimer(int kind, long arg) {
        throw new IllegalStateException("unexpected reaper event " + kind);
    }

    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
