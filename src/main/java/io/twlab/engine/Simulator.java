package io.twlab.engine;

/**
 * The discrete-event loop: an integer clock in nanoseconds and a queue of pending events. Runs are pure
 * functions of the model and its seeds; nothing here reads the wall clock.
 */
public final class Simulator {
    public static final long NS_PER_MS = 1_000_000L;
    public static final long NS_PER_SEC = 1_000_000_000L;

    private final EventQueue queue = new EventQueue();
    private long now;
    private long eventsProcessed;

    public long now() {
        return now;
    }

    public long eventsProcessed() {
        return eventsProcessed;
    }

    public int pendingEvents() {
        return queue.size();
    }

    /**
     * Schedules an event at an absolute time, which must not be in the past. Returns a handle for
     * {@link #cancel(long)}; handles are never 0.
     */
    public long at(long when, EventHandler target, int kind, long arg, Object payload) {
        if (when < now) {
            throw new IllegalStateException("event scheduled in the past: " + when + " < " + now);
        }
        return queue.add(when, target, kind, arg, payload) + NO_EVENT + 1;
    }

    public long after(long delay, EventHandler target, int kind, long arg, Object payload) {
        return at(now + delay, target, kind, arg, payload);
    }

    /** A handle value that never names an event. */
    public static final long NO_EVENT = 0;

    /** Cancels a pending event (a stopped timer); returns false if it already ran or was cancelled. */
    public boolean cancel(long handle) {
        return handle != NO_EVENT && queue.cancel(handle - NO_EVENT - 1);
    }

    /**
     * Processes events in time order up to and including {@code endTime}, or until the queue is empty. The clock
     * ends at {@code endTime}.
     */
    public void runUntil(long endTime, ProgressListener progress) {
        long nextReport = progress == null ? Long.MAX_VALUE : eventsProcessed + 1_000_000;
        while (queue.size() > 0) {
            if (queue.peekTime() > endTime) {
                break;
            }
            int slot = queue.poll();
            now = queue.polledTime;
            EventHandler target = queue.target[slot];
            int kind = queue.kind[slot];
            long arg = queue.arg[slot];
            Object payload = queue.payload[slot];
            queue.release(slot);
            target.onEvent(this, kind, arg, payload);
            if (++eventsProcessed >= nextReport) {
                progress.onProgress(now, eventsProcessed);
                nextReport = eventsProcessed + 1_000_000;
            }
        }
        if (now < endTime) {
            now = endTime;
        }
    }

    /** Called about every million events so a terminal can show simulated time done. */
    public interface ProgressListener {
        void onProgress(long simulatedNow, long events);
    }
}
