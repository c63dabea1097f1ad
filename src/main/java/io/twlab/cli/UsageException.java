package io.twlab.cli;

/** A bad command-line value found after parsing; exit status 2 with this message. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
