package io.twlab.advise.evidence;

/** A value read from a host's evidence, with the file and line it came from, so every finding can cite it. */
public record Sourced<T>(T value, String file, int line) {
    /** {@code file:line}, as findings cite it. */
    public String source() {
        return line > 0 ? file + ":" + line : file;
    }
}
