package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The page under a context path and a Spring MVC servlet path at once ({@code /shop} and {@code /app}), in a
 * real browser: it reads its endpoints, draws the groups' charts, shows a task's detail and cancels it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoint.asynctasks.access=unrestricted", "server.servlet.context-path=/shop",
                "spring.mvc.servlet.path=/app",
                "spring.datasource.url=jdbc:h2:mem:review14-prefix-${random.uuid};DB_CLOSE_DELAY=-1" })
class Review14DashPrefixedPathsTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    @Test
    void underAContextPathAndAServletPathThePageReadsShowsAndCancels() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("month-end").group("pricing").run(() -> {
            release.await();
            return 1;
        });
        String id = task.id().toString();
        try (Browser browser = Browser.open()) {
            browser.driver().get("http://localhost:" + port + "/shop/app/sweet-async");
            browser.await(d -> d.findElements(By.cssSelector("#tree tr.task[data-id='" + id + "'] .name")).size() == 1);
            browser.await(d -> d.findElements(By.cssSelector(".group[data-group='pricing']")).size() == 1);
            browser.click(By.cssSelector("#tree tr.task[data-id='" + id + "'] .name"));
            browser.await(d -> d.findElement(By.id("detail-title")).getText().equals("month-end#" + id));
            browser.click(By.id("detail-cancel"));
            browser.await(d -> task.status() == TaskStatus.CANCELLED ? true : null);
            browser.await(d -> d.findElement(By.id("notice")).getText().equals("cancel requested for " + id));
            assertThat(browser.script("return document.body.classList.contains('stale')")).isEqualTo(false);
        }
        finally {
            release.countDown();
        }
    }
}
