package io.twlab.model;

/** A run that would need more memory than the JVM has, said before it starts, with the estimate and what to change. */
public final class ResourceLimitException extends RuntimeException {
    private final String hint;

    public ResourceLimitException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}
