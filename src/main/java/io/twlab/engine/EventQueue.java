package io.twlab.engine;

import java.util.Arrays;

/**
 * Pending events in a 4-ary min-heap of slot indices ordered by (time, sequence). Event fields live in
 * parallel primitive arrays indexed by slot so that scheduling allocates nothing once the arrays have grown.
 * The sequence number breaks ties, so events at the same instant run in the order they were scheduled.
 */
final class EventQueue {
    private int[] heap = new int[1024];
    private int size;

    long[] time = new long[1024];
    long[] seq = new long[1024];
    EventHandler[] target = new EventHandler[1024];
    int[] kind = new int[1024];
    long[] arg = new long[1024];
    Object[] payload = new Object[1024];

    private int[] freeSlots = new int[1024];
    private int freeCount;
    private int nextUnusedSlot;
    private long nextSeq;

    int size() {
        return size;
    }

    void add(long when, EventHandler handler, int eventKind, long eventArg, Object eventPayload) {
        int slot = allocateSlot();
        time[slot] = when;
        seq[slot] = nextSeq++;
        target[slot] = handler;
        kind[slot] = eventKind;
        arg[slot] = eventArg;
        payload[slot] = eventPayload;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        siftUp(size++, slot);
    }

    /** Slot of the earliest event; the caller reads its fields, then calls {@link #release(int)}. */
    int poll() {
        int top = heap[0];
        int last = heap[--size];
        if (size > 0) {
            siftDown(0, last);
        }
        return top;
    }

    long peekTime() {
        return time[heap[0]];
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
        if (nextUnusedSlot == time.length) {
            int n = time.length * 2;
            time = Arrays.copyOf(time, n);
            seq = Arrays.copyOf(seq, n);
            target = Arrays.copyOf(target, n);
            kind = Arrays.copyOf(kind, n);
            arg = Arrays.copyOf(arg, n);
            payload = Arrays.copyOf(payload, n);
        }
        return nextUnusedSlot++;
    }

    private boolean before(int a, int b) {
        long ta = time[a];
        long tb = time[b];
        return ta < tb || (ta == tb && seq[a] < seq[b]);
    }

    private void siftUp(int pos, int slot) {
        while (pos > 0) {
            int parent = (pos - 1) >>> 2;
            int p = heap[parent];
            if (!before(slot, p)) {
                break;
            }
            heap[pos] = p;
            pos = parent;
        }
        heap[pos] = slot;
    }

    private void siftDown(int pos, int slot) {
        while (true) {
            int first = (pos << 2) + 1;
            if (first >= size) {
                break;
            }
            int best = first;
            int end = Math.min(first + 4, size);
            for (int c = first + 1; c < end; c++) {
                if (before(heap[c], heap[best])) {
                    best = c;
                }
            }
            if (!before(heap[best], slot)) {
                break;
            }
            heap[pos] = heap[best];
            pos = best;
        }
        heap[pos] = slot;
    }
}
