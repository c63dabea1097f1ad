package io.twlab.spark;

import io.twlab.sweep.Axis;
import io.twlab.sweep.Sweep;
import io.twlab.sweep.SweepMetrics;
import io.twlab.sweep.SweepPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The same small sweep on the local engine and on Spark local[2]: the same rows, byte for byte. */
class SparkSweepTest {
    @TempDir
    Path dir;

    @Test
    void sparkLocalGivesTheLocalEnginesRows() throws Exception {
        List<Axis> axes = List.of(Axis.parse("workloads.partner.rate=60,120"),
                Axis.parse("hosts.nginx.kernel=linux-2.6.32,linux-6.18"));
        SweepPlan plan = SweepPlan.grid(axes, 2, false);
        Sweep.Setup setup = new Sweep.Setup(Path.of("scenarios/sweep/nat-paws-map.yaml"), List.of("duration=1m"),
                plan, SweepMetrics.select(null), "pawsRejects", 0);
        Path local = Files.createDirectories(dir.resolve("local"));
        Path spark = Files.createDirectories(dir.resolve("spark"));
        Sweep.Outcome a = Sweep.run(setup, local, Sweep.local(2), n -> { });
        Sweep.Outcome b = Sweep.run(setup, spark, new SparkEngine("local[2]"), n -> { });
        assertThat(a.ran()).isEqualTo(8);
        assertThat(b.ran()).isEqualTo(8);
        assertThat(b.failed()).isZero();
        // 2 rates x 2 kernels x 2 seeds: the same 8 rows in the same order with the same bits.
        assertThat(Files.readAllBytes(spark.resolve("runs.parquet")))
                .isEqualTo(Files.readAllBytes(local.resolve("runs.parquet")));
        assertThat(Files.readAllBytes(spark.resolve("points.parquet")))
                .isEqualTo(Files.readAllBytes(local.resolve("points.parquet")));
        // Some run rejected SYNs: the rows are not all zero.
        assertThat(a.points().stream().mapToDouble(p -> p.mean()[SweepMetrics.select(null).indexOf("pawsRejects")])
                .max().orElse(0)).isPositive();
    }

    @Test
    void theCommandLineFindsTheSparkEngine() {
        int rc = io.twlab.cli.Main.run("sweep", "scenarios/sweep/nat-paws-map.yaml", "--set", "duration=1m", "--vary",
                "workloads.partner.rate=60,120", "--engine", "spark", "--threads", "2", "--out",
                dir.resolve("cli").toString(), "--quiet");
        assertThat(rc).isZero();
        assertThat(dir.resolve("cli/runs.parquet")).isNotEmptyFile();
    }
}
