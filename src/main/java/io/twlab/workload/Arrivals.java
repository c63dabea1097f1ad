package io.twlab.workload;

/** How connection starts are spread in time at a given rate. */
public enum Arrivals {
    /** Evenly spaced: 1/rate apart. */
    PACED,
    /** A Poisson process of the current rate. */
    POISSON,
    /**
     * Each client host paced at rate / hosts, all from the start, as {@code twlab lab}'s per-namespace drivers
     * run: the hosts' connects coincide (what makes a NAT's insert race show on the real kernel).
     */
    PACED_PER_HOST
}
