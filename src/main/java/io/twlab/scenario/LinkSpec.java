package io.twlab.scenario;

/** Links between two elements (host groups or NATs); a group gets one link per host. */
public record LinkSpec(String a, String b, long latencyNs, long jitterNs, double loss) {
}
