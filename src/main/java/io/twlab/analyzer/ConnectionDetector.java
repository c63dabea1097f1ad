package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;

/** A detector that judges whole connections at their end and needs no call per segment. */
interface ConnectionDetector extends Detector {
    @Override
    default void onSegment(Segment s, Flow flow, boolean fromClient, int events) {
    }

    @Override
    default boolean seesSegments() {
        return false;
    }
}
