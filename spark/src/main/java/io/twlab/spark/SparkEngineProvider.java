package io.twlab.spark;

import io.twlab.sweep.Sweep;

/** Makes {@code twlab sweep --engine spark} find the Spark engine when twlab-spark.jar is on the class path. */
public final class SparkEngineProvider implements Sweep.EngineProvider {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public Sweep.Engine create(int threads) {
        return new SparkEngine("local[" + threads + "]");
    }
}
