package io.twlab.report;

import io.twlab.cli.CliRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opens the seed 000 report (reduced: 700 conn/s for 150 s) and the analysis report of seed 004's capture in
 * Debian's headless Chromium, offline, and checks that every chart drew its data with no console error; saves
 * screenshots to target/artifacts/ for people to look at (see {@link Chromium}).
 */
class ReportBrowserTest {
    @TempDir
    Path dir;

    @Test
    void everyChartRendersInChromiumWithoutConsoleErrors() throws Exception {
        Chromium.assume();

        Path out = dir.resolve("run");
        assertThat(CliRunner.run("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=700",
                "--set", "duration=150s", "--quiet", "--out", out.toString())).isZero();

        // Five charts: requests, latency, TIME_WAIT, counter rates, NAT port reuse age.
        Chromium.check(out.resolve("report.html"), 5, "report-nat-paws-2.6", dir);
    }

    @Test
    void theAnalysisReportRendersItsTimelineAndTsvalScatter() throws Exception {
        Chromium.assume();
        Path out = dir.resolve("swarm");
        assertThat(CliRunner.run("simulate", "scenarios/swarm-ingress-recycle.yaml", "--set", "duration=3m", "--quiet",
                "--out", out.toString(), "--capture", "ingress:container", "--export", "none")).isZero();
        Path page = dir.resolve("analysis.html");
        assertThat(CliRunner.run("analyze", out.resolve("capture-ingress-container.pcap").toString(), "--quiet",
                "--report", page.toString())).isZero();
        String html = Files.readString(page);
        // The five hosts behind the ingress address, one fitted clock line each, beside the SYN TSval points.
        assertThat(html).contains("5 host clock lines at 250 Hz").contains("tw_recycle");
        // Two charts: the per-second timeline and the TSval scatter of 10.255.0.2.
        Chromium.check(page, 2, "analysis-swarm-ingress-recycle", dir);
    }
}
