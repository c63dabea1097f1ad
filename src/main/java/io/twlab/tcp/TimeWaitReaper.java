package io.twlab.tcp;

import io.twlab.engine.EventHandler;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.TimeWaitReaperKind;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;

/**
 * Ends TIME_WAIT entries as a kernel version's timer mechanism does. The lifetime of an entry is not a
 * parameter: it is whatever the mechanism produces under the current load.
 */
public abstract class TimeWaitReaper implements EventHandler {
    /** Jiffy buckets are told apart by their 31 low bits (list ids must fit prev[]'s negative half). */
    private static final long JIFFY_ID_SPAN = 1L << 31;
    protected static final int EV_JIFFY_BUCKET = 1;

    protected final Simulator sim;
    protected final TimeWaitTable table;
    protected final Counters counters;
    protected final HostClock clock;
    private final boolean countAtArming;
    private final Int2IntOpenHashMap jiffyBuckets = new Int2IntOpenHashMap();

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
        table.setFlag(s, TimeWaitTable.SHORT_TIMEOUT, shortTimeout);
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
            counters.inc(table.hasFlag(s, TimeWaitTable.SHORT_TIMEOUT) ? Counter.TWKilled : Counter.TW);
        }
        table.remove(s, true, sim.now());
    }

    // ---- intrusive lists shared by the wheel cells and the jiffy buckets ----
    // next[] links an entry to the one behind it; prev[] to the one before it, or, at the head, holds
    // -1 - listId (the wheel cell, or a jiffy bucket's 31 low bits), so that no per-entry bucket field is
    // needed to find the list whose head changes. Whether an entry is on a list, and on which kind, are
    // flags of the table (ON_LIST, ON_JIFFY_LIST).

    protected final void linkToJiffy(int s, long expiresJiffy) {
        long ahead = expiresJiffy - clock.jiffies(sim.now());
        if (ahead >= JIFFY_ID_SPAN / 2) {
            // Two pending buckets must never share their low bits; TIME_WAIT timers are minutes at most.
            throw new IllegalStateException("TIME_WAIT timer " + ahead + " jiffies ahead");
        }
        int id = jiffyId(expiresJiffy);
        int head = jiffyBuckets.get(id);
        if (head < 0) {
            sim.at(clock.simTimeOfJiffy(expiresJiffy, sim.now()), this, EV_JIFFY_BUCKET, expiresJiffy, null);
        }
        jiffyBuckets.put(id, s);
        pushFront(s, head, id);
        table.setFlag(s, TimeWaitTable.ON_JIFFY_LIST, true);
    }

    /** Puts entry {@code s} at the head of list {@code listId}, whose current head is {@code head}. */
    protected final void pushFront(int s, int head, int listId) {
        table.prev[s] = -1 - listId;
        table.next[s] = head;
        if (head >= 0) {
            table.prev[head] = s;
        }
        table.setFlag(s, TimeWaitTable.ON_LIST, true);
    }

    protected final boolean onList(int s) {
        return table.hasFlag(s, TimeWaitTable.ON_LIST);
    }

    /** Unlinks an entry from its list, if it is on one. */
    protected final void unlink(int s) {
        if (!onList(s)) {
            return;
        }
        int p = table.prev[s];
        int n = table.next[s];
        if (n >= 0) {
            table.prev[n] = p;
        }
        if (p >= 0) {
            table.next[p] = n;
        } else if (table.hasFlag(s, TimeWaitTable.ON_JIFFY_LIST)) {
            if (n >= 0) {
                jiffyBuckets.put(-1 - p, n);
            } else {
                jiffyBuckets.remove(-1 - p);
            }
        } else {
            setCellHead(-1 - p, n);
        }
        clearListFlags(s);
        table.prev[s] = -1;
        table.next[s] = -1;
    }

    private void clearListFlags(int s) {
        table.setFlag(s, TimeWaitTable.ON_LIST | TimeWaitTable.ON_JIFFY_LIST, false);
    }

    private static int jiffyId(long jiffy) {
        return (int) (jiffy & (JIFFY_ID_SPAN - 1));
    }

    protected void setCellHead(int cell, int head) {
        throw new IllegalStateException("no wheel cells in " + getClass().getSimpleName());
    }

    @Override
    public void onEvent(Simulator sim, int kind, long arg, Object payload) {
        if (kind == EV_JIFFY_BUCKET) {
            int s = jiffyBuckets.remove(jiffyId(arg));
            while (s >= 0) {
                // Read the link first: expiry frees the slot, and a free slot's next[] is the free list.
                int n = table.next[s];
                clearListFlags(s);
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
