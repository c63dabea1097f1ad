package io.twlab.analyzer.capture;

/** The file is not a capture this reader knows (or nothing in it can be read). */
public final class CaptureFormatException extends Exception {
    public CaptureFormatException(String message) {
        super(message);
    }
}
