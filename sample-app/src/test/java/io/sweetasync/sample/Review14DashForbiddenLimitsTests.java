package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * The README: the page "reads the asynctasks and asynclimits endpoints from the browser, so the endpoints decide
 * what it shows: ... your security rules for the endpoints apply to its data", and the page, refused an endpoint,
 * says "the dashboard shows what that endpoint lets you read". A user whose security rules let them read the
 * task trees but not the groups' limits (a rule per endpoint, here a filter answering 403 for
 * {@code asynclimits}) must still see the trees, and be told the groups are not theirs to read.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.url=jdbc:h2:mem:review14-limits-${random.uuid};DB_CLOSE_DELAY=-1")
class Review14DashForbiddenLimitsTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    @TestConfiguration
    static class LimitsForbidden {

        /** What a security rule per endpoint answers this user for {@code asynclimits}. */
        @Bean
        Filter forbidAsyncLimits() {
            return (request, response, chain) -> {
                if (((HttpServletRequest) request).getRequestURI().startsWith("/actuator/asynclimits")) {
                    ((HttpServletResponse) response).sendError(403);
                    return;
                }
                chain.doFilter(request, response);
            };
        }
    }

    @Test
    void aUserWhoMayReadTheTreesButNotTheLimitsSeesTheTrees() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("quarterly-report").run(() -> {
            release.await();
            return 1;
        });
        String id = task.id().toString();
        try (Browser browser = Browser.open()) {
            browser.driver().get("http://localhost:" + port + "/sweet-async");
            browser.await(d -> d.findElement(By.cssSelector("#tree tr.task[data-id='" + id + "'] .name")).getText()
                    .equals("quarterly-report"));
            assertThat(browser.driver().findElement(By.id("summary")).getText()).contains("live tasks");
            assertThat(browser.script("return document.body.classList.contains('stale')")).isEqualTo(false);
            assertThat(browser.driver().findElement(By.id("no-groups")).getText())
                    .contains("asynclimits").contains("403");
            assertThat(browser.driver().findElements(By.cssSelector(".group"))).isEmpty();
        }
        finally {
            release.countDown();
        }
        task.join();
    }
}
