package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium driven through Debian's {@code chromium-driver}, named explicitly (nothing is
 * downloaded: Selenium Manager is never asked, and {@code SE_OFFLINE=true} is set for the tests). Where
 * the two packages are missing the browser tests are skipped saying so, unless they are required
 * ({@code SWEET_ASYNC_BROWSER_TESTS=required}, set by {@code .ci/chromium}, or {@code CI=true}): then they fail.
 */
final class Browser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser open() throws IOException {
        Path chromium = Path.of(env("SWEET_ASYNC_CHROMIUM", "/usr/bin/chromium"));
        Path chromedriver = Path.of(env("SWEET_ASYNC_CHROMEDRIVER", "/usr/bin/chromedriver"));
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            String missing = "the dashboard's browser tests need Chromium and its driver (" + chromium + ", "
                    + chromedriver + "): apt-get install -y chromium chromium-driver, or eval \"$(.ci/chromium)\"";
            if ("required".equals(System.getenv("SWEET_ASYNC_BROWSER_TESTS")) || "true".equals(System.getenv("CI"))) {
                fail(missing);
            }
            Assumptions.abort("skipped: " + missing);
        }
        Path profile = Files.createTempDirectory("sweet-async-chromium-");
        ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=1400,1000",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    private static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : value;
    }

    WebDriver driver() {
        return driver;
    }

    /**
     * Waits (up to a generous 60 s on a busy machine) until {@code condition} answers non-null or true. When it
     * times out, the page is kept as {@code timed-out-<n>.png} among the screenshots and its error line (what the
     * dashboard says is wrong) goes into the failure, so a CI failure leaves a picture of what the page showed.
     */
    <T> T await(Function<WebDriver, T> condition) {
        try {
            return new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(100)).until(condition::apply);
        }
        catch (TimeoutException ex) {
            String shot = "timed-out-" + TIMEOUTS.incrementAndGet();
            String error;
            try {
                screenshot(shot);
                error = String.valueOf(script("const e = document.getElementById('error');"
                        + " return e && !e.hidden ? e.textContent : '(no error shown)'"));
            }
            catch (RuntimeException unreadable) {
                error = "(the page could not be read: " + unreadable + ")";
            }
            ex.addSuppressed(new IllegalStateException("the page as it was: " + SCREENSHOTS.resolve(shot + ".png")
                    + "; its error line: " + error));
            throw ex;
        }
    }

    private static final AtomicInteger TIMEOUTS = new AtomicInteger();

    /** Clicks what {@code selector} finds, finding it again if the page replaced it meanwhile. */
    void click(By selector) {
        await(d -> {
            try {
                d.findElement(selector).click();
                return true;
            }
            catch (StaleElementReferenceException | NoSuchElementException ex) {
                return null;
            }
        });
    }

    Object script(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** A Chrome DevTools Protocol command ({@code Fetch.enable}, ...): what the page cannot do to itself. */
    Map<String, Object> devTools(String command, Map<String, Object> parameters) {
        return driver.executeCdpCommand(command, parameters);
    }

    /** Runs {@code script}, which calls its last argument with the answer. */
    Object asyncScript(String script, Object... args) {
        return driver.executeAsyncScript(script, args);
    }

    /** Saves the page as {@code target/dashboard-screenshots/<name>.png}, a test artifact. */
    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        }
        finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
