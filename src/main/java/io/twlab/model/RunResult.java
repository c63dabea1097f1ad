package io.twlab.model;

import io.twlab.metrics.SeriesTable;

/** A finished run: the model in its final state, the per-second series and the engine's work. */
public record RunResult(Model model, SeriesTable series, long events) {
}
