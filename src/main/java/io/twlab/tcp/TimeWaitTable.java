package io.twlab.tcp;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;

import java.util.Arrays;

/**
 * TIME_WAIT sockets of one host in parallel primitive arrays (no object per entry), keyed by the packed tuple
 * (remote address 32 | remote port 16 | local port 16). The reaper decides when an entry dies; the decision
 * for an arriving segment is {@link TimeWaitProcessor}.
 */
public final class TimeWaitTable {
    /** Substates of a TIME_WAIT bucket (tw_substate). */
    public static final byte SUBSTATE_TIME_WAIT = 0;
    public static final byte SUBSTATE_FIN_WAIT2 = 1;
    static final byte SUBSTATE_MASK = 1;
    static final byte SHORT_TIMEOUT = 2;
    /** The receive window a TIME_WAIT advertises and accepts (the model's sockets never scale it down). */
    static final int RCV_WND = 65535;

    private final Long2IntOpenHashMap index = new Long2IntOpenHashMap();
    long[] key = new long[256];
    int[] rcvNxt = new int[256];
    int[] sndNxt = new int[256];
    int[] tsRecent = new int[256];
    /** Seconds clock when ts_recent was stored; 0 when the connection did not use timestamps. */
    int[] tsRecentStamp = new int[256];
    /** tcp_clock_ms() at TIME_WAIT entry (tw_entry_stamp, 6.14+ reuse rule); a u32 that wraps as the kernel's. */
    int[] entryStampMs = new int[256];
    int[] tsOffset = new int[256];
    long[] createdNs = new long[256];
    /** Milliseconds clock of the last out-of-window ACK sent (tcp_invalid_ratelimit); 0 for none. */
    int[] lastOowAckMs = new int[256];
    /** tw_substate in the low bit; {@link #SHORT_TIMEOUT} when the timer was armed for at most 4 s. */
    byte[] substate = new byte[256];
    /** Reaper bookkeeping: intrusive doubly linked list and the list (cell or expiry bucket) an entry is on. */
    int[] next = new int[256];
    int[] prev = new int[256];
    long bucket[] = new long[256];

    private int[] free = new int[256];
    private int freeCount;
    private int used;
    private int count;
    private TimeWaitReaper reaper;
    private LifetimeListener lifetimeListener;

    public TimeWaitTable() {
        index.defaultReturnValue(-1);
    }

    void setReaper(TimeWaitReaper reaper) {
        this.reaper = reaper;
    }

    public TimeWaitReaper reaper() {
        return reaper;
    }

    public void setLifetimeListener(LifetimeListener l) {
        this.lifetimeListener = l;
    }

    public int count() {
        return count;
    }

    /**
     * The ISN of a connection that takes over slot {@code s}: tw_snd_nxt + 65535 + 2, never 0
     * (tcp_timewait_state_process() for a SYN, tcp_twsk_unique() for connect()).
     */
    int reopenIsn(int s) {
        int isn = sndNxt[s] + 65535 + 2;
        return isn == 0 ? 1 : isn;
    }

    public int find(long tupleKey) {
        return index.get(tupleKey);
    }

    /** Adds an entry; the caller fills in fields, then schedules it with the reaper. */
    /**
     * A bucket with no socket behind it, timestamped, handed to the reaper for {@code timeoutNs}: the load of
     * reaper experiments and memory benchmarks.
     */
    public int admit(long tupleKey, long nowNs, long timeoutNs) {
        int s = allocate(tupleKey, nowNs);
        tsRecentStamp[s] = 1;
        reaper().schedule(s, timeoutNs, false);
        return s;
    }

    int allocate(long tupleKey, long nowNs) {
        int s;
        if (freeCount > 0) {
            s = free[--freeCount];
        } else {
            if (used == key.length) {
                grow(used * 2);
            }
            s = used++;
        }
        key[s] = tupleKey;
        createdNs[s] = nowNs;
        lastOowAckMs[s] = 0;
        substate[s] = SUBSTATE_TIME_WAIT;
        next[s] = -1;
        prev[s] = -1;
        bucket[s] = -1;
        index.put(tupleKey, s);
        count++;
        return s;
    }

    /** Removes an entry that the reaper has already unlinked (expiry) or unlinks it first (kill). */
    void remove(int s, boolean expired, long nowNs) {
        if (!expired) {
            reaper.deschedule(s);
        } else if (lifetimeListener != null) {
            lifetimeListener.ended(key[s], createdNs[s], nowNs - createdNs[s]);
        }
        index.remove(key[s]);
        count--;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, freeCount * 2);
        }
        free[freeCount++] = s;
    }

    private void grow(int n) {
        key = Arrays.copyOf(key, n);
        rcvNxt = Arrays.copyOf(rcvNxt, n);
        sndNxt = Arrays.copyOf(sndNxt, n);
        tsRecent = Arrays.copyOf(tsRecent, n);
        tsRecentStamp = Arrays.copyOf(tsRecentStamp, n);
        entryStampMs = Arrays.copyOf(entryStampMs, n);
        tsOffset = Arrays.copyOf(tsOffset, n);
        createdNs = Arrays.copyOf(createdNs, n);
        lastOowAckMs = Arrays.copyOf(lastOowAckMs, n);
        substate = Arrays.copyOf(substate, n);
        next = Arrays.copyOf(next, n);
        prev = Arrays.copyOf(prev, n);
        bucket = Arrays.copyOf(bucket, n);
    }

    /** Bytes of array storage per entry slot plus the index map's share (for the benchmark's figure). */
    public static int bytesPerEntry() {
        // key 8, rcvNxt 4, sndNxt 4, tsRecent 4, tsRecentStamp 4, entryStampMs 4, tsOffset 4, createdNs 8,
        // lastOowAckMs 4, substate 1, next 4, prev 4, bucket 8, free list 4 = 65;
        // Long2IntOpenHashMap at load 0.75: (8 + 4) / 0.75 = 16.
        return 65 + 16;
    }

    public byte substate(int s) {
        return (byte) (substate[s] & SUBSTATE_MASK);
    }

    void setSubstate(int s, byte value) {
        substate[s] = (byte) ((substate[s] & ~SUBSTATE_MASK) | value);
    }

    /** Observes each TIME_WAIT that ended by its timer, with how long it lived. */
    public interface LifetimeListener {
        void ended(long tupleKey, long createdNs, long lifetimeNs);
    }
}
