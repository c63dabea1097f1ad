package io.twlab.workload;

/** How connection starts are spread in time at a given rate. */
public enum Arrivals {
    /** Evenly spaced: 1/rate apart. */
    PACED,
    /** A Poisson process of the current rate. */
    POISSON
}
