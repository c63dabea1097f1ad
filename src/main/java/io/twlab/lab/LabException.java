package io.twlab.lab;

/** The lab cannot run here or as asked; the message says why and what would be needed. */
public final class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }
}
