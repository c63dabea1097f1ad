package io.twlab.analyzer.capture;

/** Something in a capture that could not be read as it should: where (packet number, 0 when before any packet, and byte offset) and what. */
public record CaptureWarning(long packet, long byteOffset, String message) {
    @Override
    public String toString() {
        return (packet > 0 ? "packet " + packet + ", " : "") + "byte offset " + byteOffset + ": " + message;
    }
}
