package dev.herald.server.browser;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driven through ChromeDriver, for tests that need a real browser.
 *
 * <p>Use it with try-with-resources, or register it on a test class, which also makes a failing
 * test leave a screenshot and print the browser console:
 *
 * <pre>{@code
 * @RegisterExtension final Chromium chromium = new Chromium();
 * }</pre>
 *
 * <p>The browser starts on first use, with a fresh profile that {@link #close()} deletes. Both
 * executables are given explicitly, so Selenium Manager never runs and nothing is downloaded: the
 * browser is {@code $CHROME_BIN} or {@code /usr/bin/chromium}, the driver is system property
 * {@code webdriver.chrome.driver} or {@code /usr/bin/chromedriver}. Not thread-safe.
 */
public final class Chromium implements AutoCloseable, AfterTestExecutionCallback, AfterEachCallback {

    private static final Path BROWSER = Path.of(
            System.getenv().getOrDefault("CHROME_BIN", "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(
            System.getProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, "/usr/bin/chromedriver"));
    /** {@code herald-server/target/screenshots}; Surefire and Failsafe set {@code basedir}. */
    private static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    private static final Duration POLL = Duration.ofMillis(100);

    private ChromeDriver driver;
    private Path profile;

    /** The running browser, started on first call. */
    public WebDriver driver() {
        return chrome();
    }

    /** Loads {@code url} and waits for its {@code load} event. */
    public void open(String url) {
        driver().get(requireNonNull(url, "url"));
    }

    /** The rendered text of the first element matching {@code cssSelector}. */
    public String text(String cssSelector) {
        return driver().findElement(By.cssSelector(requireNonNull(cssSelector, "cssSelector"))).getText();
    }

    /**
     * Polls {@code condition} every 100 ms until it returns something other than {@code null} or
     * {@code false}, and returns that.
     *
     * @throws org.openqa.selenium.TimeoutException after {@code timeout}, with {@code message}
     */
    public <T> T await(Duration timeout, Supplier<String> message, Function<? super WebDriver, T> condition) {
        return new WebDriverWait(driver(), timeout, POLL)
                .withMessage(requireNonNull(message, "message"))
                .until(requireNonNull(condition, "condition"));
    }

    /** Saves the viewport as {@code target/screenshots/<name>.png} and returns the file. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(requireNonNull(name, "name") + ".png").toAbsolutePath();
            Files.write(file, chrome().getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The browser console since the last call (ChromeDriver hands each entry out once): one line
     * per entry, level first.
     */
    public List<String> consoleLog() {
        return driver().manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::toString)
                .toList();
    }

    /** On failure, leaves a screenshot named after the test and prints the browser console. */
    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (driver == null || context.getExecutionException().isEmpty()) {
            return;
        }
        String name = context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName();
        StringBuilder report = new StringBuilder("Browser state after ").append(name).append(" failed:\n");
        try {
            report.append("  url: ").append(driver.getCurrentUrl()).append('\n');
            report.append("  screenshot: ").append(screenshot(name + "-failed")).append('\n');
            List<String> console = consoleLog();
            report.append("  console (").append(console.size()).append(" entries):\n");
            console.forEach(line -> report.append("    ").append(line).append('\n'));
        } catch (RuntimeException e) {
            // The browser may be why the test failed; report what we could collect.
            report.append("  (could not collect more: ").append(e).append(")\n");
        }
        System.err.print(report);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** Quits the browser and the driver and deletes the profile; safe to call more than once. */
    @Override
    public void close() {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            driver = null;
            deleteProfile();
        }
    }

    private ChromeDriver chrome() {
        if (driver == null) {
            driver = launch();
        }
        return driver;
    }

    private ChromeDriver launch() {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            Assertions.fail("Browser tests need " + BROWSER + " and " + DRIVER
                    + " (Debian packages chromium and chromium-driver). Run ./test from the repository root,"
                    + " the README's test command: it installs them.");
        }
        try {
            profile = Files.createTempDirectory("herald-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toString());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,1200", // headless=new keeps ~140 px of that for window chrome
                "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);

        // An explicit executable is what keeps Selenium Manager (and its downloads) out of it.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        try {
            return new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteProfile();
            throw e;
        }
    }

    private void deleteProfile() {
        if (profile == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(profile)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // Chromium can still be writing to its profile as it exits; a leftover temp dir is harmless.
        }
        profile = null;
    }
}
