package io.twlab.conform;

/** A script that cannot be read: names the file, line and column, what was expected and how to fix it. */
public final class ScriptException extends RuntimeException {
    public ScriptException(String file, int line, int column, String message) {
        super(file + ":" + line + ":" + column + ": " + message);
    }
}
