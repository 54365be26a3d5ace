package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.boot.actuate.LimiterHistory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The dashboard in a real (headless) Chromium, on the sample app with cancel allowed. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoint.asynctasks.access=unrestricted",
                "spring.datasource.url=jdbc:h2:mem:dashboard-${random.uuid};DB_CLOSE_DELAY=-1",
                // two tests finish 10,001 tasks each at once: with the default 10,000 waiting records, the store
                // refused the records of tasks ending while it caught up (a later test's failure never reached it)
                "sweet.async.store.max-pending=50000" })
class DashboardBrowserTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    @Autowired
    LimiterHistory history;

    /** One Chromium for the class (starting one took about 3 s); each test loads the page afresh in it. */
    private static Browser browser;

    @BeforeEach
    void openPage() throws Exception {
        if (browser == null) {
            browser = Browser.open();
        }
        browser.driver().get("http://localhost:" + port + "/sweet-async");
        browser.await(d -> d.findElement(By.id("summary")).getText().contains("live tasks"));
    }

    @AfterAll
    static void closeBrowser() throws Exception {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    @Test
    void anImportsTreeGrowsAndFinishesWhileThePricingChartMoves() throws Exception {
        assertThat(browser.driver().findElement(By.id("access")).getText()).isEqualTo("cancel allowed");
        String id = startImport();

        // the tree grows: the pipeline, then its sender and 16 receivers under it, with its progress
        browser.await(d -> d.findElement(By.cssSelector("#tree tr.task[data-id='" + id + "']")));
        browser.await(d -> children(d, id).size() == 17);
        browser.await(d -> progressOf(d, id).contains("emitted"));
        browser.screenshot("import-running");
        // the task cell wraps between the name, its id and its children's summary, not inside "order-import"
        assertThat(browser.script("return document.querySelector(arguments[0]).getClientRects().length",
                "#tree tr.task[data-id='" + id + "'] .name")).as("lines of the name").isEqualTo(1L);

        // the pricing group's chart moves: permits in flight, and a limit other than the first one seen. A
        // limiter that has settled (an earlier test's import taught it the pricing service) may cruise at one
        // limit through a whole import: then further imports run until the page has shown it move
        Set<Integer> limits = new LinkedHashSet<>();
        Set<Integer> inFlight = new LinkedHashSet<>();
        List<String> more = new ArrayList<>();
        browser.await(d -> {
            Map<String, Integer> group = pricing(d);
            if (group != null) {
                limits.add(group.get("limit"));
                inFlight.add(group.get("inflight"));
            }
            boolean moved = limits.size() >= 2 && inFlight.stream().anyMatch(n -> n > 0);
            if (!moved && more.size() < 5 && ended(more.isEmpty() ? id : more.getLast())) {
                more.add(startImport());
            }
            return moved;
        });
        browser.screenshot("pricing-chart");

        // and finishes: gone from the live trees, completed among the recent ones
        browser.await(d -> statusIn(d, "#recent", id).equals("COMPLETED"));
        assertThat(browser.driver().findElements(By.cssSelector("#tree tr.task[data-id='" + id + "']"))).isEmpty();
        assertThat(pricing(browser.driver()).get("samples")).isGreaterThan(2);
        browser.screenshot("import-finished");
        browser.await(d -> more.stream().allMatch(this::ended));

        // a task's detail: timings, attempts, resource figures with how each was obtained
        browser.click(By.cssSelector("#recent tr.task[data-id='" + id + "'] .name"));
        browser.await(d -> d.findElement(By.id("detail-title")).getText().equals("order-import#" + id));
        assertThat(field("status")).isEqualTo("COMPLETED");
        assertThat(field("attempts")).isEqualTo("1");
        assertThat(field("ran for")).isNotEmpty();
        assertThat(field("progress")).contains("emitted 3,000").contains("received 3,000");
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) browser.script("return Array.from("
                + "document.querySelectorAll('#detail-resources tbody tr'), row => row.innerText)");
        assertThat(resources).hasSize(4)
                .anySatisfy(text -> assertThat(text).startsWith("cpuNanos"))
                .allSatisfy(text -> assertThat(text).containsAnyOf("MEASURED", "SAMPLED", "UNAVAILABLE", "PENDING"));
        assertThat(browser.driver().findElement(By.id("detail-cancel")).isDisplayed()).isFalse();
        browser.screenshot("task-detail");
    }

    /**
     * A click whose request never reaches the server says so (it said nothing at all) and leaves the task
     * running; the next click, with the network back, cancels it.
     */
    @Test
    void theCancelButtonCancelsARunningImport() throws Exception {
        String id = startImport();
        browser.await(d -> d.findElement(By.cssSelector("#tree button.cancel[data-id='" + id + "']")).isDisplayed());
        browser.devTools("Network.enable", Map.of());
        browser.devTools("Network.emulateNetworkConditions",
                Map.of("offline", true, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
        try {
            browser.click(By.cssSelector("#tree button.cancel[data-id='" + id + "']"));
            String failed = browser.await(d -> {
                String text = d.findElement(By.id("notice")).getText();
                return text.isEmpty() ? null : text;
            });
            assertThat(failed).startsWith("cancel of " + id + " failed: ").endsWith("; the task may still be running");
            assertThat(browser.driver().findElement(By.id("notice")).getDomAttribute("class")).isEqualTo("refused");
            assertThat(orchestrator.find(TaskId.parse(id)).orElseThrow().status()).isNotEqualTo(TaskStatus.CANCELLED);
        }
        finally {
            browser.devTools("Network.emulateNetworkConditions",
                    Map.of("offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
            browser.devTools("Network.disable", Map.of());
        }
        browser.await(d -> d.findElement(By.cssSelector("#tree button.cancel[data-id='" + id + "']")).isDisplayed());
        browser.click(By.cssSelector("#tree button.cancel[data-id='" + id + "']"));
        browser.await(d -> statusIn(d, "#recent", id).equals("CANCELLED"));
        assertThat(browser.driver().findElement(By.id("notice")).getText()).isEqualTo("cancel requested for " + id);
        browser.screenshot("import-cancelled");
    }

    @Test
    void tenThousandLiveTasksStayAggregated() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(10_000);
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named("load").run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            for (int i = 0; i < 10_000; i++) {
                context.child(Integer.class).named("part").run(() -> {
                    running.countDown();
                    release.await();
                    return 1;
                });
            }
            context.joinChildren();
            return 0;
        });
        try {
            running.await();
            String id = root.id().toString();
            browser.await(d -> d.findElement(By.id("summary")).getText().startsWith("10001 live tasks"));
            browser.await(d -> text(d, "#tree tr.more")
                    .equals("… 9,950 more children of #" + id + " not listed (all 10,000: RUNNING 10,000)"));
            assertThat(children(browser.driver(), id)).hasSize(50);
            waitForPolls(5);
            Map<?, ?> stats = (Map<?, ?>) browser.script("return window.sweetAsyncDashboard");
            System.out.println("dashboard with 10,001 live tasks: " + stats);
            assertThat(((Number) stats.get("treeRows")).intValue()).isEqualTo(52);
            browser.screenshot("ten-thousand-tasks");

            // collapse the tree: only its root row is left
            browser.click(By.cssSelector("#tree tr.task[data-id='" + id + "'] button.toggle"));
            browser.await(d -> d.findElements(By.cssSelector("#tree tbody tr")).size() == 1);
        }
        finally {
            release.countDown();
        }
        root.join();
    }

    /**
     * 10,000 live tasks in a bushy tree (a root, 21 children, 21 below each, 21 below those): the page asks
     * for what it shows (the root's children, then an opened child's), not all 10,000 every second; a name
     * full of markup is shown as text, never run.
     */
    @Test
    @Timeout(300)
    void tenThousandLiveTasksInABushyTreeAreFetchedAsTheyAreOpened() throws Exception {
        String markup = "<img src=x onerror=\"window.sweetAsyncInjected=1\">é€";
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(21 * 21 * 21);
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named(markup).run(() -> {
            fanOut(21, 3, running, release);
            return 0;
        });
        try {
            running.await();
            String id = root.id().toString();
            browser.await(d -> d.findElement(By.id("summary")).getText().startsWith("9724 live tasks"));
            browser.await(d -> children(d, id).size() == 21);
            // the size of the next answers of the trees' poll, as the browser received them
            browser.script("performance.clearResourceTimings()");
            Number bytes = browser.await(d -> (Number) browser.script("const polls = performance.getEntriesByType("
                    + "'resource').filter(e => e.name.includes('/asynctasks?')); return polls.length < 2 ? null"
                    + " : Math.max(...polls.map(e => e.decodedBodySize))"));
            System.out.println("dashboard with a bushy tree of 9,724 live tasks: " + bytes + " bytes a poll, "
                    + browser.script("return window.sweetAsyncDashboard"));
            assertThat(bytes.longValue()).as("bytes of one poll of the trees").isLessThan(200_000);
            assertThat(text(browser.driver(), "#tree tr.task[data-id='" + id + "'] .name")).isEqualTo(markup);
            assertThat(browser.script("return window.sweetAsyncInjected === undefined")).isEqualTo(true);

            // open a child: its 21 children are fetched and shown under it
            String child = orchestrator.roots().stream().filter(task -> task.id().equals(root.id())).findFirst()
                    .orElseThrow().children().get(4).id().toString();
            // until they come, its row says they are loading: not that they were left out ("… 21 more children
            // of #… not listed", as it said at once, and for as long as the endpoint took to answer)
            browser.script("window.moreTexts = []; new MutationObserver(() => document.querySelectorAll('#tree tr.more')"
                    + ".forEach(row => window.moreTexts.push(row.textContent))).observe(document.getElementById('tree'),"
                    + " { subtree: true, childList: true, characterData: true });");
            browser.click(By.cssSelector("#tree tr.task[data-id='" + child + "'] button.toggle"));
            browser.await(d -> children(d, child).size() == 21);
            assertThat(browser.script("return window.moreTexts").toString()).doesNotContain("children of #" + child + " not");
            browser.screenshot("bushy-tree-opened");
            // a long name and the children's summary wrap: the cancel buttons stay in sight, not scrolled off
            assertThat(browser.script("return document.querySelector(arguments[0]).getBoundingClientRect().right"
                    + " <= document.getElementById('trees').getBoundingClientRect().right",
                    "#tree tr.task[data-id='" + child + "'] button.cancel")).as("the cancel button in sight").isEqualTo(true);
        }
        finally {
            release.countDown();
        }
        root.join();
    }

    private static void fanOut(int width, int levels, CountDownLatch running, CountDownLatch release)
            throws Exception {
        TaskContext task = TaskContext.current().orElseThrow();
        for (int i = 0; i < width; i++) {
            task.child(Integer.class).named("part").run(() -> {
                if (levels > 1) {
                    fanOut(width, levels - 1, running, release);
                }
                else {
                    running.countDown();
                    release.await();
                }
                return 1;
            });
        }
        task.joinChildren();
    }

    @Test
    void failedTasksComeFromTheStoreAndRunawaysAreMarked() throws Exception {
        assertThat(orchestrator.flushStore()).as("what earlier tests left is written").isTrue();
        SpawningTask<Integer> broken = orchestrator.to(Integer.class).named("broken-quote").run(() -> {
            throw new IllegalStateException("no price for o-7");
        });
        broken.result();
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean started = new AtomicBoolean();
        try {
            // the deadline runs from submission: on a loaded machine it can pass before the body has started, and a
            // body that never started is no runaway; such a task is run again with a deadline twice as long
            SpawningTask<Integer> stubborn = null;
            for (Duration timeout = Duration.ofMillis(50); !started.get(); timeout = timeout.multipliedBy(2)) {
                assertThat(timeout).as("a deadline the body could not reach").isLessThan(Duration.ofSeconds(30));
                stubborn = orchestrator.to(Integer.class).named("stubborn").timeout(timeout).run(() -> {
                    started.set(true);
                    while (!release.get()) {
                        Thread.interrupted();               // ignores its interrupt: a runaway
                        LockSupport.parkNanos(1_000_000);
                    }
                    return 1;
                });
                stubborn.result();
            }
            String failed = broken.id().toString();
            browser.await(d -> text(d, "#failed tr.task[data-id='" + failed + "'] .failure")
                    .equals("IllegalStateException: no price for o-7"));
            String runaway = stubborn.id().toString();
            browser.await(d -> statusIn(d, "#recent", runaway).equals("TIMED_OUT"));
            browser.await(d -> !d.findElements(By.cssSelector("#recent tr.task[data-id='" + runaway + "'] .badge.runaway"))
                    .isEmpty());
            browser.await(d -> d.findElement(By.id("summary")).getText().contains("1 runaway"));
            browser.screenshot("failed-and-runaway");
        }
        finally {
            release.set(true);
        }
    }

    /**
     * The endpoint stops answering (its requests held by the browser, as a hung server or proxy would): the
     * page says so within its timeout and greys out what it last read, rather than showing it as live for
     * ever; it recovers when answers come again.
     */
    @Test
    void anEndpointThatStopsAnsweringIsReportedAndThePageRecovers() throws Exception {
        browser.await(d -> !d.findElement(By.id("updated")).getText().isEmpty());
        browser.script("performance.clearResourceTimings()");
        browser.devTools("Fetch.enable", Map.of("patterns", List.of(Map.of("urlPattern", "*/actuator/asynctasks?*"))));
        try {
            browser.await(d -> d.findElement(By.id("error")).isDisplayed());
            assertThat(browser.driver().findElement(By.id("error")).getText()).contains("did not answer within 10 s")
                    .contains("What is shown is as of");
            assertThat(browser.script("return document.body.classList.contains('stale')")).isEqualTo(true);
            browser.screenshot("endpoint-stalled");
        }
        finally {
            browser.devTools("Fetch.disable", Map.of());
        }
        browser.await(d -> !d.findElement(By.id("error")).isDisplayed());
        assertThat(browser.script("return document.body.classList.contains('stale')")).isEqualTo(false);
        // after the gap the chart asked for the server's samples of those seconds again, rather than drawing
        // a line across them
        browser.await(d -> (Boolean) browser.script("return performance.getEntriesByType('resource')"
                + ".some(e => e.name.includes('/asynclimits?limit=50&history=true'))"));
    }

    /**
     * The endpoints answer but the page fails to show the answer (here: an element it writes to is gone, as a
     * bug of the page would leave it): it says so, not that it cannot read the endpoints (which sent the user to
     * look at a server that was fine).
     */
    @Test
    void aPageThatFailsToShowAnAnswerSaysSoInsteadOfBlamingTheEndpoints() throws Exception {
        browser.script("document.getElementById('summary').remove()");
        browser.await(d -> d.findElement(By.id("error")).isDisplayed());
        assertThat(browser.driver().findElement(By.id("error")).getText())
                .contains("The endpoints answered, but this page failed to show their answer")
                .doesNotContain("Cannot read the endpoints");
        assertThat(browser.script("return document.body.classList.contains('stale')")).isEqualTo(true);
    }

    /**
     * A right-to-left override (U+202E) in a user's text (a task name, a tag value) stays inside that text: the
     * task's id beside its name, its path and its other tags still read left to right, so a name cannot make
     * one task's id look like another's.
     */
    @Test
    void aRightToLeftOverrideInANameOrTagCannotReorderTheTextAroundIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named("evil\u202E").tag("a", "\u202Eevil")
                .tag("z", "9").run(() -> {
                    TaskContext.current().orElseThrow().child(Integer.class).named("leaf").run(() -> {
                        running.countDown();
                        release.await();
                        return 1;
                    });
                    TaskContext.current().orElseThrow().joinChildren();
                    return 0;
                });
        try {
            running.await();
            String id = root.id().toString();
            String child = orchestrator.roots().stream().filter(task -> task.id().equals(root.id())).findFirst()
                    .orElseThrow().children().getFirst().id().toString();
            String row = "#tree tr.task[data-id='" + id + "']";
            browser.await(d -> d.findElement(By.cssSelector(row + " .id")));
            assertThat(readsLeftToRight(row + " .id", "#", "-")).as("the id beside the name")
                    .isTrue();
            browser.click(By.cssSelector(row + " .name"));
            browser.await(d -> d.findElement(By.id("detail-title")).getText().endsWith("#" + id));
            assertThat(readsLeftToRight("#detail-title", "#", "-")).as("the detail's title")
                    .isTrue();
            assertThat(readsLeftToRight("#detail-fields dd[data-field='tags']", "z", "9")).as("the tags after it")
                    .isTrue();

            browser.click(By.cssSelector("#tree tr.task[data-id='" + child + "'] .name"));
            browser.await(d -> d.findElement(By.id("detail-title")).getText().endsWith("#" + child));
            browser.await(d -> field("path") != null);
            assertThat(readsLeftToRight("#detail-fields dd[data-field='path']", "#", "-")).as("the id after it in a path")
                    .isTrue();
            browser.screenshot("right-to-left-override");
        }
        finally {
            release.countDown();
        }
        root.join();
    }

    /**
     * In an incident one works the page from the keyboard and copies what it says: the focus on a tree's
     * toggle and a failure's message selected in the list or the detail stay through the refreshes (every
     * refresh moved each row, which took the focus away, and rebuilt the lists and the detail, which dropped
     * the selection); a toggle says whether it is open, and a task's name shows its detail on Enter.
     */
    @Test
    void theKeyboardFocusAndSelectedTextSurviveTheRefreshes() throws Exception {
        String message = "IllegalStateException: no invoice for o-9";
        SpawningTask<Integer> broken = orchestrator.to(Integer.class).named("broken-invoice").run(() -> {
            throw new IllegalStateException("no invoice for o-9");
        });
        broken.result();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        SpawningTask<Integer> root = orchestrator.to(Integer.class).named("keyboard").run(() -> {
            for (int i = 0; i < 2; i++) {
                TaskContext.current().orElseThrow().child(Integer.class).named("leaf").run(() -> {
                    running.countDown();
                    release.await();
                    return 1;
                });
            }
            TaskContext.current().orElseThrow().joinChildren();
            return 0;
        });
        try {
            running.await();
            String id = root.id().toString();
            String toggle = "#tree tr.task[data-id='" + id + "'] button.toggle";
            browser.await(d -> children(d, id).size() == 2);
            browser.script("document.querySelector(arguments[0]).focus()", toggle);
            waitForPolls(2);
            assertThat(browser.script("return document.activeElement === document.querySelector(arguments[0])", toggle))
                    .as("the toggle keeps the focus").isEqualTo(true);
            assertThat(browser.driver().findElement(By.cssSelector(toggle)).getDomAttribute("aria-expanded")).isEqualTo("true");
            new Actions(browser.driver()).sendKeys(Keys.ENTER).perform();
            browser.await(d -> children(d, id).isEmpty());
            assertThat(browser.driver().findElement(By.cssSelector(toggle)).getDomAttribute("aria-expanded")).isEqualTo("false");
            new Actions(browser.driver()).sendKeys(Keys.TAB).sendKeys(Keys.ENTER).perform();
            browser.await(d -> d.findElement(By.id("detail-title")).getText().equals("keyboard#" + id));
            assertThat(root.status().isTerminal()).isFalse();

            String failed = "#failed tr.task[data-id='" + broken.id() + "'] .failure";
            browser.await(d -> text(d, failed).equals(message));
            assertThat(selectAndWait(failed)).as("selected in the list of failed tasks").isEqualTo(message);
            browser.click(By.cssSelector("#failed tr.task[data-id='" + broken.id() + "'] .name"));
            browser.await(d -> message.equals(field("failure")));
            assertThat(selectAndWait("#detail-fields dd[data-field='failure']")).as("selected in the detail")
                    .isEqualTo(message);
            browser.screenshot("keyboard-and-selection");
        }
        finally {
            release.countDown();
        }
        root.join();
    }

    /** Selects the text of what {@code selector} finds, lets two polls redraw the page, and answers what is selected. */
    private static Object selectAndWait(String selector) {
        browser.script("const range = document.createRange(); range.selectNodeContents(document.querySelector(arguments[0]));"
                + " getSelection().removeAllRanges(); getSelection().addRange(range);", selector);
        waitForPolls(2);
        return browser.script("return getSelection().toString()");
    }

    /**
     * A double click on Cancel sends one request, and the notice says what it did: the second request's
     * answer (404: the task had finished, cancelled by the first) replaced "cancel requested" with "has
     * already finished".
     */
    @Test
    void aDoubleClickOnCancelSendsOneRequest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("double-click").run(() -> {
            release.await();
            return 1;
        });
        try {
            String id = task.id().toString();
            String button = "#tree button.cancel[data-id='" + id + "']";
            browser.await(d -> d.findElement(By.cssSelector(button)).isDisplayed());
            browser.script("performance.clearResourceTimings()");
            new Actions(browser.driver()).doubleClick(browser.driver().findElement(By.cssSelector(button))).perform();
            browser.await(d -> statusIn(d, "#recent", id).equals("CANCELLED"));
            waitForPolls(3);
            Object cancels = browser.script("return performance.getEntriesByType('resource')"
                    + ".filter(e => e.name.endsWith('/asynctasks/' + arguments[0])).length", id);
            assertThat(((Number) cancels).intValue()).as("cancel requests sent").isEqualTo(1);
            assertThat(browser.driver().findElement(By.id("notice")).getText()).isEqualTo("cancel requested for " + id);
        }
        finally {
            release.countDown();
        }
    }

    /**
     * A browser whose clock is ten minutes ahead of the server's (a laptop's clock off) shows the tasks'
     * true ages, not ten minutes more, and the groups' charts keep the server's samples of the last minutes
     * (all of them were dropped as older than five minutes).
     */
    @Test
    void aBrowserClockOffTheServersShowsTrueAgesAndCharts() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("clock").run(() -> {
            release.await();
            return 1;
        });
        Map<String, Object> skewed = browser.devTools("Page.addScriptToEvaluateOnNewDocument",
                Map.of("source", "{ const real = Date.now; Date.now = () => real() + 600000; }"));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> history.samples().getOrDefault("pricing", List.of()).size() >= 5);
            int kept = history.samples().get("pricing").size();
            browser.driver().get("http://localhost:" + port + "/sweet-async");
            String age = "#tree tr.task[data-id='" + task.id() + "'] td:nth-child(3)";
            browser.await(d -> !text(d, age).isEmpty());
            assertThat(browser.script("return Date.now() - new Date().getTime() > 590000")).as("the clock is off")
                    .isEqualTo(true);
            assertThat(text(browser.driver(), age)).as("the age of a task started moments ago").doesNotContain("min");
            assertThat(pricing(browser.driver()).get("samples")).isGreaterThanOrEqualTo(kept);
        }
        finally {
            browser.devTools("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", skewed.get("identifier")));
            release.countDown();
        }
        task.join();
    }

    /** A failure message of 2,000 characters without a space wraps in its cell: the lists do not scroll sideways. */
    @Test
    void aLongUnbrokenFailureMessageWrapsInsteadOfWideningTheLists() throws Exception {
        // the failed list comes from the store: what earlier tests left (10,001 tasks ending at once) is written
        // first, so this task's record is not refused as one too many waiting (it failed so on a loaded CI run)
        assertThat(orchestrator.flushStore()).isTrue();
        SpawningTask<Integer> wide = orchestrator.to(Integer.class).named("wide-failure").run(() -> {
            throw new IllegalStateException("x".repeat(2_000));
        });
        wide.result();
        String failed = wide.id().toString();
        browser.await(d -> !d.findElements(By.cssSelector("#failed tr.task[data-id='" + failed + "']")).isEmpty());
        assertThat(browser.script("const f = document.getElementById('finished'); return f.scrollWidth <= f.clientWidth"))
                .as("the finished tasks' section is no wider than the page").isEqualTo(true);
        assertThat(browser.script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
                .as("the page does not scroll sideways").isEqualTo(true);
    }

    /**
     * Durations are rounded to the unit shown before they are split: 59.96 s is "1 min 0 s", never "60.0 s";
     * 1 min 59.6 s is "2 min 0 s", never "1 min 60 s". The endpoint's answers are rewritten in the page so
     * that finished tasks took exactly these times.
     */
    @Test
    void durationsRoundUpIntoTheNextUnit() throws Exception {
        Map<String, Long> took = Map.of("took-999ms", 999L, "took-59960ms", 59_960L, "took-119600ms", 119_600L,
                "took-3h59m59600ms", 14_399_600L);
        Map<String, String> shown = Map.of("took-999ms", "999 ms", "took-59960ms", "1 min 0 s",
                "took-119600ms", "2 min 0 s", "took-3h59m59600ms", "4 h 0 min");
        Map<String, Object> rewriting = browser.devTools("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                { const took = %s; const real = window.fetch;
                  window.fetch = async (url, options) => {
                    const response = await real(url, options);
                    if (!String(url).includes('asynctasks') || !response.ok) return response;
                    const json = await response.json();
                    for (const task of json.recent || []) {
                      if (took[task.name] !== undefined && task.completedAt) {
                        task.completedAt = new Date(Date.parse(task.createdAt) + took[task.name]).toISOString();
                      }
                    }
                    return new Response(JSON.stringify(json), { status: response.status, headers: response.headers });
                  }; }""".formatted(took.entrySet().stream()
                        .map(e -> "'" + e.getKey() + "': " + e.getValue()).collect(Collectors.joining(", ", "{", "}")))));
        try {
            Map<String, String> ids = new HashMap<>();
            for (String name : took.keySet()) {
                ids.put(name, orchestrator.to(Integer.class).named(name).run(() -> 1).id().toString());
            }
            browser.driver().get("http://localhost:" + port + "/sweet-async");
            for (String name : took.keySet()) {
                String cell = "#recent tr.task[data-id='" + ids.get(name) + "'] td:nth-child(4)";
                browser.await(d -> !text(d, cell).isEmpty());
                assertThat(text(browser.driver(), cell)).as(name).isEqualTo(shown.get(name));
            }
        }
        finally {
            browser.devTools("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", rewriting.get("identifier")));
        }
    }

    private static void waitForPolls(int n) {
        long polls = ((Number) browser.script("return window.sweetAsyncDashboard.polls")).longValue();
        browser.await(d -> ((Number) browser.script("return window.sweetAsyncDashboard.polls")).longValue() >= polls + n);
    }

    /**
     * Markup and script in every text a user gives (a task's name, its tags' keys and values, its group, a
     * progress name, its failure's message) is shown as text wherever the page shows it, never run.
     */
    @Test
    void markupInEveryUsersTextIsShownAsTextNeverRun() throws Exception {
        String name = "<img src=x onerror=\"window.__pwned='name'\">";
        String group = "<img src=x onerror=window.__pwned='group'>";
        String key = "<svg onload=window.__pwned='key'>";
        String value = "</script><script>window.__pwned='value'</script>' \" javascript:alert(1)";
        String progress = "<b onmouseover=window.__pwned='progress'>rows";
        String message = "<img src=x onerror=window.__pwned='failure'></td></tr><script>window.__pwned=1</script>";
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named(name).group(group).tag(key, value).run(() -> {
            TaskContext.current().orElseThrow().progress(progress, () -> 7);
            running.countDown();
            release.await();
            throw new IllegalStateException(message);
        });
        String id = task.id().toString();
        String row = "#tree tr.task[data-id='" + id + "']";
        try {
            running.await();
            browser.await(d -> text(d, row + " td:nth-child(5)").equals(progress + " 7"));
            assertThat(text(browser.driver(), row + " .name")).isEqualTo(name);
            browser.click(By.cssSelector(row + " .name"));
            browser.await(d -> group.equals(field("group")));
            assertThat(field("tags")).isEqualTo(key + "=" + value);
            assertThat(browser.script("return Array.from(document.querySelectorAll('.group'),"
                    + " card => card.dataset.group + '|' + card.querySelector('h3').textContent)"))
                    .asList().contains(group + "|" + group);
        }
        finally {
            release.countDown();
        }
        task.result();
        browser.await(d -> text(d, "#failed tr.task[data-id='" + id + "'] .failure")
                .equals("IllegalStateException: " + message));
        browser.await(d -> field("failure") != null);
        assertThat(field("failure")).isEqualTo("IllegalStateException: " + message);
        assertThat(browser.script("return window.__pwned === undefined")).isEqualTo(true);
    }

    /** Whether the element's first {@code first} is drawn left of the {@code then} that follows it in its text. */
    private static Boolean readsLeftToRight(String selector, String first, String then) {
        return (Boolean) browser.script("""
                const walker = document.createTreeWalker(document.querySelector(arguments[0]), NodeFilter.SHOW_TEXT);
                const left = (node, i) => {
                    const range = document.createRange();
                    range.setStart(node, i);
                    range.setEnd(node, i + 1);
                    return range.getBoundingClientRect().left;
                };
                for (let node; (node = walker.nextNode());) {
                    const i = node.data.indexOf(arguments[1]);
                    if (i < 0) continue;
                    const j = node.data.indexOf(arguments[2], i + 1);
                    return j >= 0 && left(node, i) < left(node, j);
                }
                return false;
                """, selector, first, then);
    }

    private String startImport() {
        HttpResponse<String> response;
        try {
            response = HttpClient.newHttpClient().send(HttpRequest
                    .newBuilder(URI.create("http://localhost:" + port + "/api/imports"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException | InterruptedException ex) {
            throw new AssertionError("POST /api/imports failed", ex);
        }
        Matcher id = Pattern.compile("\"taskId\":\"([0-9-]+)\"").matcher(response.body());
        assertThat(id.find()).as(response.body()).isTrue();
        return id.group(1);
    }

    private boolean ended(String id) {
        return orchestrator.find(TaskId.parse(id)).map(task -> task.status().isTerminal()).orElse(true);
    }

    private static List<WebElement> children(WebDriver driver, String id) {
        return driver.findElements(By.cssSelector("#tree tr.task[data-parent='" + id + "']"));
    }

    private static String progressOf(WebDriver driver, String id) {
        return text(driver, "#tree tr.task[data-id='" + id + "'] td:nth-child(5)");
    }

    private static String statusIn(WebDriver driver, String table, String id) {
        return text(driver, table + " tr.task[data-id='" + id + "'] .status");
    }

    private static String text(WebDriver driver, String selector) {
        try {
            List<WebElement> found = driver.findElements(By.cssSelector(selector));
            return found.isEmpty() ? "" : found.getFirst().getText();
        }
        catch (StaleElementReferenceException ex) {
            return "";
        }
    }

    private static Map<String, Integer> pricing(WebDriver driver) {
        List<WebElement> cards = driver.findElements(By.cssSelector(".group[data-group='pricing']"));
        if (cards.isEmpty()) {
            return null;
        }
        WebElement card = cards.getFirst();
        return Map.of("limit", Integer.parseInt(card.getDomAttribute("data-limit")),
                "inflight", Integer.parseInt(card.getDomAttribute("data-inflight")),
                "samples", Integer.parseInt(card.getDomAttribute("data-samples")));
    }

    private String field(String name) {
        // read in one step in the page: the detail is redrawn at every refresh
        return (String) browser.script("const dd = document.querySelector(\"#detail-fields dd[data-field='\" + arguments[0]"
                + " + \"']\"); return dd ? dd.textContent : null;", name);
    }
}
