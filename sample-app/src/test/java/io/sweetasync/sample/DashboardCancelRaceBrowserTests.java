package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.ContextPropagator;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

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

    /** Lets the task's body return: counted down by the cancel request as it arrives. */
    static final CountDownLatch RELEASE = new CountDownLatch(1);
    /** The task's status is decided ({@code COMPLETED}) and its end held: it is still live. */
    static final CountDownLatch ENDING = new CountDownLatch(1);
    /** The cancel has answered: the task's end may complete. */
    static final CountDownLatch ANSWERED = new CountDownLatch(1);
    static final AtomicBoolean RACED = new AtomicBoolean();

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    /**
     * The race made certain: the cancel request, as it arrives (a servlet filter, before the endpoint), lets the body
     * return and waits until the task is held in its end by a context propagator's {@code finished} (its status
     * {@code COMPLETED}, still live), which lets it go once the cancel has answered. The page, meanwhile, showed the
     * task running with its Cancel button.
     */
    @Test
    @Timeout(180)
    void aCancelThatLosesToTheTasksEndSaysTheTaskHasFinished() throws Exception {
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("racing").run(() -> {
            RELEASE.await();
            return 1;
        });
        String id = task.id().toString();
        try (Browser browser = Browser.open()) {
            browser.driver().get("http://localhost:" + port + "/sweet-async");
            String button = "#tree button.cancel[data-id='" + id + "']";
            browser.await(d -> d.findElement(By.cssSelector(button)).isDisplayed());
            browser.click(By.cssSelector(button));
            browser.await(d -> !d.findElement(By.id("notice")).getText().isEmpty());
            assertThat(RACED).as("the cancel raced the task's end").isTrue();
            assertThat(browser.driver().findElement(By.id("notice")).getText())
                    .isEqualTo(id + " has already finished (COMPLETED)");
            assertThat(task.join()).isEqualTo(1);
        }
        finally {
            RELEASE.countDown();
            ANSWERED.countDown();
        }
    }

    @TestConfiguration
    static class Race {

        /** Holds the task "racing" in its end, its status decided, until the cancel has answered. */
        @Bean
        ContextPropagator holdAtTheEnd() {
            return task -> new ContextPropagator.Captured() {

                @Override
                public ContextPropagator.Scope restore() {
                    return () -> {
                    };
                }

                @Override
                public void finished(TaskInfo info) {
                    if ("racing".equals(info.name())) {
                        ENDING.countDown();
                        await(ANSWERED);
                    }
                }
            };
        }

        /** The cancel request, as it arrives: lets the task end, waits until it is held there, answers, then lets go. */
        @Bean
        FilterRegistrationBean<Filter> cancelRacesTheEnd() {
            Filter filter = (request, response, chain) -> {
                HttpServletRequest http = (HttpServletRequest) request;
                boolean cancel = ("DELETE".equals(http.getMethod()) || "POST".equals(http.getMethod()))
                        && http.getRequestURI().contains("/actuator/asynctasks/");
                if (!cancel || !RACED.compareAndSet(false, true)) {
                    chain.doFilter(request, response);
                    return;
                }
                RELEASE.countDown();
                await(ENDING);
                try {
                    chain.doFilter(request, response);
                }
                finally {
                    ANSWERED.countDown();
                }
            };
            return new FilterRegistrationBean<>(filter);
        }

        private static void await(CountDownLatch latch) {
            try {
                latch.await(60, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
