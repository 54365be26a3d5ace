package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The README: "With many live tasks it asks for at most 50 trees and 50 children per node and sums up the rest".
 * The browser tests had 10,000 tasks under one root; here 10,000 live roots: the page lists 50 of them and one
 * row for the rest, and the endpoint's answer it reads stays small.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "spring.datasource.url=jdbc:h2:mem:review14-roots-${random.uuid};DB_CLOSE_DELAY=-1",
                "sweet.async.store.max-pending=50000" })
class Review14DashManyRootsTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    @Test
    @Timeout(300)
    void tenThousandLiveRootsAreListedFiftyAtATime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(10_000);
        List<SpawningTask<Integer>> roots = new ArrayList<>();
        try {
            for (int i = 0; i < 10_000; i++) {
                roots.add(orchestrator.to(Integer.class).named("tenant-job").run(() -> {
                    running.countDown();
                    release.await();
                    return 1;
                }));
            }
            running.await();
            try (Browser browser = Browser.open()) {
                browser.driver().get("http://localhost:" + port + "/sweet-async");
                String more = browser.await(d -> {
                    List<org.openqa.selenium.WebElement> rows = d.findElements(By.cssSelector("#tree tr.more"));
                    return rows.isEmpty() ? null : rows.getFirst().getText();
                });
                assertThat(more).matches("… [0-9,]+ more live trees not listed \\(the oldest 50 are shown\\)");
                assertThat(browser.driver().findElements(By.cssSelector("#tree tr.task"))).hasSize(50);
                long polls = ((Number) browser.script("return window.sweetAsyncDashboard.polls")).longValue();
                browser.await(d -> ((Number) browser.script("return window.sweetAsyncDashboard.polls")).longValue() >= polls + 3);
                Object bytes = browser.script("return window.sweetAsyncDashboard.lastBytes");
                System.out.println("dashboard with 10,000 live roots: "
                        + browser.script("return JSON.stringify(window.sweetAsyncDashboard)"));
                assertThat(((Number) bytes).longValue()).as("the bytes one refresh read").isLessThan(200_000);
                assertThat(browser.script("return document.body.classList.contains('stale')")).isEqualTo(false);
            }
        }
        finally {
            release.countDown();
        }
        for (SpawningTask<Integer> root : roots) {
            root.join();
        }
    }
}
