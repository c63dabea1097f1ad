package io.twlab.sweep;

import java.util.List;

/** One run of a sweep: the point's values, the seed, the metrics (in the sweep's order) or the error it ended in. */
public record RunRow(List<String> values, long seed, double[] metrics, String error) {
    public boolean failed() {
        return error != null;
    }
}
