package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The dashboard's Cancel racing the task's own end, in a real (headless) Chromium: the endpoint saw the task
 * live, its cancel came too late, and it answered {@code cancelled:false}, which the page worded "is already ending
 * otherwise (timed out or rejected)" for a task that had completed. The page says it has already finished, and
 * how.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoint.asynctasks.access=unrestricted",
                "spring.datasource.url=jdbc:h2:mem:dashboard-race-${random.uuid};DB_CLOSE_DELAY=-1" })
class DashboardCancelRaceBrowserTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    /**
     * The race made certain: the task's progress value, read when the cancel request looks at the task (after its
     * status, which says it runs), lets the body return and waits until the task has ended; the page's polls read
     * it as any value.
     */
    @Test
    @Timeout(180)
    void aCancelThatLosesToTheTasksEndSaysTheTaskHasFinished() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch published = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        AtomicBoolean raced = new AtomicBoolean();
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("racing").run(() -> {
            TaskContext.current().orElseThrow().progress("rows", () -> {
                if (isCancelRequest() && raced.compareAndSet(false, true)) {
                    release.countDown();
                    try {
                        ended.await(60, TimeUnit.SECONDS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
                return 1;
            });
            published.countDown();
            release.await();
            return 1;
        });
        task.toCompletableFuture().whenComplete((value, failure) -> ended.countDown());
        assertThat(published.await(60, TimeUnit.SECONDS)).isTrue();
        String id = task.id().toString();
        try (Browser browser = Browser.open()) {
            browser.driver().get("http://localhost:" + port + "/sweet-async");
            String button = "#tree button.cancel[data-id='" + id + "']";
            browser.await(d -> d.findElement(By.cssSelector(button)).isDisplayed());
            browser.click(By.cssSelector(button));
            browser.await(d -> !d.findElement(By.id("notice")).getText().isEmpty());
            assertThat(raced).as("the cancel raced the task's end").isTrue();
            assertThat(browser.driver().findElement(By.id("notice")).getText())
                    .isEqualTo(id + " has already finished (COMPLETED)");
        }
        finally {
            release.countDown();
        }
    }

    private static boolean isCancelRequest() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            HttpServletRequest request = attributes.getRequest();
            return "DELETE".equals(request.getMethod()) || "POST".equals(request.getMethod());
        }
        return false;
    }
}
