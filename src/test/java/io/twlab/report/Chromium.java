package io.twlab.report;

import org.junit.jupiter.api.Assumptions;
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
 * Test helper: opens a twlab page in Debian's headless Chromium (offline) through Selenium and checks that every
 * chart drew its data, no canvas is blank and the console stayed clean; saves a screenshot to target/artifacts/.
 * bin/test installs chromium and chromium-driver and sets TWLAB_REQUIRE_BROWSER=1, so there a missing browser fails.
 */
public final class Chromium {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    }

    public static void assume() {
        if ("1".equals(System.getenv("TWLAB_REQUIRE_BROWSER"))) {
            assertThat(available()).as("chromium and chromedriver installed by bin/test").isTrue();
        }
        Assumptions.assumeTrue(available(), "no /usr/bin/chromium or /usr/bin/chromedriver (bin/test installs them)");
    }

    /** Opens {@code page} in headless Chromium, checks every chart drew data without console errors, saves a PNG. */
    public static void check(Path page, int expectedCharts, String artefactName, Path profiles) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profiles.resolve("profile-" + artefactName),
                "--window-size=1280,3600");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(page.toUri().toString());
            new WebDriverWait(driver, Duration.ofSeconds(20))
                    .until(d -> d.findElement(By.tagName("body")).getAttribute("data-charts-drawn") != null);
            WebElement body = driver.findElement(By.tagName("body"));
            assertThat(body.getAttribute("data-charts")).isEqualTo(String.valueOf(expectedCharts));
            assertThat(body.getAttribute("data-charts-drawn")).isEqualTo(String.valueOf(expectedCharts));
            List<WebElement> charts = driver.findElements(By.cssSelector("div.chart"));
            assertThat(charts).hasSize(expectedCharts);
            for (WebElement chart : charts) {
                assertThat(chart.getAttribute("data-rendered")).as(chart.getAttribute("id")).isEqualTo("true");
                assertThat(Long.parseLong(chart.getAttribute("data-points"))).as(chart.getAttribute("id")).isPositive();
                WebElement canvas = chart.findElement(By.tagName("canvas"));
                assertThat(canvas.getSize().getWidth()).isGreaterThan(300);
                assertThat(canvas.getSize().getHeight()).isGreaterThan(100);
                // Not blank: some pixel differs from the first one.
                Object painted = driver.executeScript("var c = arguments[0];"
                        + "var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        + "for (var i = 4; i < d.length; i += 4) { if (d[i] !== d[0] || d[i + 1] !== d[1]) return true; }"
                        + "return false;", canvas);
                assertThat(painted).as(chart.getAttribute("id")).isEqualTo(Boolean.TRUE);
            }
            List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
            assertThat(errors).as("console errors and warnings").isEmpty();
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Path artefact = Path.of("target", "artifacts", artefactName + ".png");
            Files.createDirectories(artefact.getParent());
            Files.copy(shot.toPath(), artefact, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(artefact)).isGreaterThan(50_000);
        } finally {
            driver.quit();
        }
    }
}
