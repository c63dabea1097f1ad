package io.twlab.tcp;

import it.unimi.dsi.fastutil.HashCommon;

import java.util.Arrays;

/**
 * TIME_WAIT sockets of one host in parallel primitive arrays (no object per entry), keyed by the packed tuple
 * (remote address 32 | remote port 16 | local port 16). The index is an open-addressed table of slot numbers with
 * linear probing: the keys themselves stay in {@link #key}, so the index costs 4 bytes a cell instead of a map's 12.
 * The reaper decides when an entry dies; the decision for an arriving segment is {@link TimeWaitProcessor}.
 */
public final class TimeWaitTable {
    /** Substates of a TIME_WAIT bucket (tw_substate). */
    public static final byte SUBSTATE_TIME_WAIT = 0;
    public static final byte SUBSTATE_FIN_WAIT2 = 1;
    /**
     * Flag bits above the 56 bits of creation time in {@link #createdAndFlags}: tw_substate; the timer was armed
     * for at most 4 s (counted as TWKilled); the entry is on a reaper list, and that list is a jiffy bucket.
     */
    private static final long FIN_WAIT2_FLAG = 1L << 56;
    static final long SHORT_TIMEOUT = 1L << 57;
    static final long ON_LIST = 1L << 58;
    static final long ON_JIFFY_LIST = 1L << 59;
    private static final long TIME_MASK = (1L << 56) - 1;
    /** The receive window a TIME_WAIT advertises and accepts (the model's sockets never scale it down). */
    static final int RCV_WND = 65535;

    /** Index cells hold slot + 1; 0 is empty. Its size is a power of two, at most three quarters full. */
    private int[] index = new int[512];
    private int indexMask = 511;
    long[] key = new long[256];
    int[] rcvNxt = new int[256];
    int[] sndNxt = new int[256];
    int[] tsRecent = new int[256];
    /** Seconds clock when ts_recent was stored; 0 when the connection did not use timestamps. */
    int[] tsRecentStamp = new int[256];
    /** tcp_clock_ms() at TIME_WAIT entry (tw_entry_stamp, 6.14+ reuse rule); a u32 that wraps as the kernel's. */
    int[] entryStampMs = new int[256];
    int[] tsOffset = new int[256];
    /** Simulation time of creation in the low 56 bits (2.28 years), the flags above it. */
    private long[] createdAndFlags = new long[256];
    /** Milliseconds clock of the last out-of-window ACK sent (tcp_invalid_ratelimit); 0 for none. */
    int[] lastOowAckMs = new int[256];
    /**
     * Reaper bookkeeping: an intrusive doubly linked list (see {@link TimeWaitReaper}). A free slot's next[] links
     * it to the next free slot.
     */
    int[] next = new int[256];
    int[] prev = new int[256];

    private int freeHead = -1;
    private int used;
    private int count;
    private TimeWaitReaper reaper;
    private LifetimeListener lifetimeListener;

    public TimeWaitTable() {
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

    /** The slot of the entry for {@code tupleKey}, or -1. */
    public int find(long tupleKey) {
        return index[probe(tupleKey)] - 1;
    }

    /** The index cell that holds {@code tupleKey}, or the empty cell where its probe run ends. */
    private int probe(long tupleKey) {
        int[] cells = index;
        int i = cell(tupleKey);
        while (cells[i] != 0 && key[cells[i] - 1] != tupleKey) {
            i = (i + 1) & indexMask;
        }
        return i;
    }

    private int cell(long tupleKey) {
        return (int) HashCommon.mix(tupleKey) & indexMask;
    }

    /** Points {@code tupleKey} at slot {@code s}, replacing an older slot of the same key. */
    private void indexPut(long tupleKey, int s) {
        if ((count + 1) * 4L > index.length * 3L) {
            rehash(index.length * 2);
        }
        index[probe(tupleKey)] = s + 1;
    }

    /** Removes {@code tupleKey}'s cell and shifts later cells of its probe run back (no tombstones). */
    private void indexRemove(long tupleKey) {
        int hole = probe(tupleKey);
        if (index[hole] == 0) {
            return;
        }
        for (int j = (hole + 1) & indexMask; index[j] != 0; j = (j + 1) & indexMask) {
            int home = cell(key[index[j] - 1]);
            // The cell at j may move into the hole unless its home lies cyclically in (hole, j].
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                index[hole] = index[j];
                hole = j;
            }
        }
        index[hole] = 0;
    }

    /** Moves every cell into a table of {@code cells} (keys are unique there, so each probe ends on an empty cell). */
    private void rehash(int cells) {
        int[] old = index;
        index = new int[cells];
        indexMask = cells - 1;
        for (int c : old) {
            if (c != 0) {
                index[probe(key[c - 1])] = c;
            }
        }
    }

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

    /** Adds an entry; the caller fills in fields, then schedules it with the reaper. */
    int allocate(long tupleKey, long nowNs) {
        int s;
        if (freeHead >= 0) {
            s = freeHead;
            freeHead = next[s];
        } else {
            if (used == key.length) {
                grow(used * 2);
            }
            s = used++;
        }
        if ((nowNs & ~TIME_MASK) != 0) {
            throw new IllegalStateException("simulated time beyond 2^56 ns");
        }
        key[s] = tupleKey;
        createdAndFlags[s] = nowNs;
        lastOowAckMs[s] = 0;
        next[s] = -1;
        prev[s] = -1;
        indexPut(tupleKey, s);
        count++;
        return s;
    }

    /** Removes an entry that the reaper has already unlinked (expiry) or unlinks it first (kill). */
    void remove(int s, boolean expired, long nowNs) {
        if (!expired) {
            reaper.deschedule(s);
        } else if (lifetimeListener != null) {
            long createdNs = createdAndFlags[s] & TIME_MASK;
            lifetimeListener.ended(key[s], createdNs, nowNs - createdNs);
        }
        indexRemove(key[s]);
        count--;
        next[s] = freeHead;
        freeHead = s;
    }

    private void grow(int n) {
        key = Arrays.copyOf(key, n);
        rcvNxt = Arrays.copyOf(rcvNxt, n);
        sndNxt = Arrays.copyOf(sndNxt, n);
        tsRecent = Arrays.copyOf(tsRecent, n);
        tsRecentStamp = Arrays.copyOf(tsRecentStamp, n);
        entryStampMs = Arrays.copyOf(entryStampMs, n);
        tsOffset = Arrays.copyOf(tsOffset, n);
        createdAndFlags = Arrays.copyOf(createdAndFlags, n);
        lastOowAckMs = Arrays.copyOf(lastOowAckMs, n);
        next = Arrays.copyOf(next, n);
        prev = Arrays.copyOf(prev, n);
    }

    /** Bytes of array storage per entry slot plus the index map's share (for the benchmark's figure). */
    public static int bytesPerEntry() {
        // key 8, rcvNxt 4, sndNxt 4, tsRecent 4, tsRecentStamp 4, entryStampMs 4, tsOffset 4,
        // createdAndFlags 8, lastOowAckMs 4, next 4, prev 4 = 52;
        // the index at load 0.75: 4 / 0.75 = 5.3, rounded up.
        return 52 + 6;
    }

    public byte substate(int s) {
        return hasFlag(s, FIN_WAIT2_FLAG) ? SUBSTATE_FIN_WAIT2 : SUBSTATE_TIME_WAIT;
    }

    void setSubstate(int s, byte value) {
        setFlag(s, FIN_WAIT2_FLAG, value == SUBSTATE_FIN_WAIT2);
    }

    boolean hasFlag(int s, long flag) {
        return (createdAndFlags[s] & flag) != 0;
    }

    void setFlag(int s, long flag, boolean on) {
        createdAndFlags[s] = on ? createdAndFlags[s] | flag : createdAndFlags[s] & ~flag;
    }

    /** Observes each TIME_WAIT that ended by its timer, with how long it lived. */
    public interface LifetimeListener {
        void ended(long tupleKey, long createdNs, long lifetimeNs);
    }
}
