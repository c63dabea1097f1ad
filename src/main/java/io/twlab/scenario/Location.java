package io.twlab.scenario;

/** Where a value came from: a file position (1-based) or a --set override. */
public record Location(String source, int line, int column) {
    public static Location ofOverride(String expression, int column) {
        return new Location("--set " + expression, 0, column);
    }

    @Override
    public String toString() {
        if (line == 0 && column == 0) {
            return source;
        }
        if (line == 0) {
            return source + " (column " + column + ")";
        }
        return source + ":" + line + ":" + column;
    }
}
