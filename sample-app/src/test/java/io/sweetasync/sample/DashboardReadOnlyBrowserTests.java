package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.LimiterHistory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The dashboard in a real (headless) Chromium while the asynctasks endpoint is read-only (its default). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.url=jdbc:h2:mem:dashboard-ro-${random.uuid};DB_CLOSE_DELAY=-1")
class DashboardReadOnlyBrowserTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    @Autowired
    LimiterHistory history;

    @Test
    void thePageOffersNoCancelAndTheEndpointRefusesOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("long-report").run(() -> {
            release.await();
            return 1;
        });
        try (Browser browser = Browser.open()) {
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> history.samples().getOrDefault("pricing", List.of()).size() >= 5);
            browser.driver().get("http://localhost:" + port + "/sweet-async");
            // the chart starts with the server's samples of the last minutes, not empty
            String samples = browser.await(d -> d.findElement(By.cssSelector(".group[data-group='pricing']"))
                    .getDomAttribute("data-samples"));
            assertThat(Integer.parseInt(samples)).isGreaterThanOrEqualTo(6);
            String id = task.id().toString();
            browser.await(d -> d.findElement(By.cssSelector("#tree tr.task[data-id='" + id + "'] .name")));
            assertThat(browser.driver().findElement(By.id("access")).getText()).isEqualTo("read-only");
            assertThat(browser.driver().findElements(By.cssSelector("button.cancel")))
                    .noneSatisfy(button -> assertThat(button.isDisplayed()).isTrue());

            browser.click(By.cssSelector("#tree tr.task[data-id='" + id + "'] .name"));
            browser.await(d -> d.findElement(By.id("detail-title")).getText().equals("long-report#" + id));
            assertThat(browser.driver().findElement(By.id("detail-cancel")).isDisplayed()).isFalse();

            // what a hand-made request from the page gets: the endpoint has no delete operation
            Object status = browser.asyncScript("const done = arguments[arguments.length - 1];"
                    + "fetch(document.body.dataset.tasks + '/" + id + "', { method: 'DELETE' }).then(r => done(r.status));");
            assertThat(((Number) status).intValue()).isEqualTo(405);
            browser.screenshot("read-only");
            assertThat(task.status().isTerminal()).isFalse();
        }
        finally {
            release.countDown();
        }
        task.join();
    }
}
