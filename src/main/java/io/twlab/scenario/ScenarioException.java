package io.twlab.scenario;

/** Invalid scenario input: where, what was expected, and how to fix it. Reported without a stack trace. */
public final class ScenarioException extends RuntimeException {
    private final Location location;
    private final String hint;

    public ScenarioException(Location location, String message, String hint) {
        super(message);
        this.location = location;
        this.hint = hint;
    }

    public Location location() {
        return location;
    }

    public String hint() {
        return hint;
    }

    /** One or two lines for the terminal: "FILE:LINE:COL: message" then "  hint: ...". */
    public String render() {
        String where = location == null ? "" : location + ": ";
        return where + getMessage() + (hint == null || hint.isEmpty() ? "" : "\n  hint: " + hint);
    }
}
