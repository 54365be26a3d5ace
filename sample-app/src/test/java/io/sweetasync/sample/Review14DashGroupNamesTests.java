package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.LimiterHistory;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A group's chart leaves the page when the server no longer has that group (a restart with other groups, or
 * the groups no longer readable), whatever the group is called: a name such as {@code constructor} or
 * {@code toString} (groups are named by users, also from data) is a group like any other, not a property every
 * JavaScript object has.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.url=jdbc:h2:mem:review14-groups-${random.uuid};DB_CLOSE_DELAY=-1")
class Review14DashGroupNamesTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    @Autowired
    LimiterHistory history;

    @Test
    void aGroupNamedLikeAnObjectsPropertyLeavesThePageWhenTheServerNoLongerHasIt() throws Exception {
        List<String> names = List.of("constructor", "toString", "pricing");
        for (String group : names) {
            orchestrator.to(Integer.class).named("one").group(group).run(() -> 1).join();
        }
        try (Browser browser = Browser.open()) {
            browser.driver().get("http://localhost:" + port + "/sweet-async");
            for (String group : names) {
                browser.await(d -> d.findElements(By.cssSelector(".group[data-group='" + group + "']")).size() == 1);
            }
            // from now on the server's answers hold none of them (as after a restart with other groups)
            browser.script("""
                    const real = window.fetch;
                    window.fetch = async (url, options) => {
                      const response = await real(url, options);
                      if (!String(url).includes('asynclimits') || !response.ok) return response;
                      const json = await response.json();
                      for (const name of arguments[0]) delete json.groups[name];
                      return new Response(JSON.stringify(json), { status: response.status, headers: response.headers });
                    };""", names);
            browser.await(d -> d.findElements(By.cssSelector(".group[data-group='pricing']")).isEmpty());
            long polls = ((Number) browser.script("return window.sweetAsyncDashboard.polls")).longValue();
            browser.await(d -> ((Number) browser.script("return window.sweetAsyncDashboard.polls")).longValue() >= polls + 2);
            assertThat(browser.script("return Array.from(document.querySelectorAll('.group'), card => card.dataset.group)"))
                    .asList().doesNotContainAnyElementsOf(names);
        }
    }

    /**
     * A group that leaves the listed groups (the endpoint lists the first 50, the saturated first) and comes
     * back, as groups do when others become saturated, gets its chart from the server's samples of the last
     * minutes: it was drawn from nothing, one sample a second, though the server had kept its samples all along.
     */
    @Test
    void aGroupComingBackIntoTheListGetsTheServersSamplesForItsChart() throws Exception {
        orchestrator.to(Integer.class).named("one").group("returning").run(() -> 1).join();
        try (Browser browser = Browser.open()) {
            browser.driver().get("http://localhost:" + port + "/sweet-async");
            browser.await(d -> d.findElements(By.cssSelector(".group[data-group='returning']")).size() == 1);
            // the answers leave the group out, as when 50 others come before it, then list it again
            browser.script("""
                    window.hideReturning = true;
                    const real = window.fetch;
                    window.fetch = async (url, options) => {
                      const response = await real(url, options);
                      if (!window.hideReturning || !String(url).includes('asynclimits') || !response.ok) return response;
                      const json = await response.json();
                      delete json.groups.returning;
                      if (json.history) delete json.history.returning;
                      return new Response(JSON.stringify(json), { status: response.status, headers: response.headers });
                    };""");
            browser.await(d -> d.findElements(By.cssSelector(".group[data-group='returning']")).isEmpty());
            // past the page's pacing of its asks for samples (one per 5 s at most), which the first answer used
            long hidden = polls(browser);
            browser.await(d -> polls(browser) >= hidden + 6);
            // the server kept sampling the group all along (one sample a second, from its first task): at least 8
            // by now, far more than the page would have drawn from nothing in the two polls below. Waited for here,
            // while the page polls without the group, rather than before the page opened: the same samples.
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> history.samples().getOrDefault("returning", List.of()).size() >= 8);
            int kept = history.samples().get("returning").size();
            browser.script("window.hideReturning = false;");
            browser.await(d -> d.findElements(By.cssSelector(".group[data-group='returning']")).size() == 1);
            long back = polls(browser);
            browser.await(d -> polls(browser) >= back + 2);
            int samples = Integer.parseInt(browser.driver().findElement(By.cssSelector(".group[data-group='returning']"))
                    .getDomAttribute("data-samples"));
            assertThat(samples).as("the chart's samples two polls after the group came back").isGreaterThanOrEqualTo(kept);
        }
    }

    private static long polls(Browser browser) {
        return ((Number) browser.script("return window.sweetAsyncDashboard.polls")).longValue();
    }
}
