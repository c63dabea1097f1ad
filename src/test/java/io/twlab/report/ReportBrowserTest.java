package io.twlab.report;

import io.twlab.cli.CliRunner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opens the seed 000 report (reduced: 700 conn/s for 150 s) in Debian's headless Chromium, offline, and checks
 * that every chart drew its data with no console error; saves a screenshot to target/artifacts/ for people to look at.
 * bin/test installs chromium and chromium-driver and sets TWLAB_REQUIRE_BROWSER=1, so there a missing browser fails.
 */
class ReportBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    @Test
    void everyChartRendersInChromiumWithoutConsoleErrors() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if ("1".equals(System.getenv("TWLAB_REQUIRE_BROWSER"))) {
            assertThat(present).as("chromium and chromedriver installed by bin/test").isTrue();
        }
        Assumptions.assumeTrue(present, "no /usr/bin/chromium or /usr/bin/chromedriver (bin/test installs them)");

        Path out = dir.resolve("run");
        assertThat(CliRunner.run("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=700",
                "--set", "duration=150s", "--quiet", "--out", out.toString())).isZero();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("profile"), "--window-size=1280,3600");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(out.resolve("report.html").toUri().toString());
            new WebDriverWait(driver, Duration.ofSeconds(20))
                    .until(d -> d.findElement(By.tagName("body")).getAttribute("data-charts-drawn") != null);
            WebElement body = driver.findElement(By.tagName("body"));
            // Five charts: requests, latency, TIME_WAIT, counter rates, NAT port reuse age.
            assertThat(body.getAttribute("data-charts")).isEqualTo("5");
            assertThat(body.getAttribute("data-charts-drawn")).isEqualTo("5");
            List<WebElement> charts = driver.findElements(By.cssSelector("div.chart"));
            assertThat(charts).hasSize(5);
            for (WebElement chart : charts) {
                assertThat(chart.getAttribute("data-rendered")).as(chart.getAttribute("id")).isEqualTo("true");
                assertThat(Long.parseLong(chart.getAttribute("data-points"))).as(chart.getAttribute("id")).isPositive();
                WebElement canvas = chart.findElement(By.tagName("canvas"));
                assertThat(canvas.getSize().getWidth()).isGreaterThan(300);
                assertThat(canvas.getSize().getHeight()).isGreaterThan(100);
            }
            // The canvas of the request chart is not blank: some pixels differ from the first one.
            Object painted = driver.executeScript("var c = document.querySelector('#chart-requests canvas');"
                    + "var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                    + "for (var i = 4; i < d.length; i += 4) { if (d[i] !== d[0] || d[i + 1] !== d[1]) return true; }"
                    + "return false;");
            assertThat(painted).isEqualTo(Boolean.TRUE);
            List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
            assertThat(errors).as("console errors and warnings").isEmpty();
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Path artefact = Path.of("target", "artifacts", "report-nat-paws-2.6.png");
            Files.createDirectories(artefact.getParent());
            Files.copy(shot.toPath(), artefact, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(artefact)).isGreaterThan(50_000);
        } finally {
            driver.quit();
        }
    }
}
