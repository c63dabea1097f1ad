package io.twlab.spark;

/**
 * The entry point for spark-submit and bin/twlab-spark: twlab's command line, with the Spark engine on the class
 * path ({@code spark-submit --class io.twlab.spark.SparkMain twlab-spark.jar sweep ... --engine spark}).
 */
public final class SparkMain {
    private SparkMain() {
    }

    public static void main(String[] args) {
        System.exit(io.twlab.cli.Main.run(args));
    }
}
