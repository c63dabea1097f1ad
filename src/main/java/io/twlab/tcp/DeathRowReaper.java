package io.twlab.tcp;

import io.twlab.engine.Simulator;

/**
 * The central TIME_WAIT "death row" of 2.6.32 and 3.10 (net/ipv4/inet_timewait_sock.c): eight cells of
 * TCP_TIMEWAIT_LEN/8 = 7.5 s served by one timer (inet_twdr_hangman). A tick kills at most
 * INET_TWDR_TWKILL_QUOTA+1 = 101 entries of the current cell; if that ran out, the rest are killed by deferred
 * work and the slot is NOT advanced, so the same (now empty) cell is served again one period later and every
 * cell behind it waits one extra tick. RHEL 7.8 (3.10.0-1127) re-arms the timer 1 s later instead when the
 * deferred work itself hit the quota (a cell of ≥ 202 entries).
 * Short timeouts (tw_recycle's 3.5×RTO) go to the recycle calendar with 2^(log2(HZ)-3)-jiffy ticks, modelled
 * as exact expiry at the tick boundary (TWKilled).
 */
final class DeathRowReaper extends TimeWaitReaper {
    static final int CELLS = 8;
    static final int KILL_QUOTA = 100;
    private static final int EV_HANGMAN = 2;
    private static final int RECYCLE_SLOTS = 32;

    private final boolean rhelRearm;
    private final long periodNs;
    private final long periodJiffies;
    private final long timewaitLenJiffies;
    private final int recycleTick;
    private final int[] cellHead = new int[CELLS];
    private int slot;
    private int twCount;
    private long timerGeneration;
    private boolean timerPending;

    DeathRowReaper(Simulator sim, TimeWaitTable table, Counters counters, HostClock clock, boolean rhelRearm) {
        super(sim, table, counters, clock, false);
        this.rhelRearm = rhelRearm;
        this.timewaitLenJiffies = 60L * clock.hz();
        this.periodJiffies = timewaitLenJiffies / CELLS;
        this.periodNs = periodJiffies * clock.jiffyNs();
        // INET_TWDR_RECYCLE_TICK = log2(HZ) + 2 - INET_TWDR_RECYCLE_SLOTS_LOG (5); HZ=1000 -> 7 (128 jiffies).
        this.recycleTick = (31 - Integer.numberOfLeadingZeros(clock.hz())) + 2 - 5;
        java.util.Arrays.fill(cellHead, -1);
    }

    @Override
    protected void arm(int s, long timeoJiffies) {
        if (onList(s)) {
            detach(s);
        }
        long calSlot = (timeoJiffies + (1L << recycleTick) - 1) >> recycleTick;
        if (calSlot >= RECYCLE_SLOTS) {
            int cells = timeoJiffies >= timewaitLenJiffies ? CELLS - 1
                    : (int) Math.min(ceilDiv(timeoJiffies, periodJiffies), CELLS - 1);
            int cell = (slot + cells) & (CELLS - 1);
            pushFront(s, cellHead[cell], cell);
            cellHead[cell] = s;
        } else {
            linkToJiffy(s, clock.jiffies(sim.now()) + (calSlot << recycleTick));
        }
        if (twCount++ == 0) {
            armTimer(periodNs);
        }
    }

    @Override
    void deschedule(int s) {
        detach(s);
    }

    private void detach(int s) {
        unlink(s);
        if (--twCount == 0) {
            timerPending = false;
            timerGeneration++;
        }
    }

    @Override
    protected void setCellHead(int cell, int head) {
        cellHead[cell] = head;
    }

    @Override
    protected void onJiffyExpiry(int s) {
        twCount--;
        expire(s);
    }

    private void armTimer(long delayNs) {
        timerGeneration++;
        timerPending = true;
        sim.after(delayNs, this, EV_HANGMAN, timerGeneration, null);
    }

    @Override
    protected void onOwnTimer(int kind, long generation) {
        if (kind != EV_HANGMAN || !timerPending || generation != timerGeneration) {
            return;
        }
        timerPending = false;
        if (twCount == 0) {
            return;
        }
        // inet_twdr_do_twkill_work: kill until the cell is empty or more than the quota were killed.
        int killed = killFromCell(slot, KILL_QUOTA + 1);
        if (killed > KILL_QUOTA) {
            // Quota hit: deferred work empties the cell now; the slot stays, so it is served again next tick.
            int workKilled = killFromCell(slot, Integer.MAX_VALUE);
            boolean workHitQuota = workKilled > KILL_QUOTA;
            armTimer(rhelRearm && workHitQuota ? clock.hz() * clock.jiffyNs() : periodNs);
        } else {
            slot = (slot + 1) & (CELLS - 1);
            if (twCount > 0) {
                armTimer(periodNs);
            }
        }
    }

    private int killFromCell(int cell, int max) {
        int killed = 0;
        while (killed < max && cellHead[cell] >= 0) {
            int s = cellHead[cell];
            unlink(s);
            twCount--;
            killed++;
            expire(s);
        }
        return killed;
    }
}
