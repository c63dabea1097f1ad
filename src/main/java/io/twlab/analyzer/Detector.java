package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;

import java.util.List;

/** One failure pattern looked for in the stream of segments; the tracker tells it what each segment did. */
interface Detector {
    /** A TCP segment of {@code flow}; {@code events} are the {@link Tracker} bits it raised. */
    void onSegment(Segment s, Flow flow, boolean fromClient, int events);

    /** Whether {@link #onSegment} does anything (detectors judging whole connections only say no: fewer calls). */
    default boolean seesSegments() {
        return true;
    }

    /**
     * {@code flow}'s current generation is over: a new SYN replaced it, or the capture ended
     * ({@code atCaptureEnd}, when what was still going on may simply have been cut off).
     */
    default void onGenerationEnd(Flow flow, boolean atCaptureEnd) {
    }

    /** Findings, once the whole capture has been seen. */
    void finish(Analysis analysis, List<AnalysisFinding> out);
}
