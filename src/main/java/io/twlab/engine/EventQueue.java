package io.twlab.engine;

import java.util.Arrays;

/**
 * Pending events in a 4-ary min-heap ordered by (time, sequence). The ordering keys live in the heap's own
 * arrays (time, and sequence packed with the slot index), so sifting reads contiguous memory; the event's
 * fields live in slot-indexed arrays that are only touched on add and poll. Nothing is allocated once the
 * arrays have grown. The sequence breaks ties, so events at one instant run in scheduling order.
 */
final class EventQueue {
    /** Slot bits in a heap key: up to 4 M pending events; the other 42 bits hold the sequence number. */
    private static final int SLOT_BITS = 22;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;

    private long[] heapTime = new long[1024];
    private long[] heapKey = new long[1024];
    private int size;
    /** Heap position of each slot's event, for cancellation. */
    private int[] positionOfSlot = new int[1024];

    EventHandler[] target = new EventHandler[1024];
    int[] kind = new int[1024];
    long[] arg = new long[1024];
    Object[] payload = new Object[1024];

    private int[] freeSlots = new int[1024];
    private int freeCount;
    private int nextUnusedSlot;
    private long nextSeq;
    /** Time of the event last returned by {@link #poll()}. */
    long polledTime;

    int size() {
        return size;
    }

    /** Adds an event and returns its handle (unique for the run) for {@link #cancel(long)}. */
    long add(long when, EventHandler handler, int eventKind, long eventArg, Object eventPayload) {
        int slot = allocateSlot();
        target[slot] = handler;
        kind[slot] = eventKind;
        arg[slot] = eventArg;
        payload[slot] = eventPayload;
        if (size == heapTime.length) {
            heapTime = Arrays.copyOf(heapTime, size * 2);
            heapKey = Arrays.copyOf(heapKey, size * 2);
        }
        long key = (nextSeq++ << SLOT_BITS) | slot;
        siftUp(size++, when, key);
        return key;
    }

    /** Removes a pending event; false when it already ran or was cancelled. */
    boolean cancel(long handle) {
        int slot = (int) (handle & SLOT_MASK);
        int pos = positionOfSlot[slot];
        if (pos >= size || heapKey[pos] != handle) {
            return false;
        }
        int last = --size;
        if (pos != last) {
            long t = heapTime[last];
            long k = heapKey[last];
            if (pos > 0 && before(t, k, heapTime[(pos - 1) >>> 2], heapKey[(pos - 1) >>> 2])) {
                siftUp(pos, t, k);
            } else {
                siftDownFrom(pos, t, k);
            }
        }
        release(slot);
        return true;
    }

    private static boolean before(long t1, long k1, long t2, long k2) {
        return t1 < t2 || (t1 == t2 && k1 < k2);
    }

    /** Removes the earliest event and returns its slot; its time is in {@link #polledTime}. */
    int poll() {
        long key = heapKey[0];
        polledTime = heapTime[0];
        int last = --size;
        if (last > 0) {
            siftDownFrom(0, heapTime[last], heapKey[last]);
        }
        return (int) (key & SLOT_MASK);
    }

    long peekTime() {
        return heapTime[0];
    }

    void release(int slot) {
        target[slot] = null;
        payload[slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
    }

    private int allocateSlot() {
        if (freeCount > 0) {
            return freeSlots[--freeCount];
        }
        if (nextUnusedSlot == target.length) {
            int n = target.length * 2;
            if (n > SLOT_MASK + 1) {
                throw new IllegalStateException("more than " + (SLOT_MASK + 1) + " pending events");
            }
            target = Arrays.copyOf(target, n);
            positionOfSlot = Arrays.copyOf(positionOfSlot, n);
            kind = Arrays.copyOf(kind, n);
            arg = Arrays.copyOf(arg, n);
            payload = Arrays.copyOf(payload, n);
        }
        return nextUnusedSlot++;
    }

    private void siftUp(int pos, long time, long key) {
        while (pos > 0) {
            int parent = (pos - 1) >>> 2;
            long pt = heapTime[parent];
            if (pt < time || (pt == time && heapKey[parent] < key)) {
                break;
            }
            heapTime[pos] = pt;
            long pk = heapKey[parent];
            heapKey[pos] = pk;
            positionOfSlot[(int) (pk & SLOT_MASK)] = pos;
            pos = parent;
        }
        heapTime[pos] = time;
        heapKey[pos] = key;
        positionOfSlot[(int) (key & SLOT_MASK)] = pos;
    }

    private void siftDownFrom(int pos, long time, long key) {
        int n = size;
        while (true) {
            int first = (pos << 2) + 1;
            if (first >= n) {
                break;
            }
            int best = first;
            long bt = heapTime[first];
            long bk = heapKey[first];
            int end = Math.min(first + 4, n);
            for (int c = first + 1; c < end; c++) {
                long ct = heapTime[c];
                if (ct < bt || (ct == bt && heapKey[c] < bk)) {
                    best = c;
                    bt = ct;
                    bk = heapKey[c];
                }
            }
            if (time < bt || (time == bt && key < bk)) {
                break;
            }
            heapTime[pos] = bt;
            heapKey[pos] = bk;
            positionOfSlot[(int) (bk & SLOT_MASK)] = pos;
            pos = best;
        }
        heapTime[pos] = time;
        heapKey[pos] = key;
        positionOfSlot[(int) (key & SLOT_MASK)] = pos;
    }
}
