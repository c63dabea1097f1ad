package io.twlab.sweep;

/** Bad sweep input: names the offending {@code --vary} (or option) and what to write instead. */
public final class SweepException extends RuntimeException {
    public SweepException(String where, String message) {
        super(where + ": " + message);
    }
}
