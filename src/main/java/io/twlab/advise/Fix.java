package io.twlab.advise;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A candidate change to the system: the --set lines that make it in the calibrated scenario, what it costs, which
 * kernels it applies to, and which findings it answers. {@code requestsPerConnection} turns the scenario's
 * connection rate into requests per second (keep-alive carries several).
 */
public record Fix(String id, String title, List<String> sets, List<String> costs, String appliesTo,
                  List<String> answers, int requestsPerConnection) {

    /** Predicted outcome over the calibration seeds (means), and the highest request rate it sustains. */
    public record Prediction(double attempts, double failed, double pawsRejects, double silentDrops,
                             double connectP99Ms, double firstByteP99Ms, double headroomRate, boolean headroomAtLeast) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("attempts", attempts);
            m.put("failed", failed);
            m.put("pawsRejects", pawsRejects);
            m.put("silentDrops", silentDrops);
            m.put("connectP99Ms", connectP99Ms);
            m.put("firstByteP99Ms", firstByteP99Ms);
            m.put("headroomRate", headroomRate);
            m.put("headroomAtLeast", headroomAtLeast);
            return m;
        }

        /** Lower is better: failures first, then rejects and silent drops, then the connect tail. */
        static final java.util.Comparator<Prediction> ORDER = java.util.Comparator.comparingDouble(Prediction::failed)
                .thenComparingDouble(p -> p.pawsRejects() + p.silentDrops())
                .thenComparingDouble(Prediction::connectP99Ms);
    }
}
