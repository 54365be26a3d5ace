package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import java.util.List;
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
}
