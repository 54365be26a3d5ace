package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.actuate.web.ServletManagementContextAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * What the dashboard polls every second stays bounded however users shape their work.
 */
class Review20DashBoundsTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
                    HttpMessageConvertersAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
                    WebMvcAutoConfiguration.class, EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class,
                    ManagementContextAutoConfiguration.class, ServletManagementContextAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class, SweetAsyncEndpointsAutoConfiguration.class,
                    SweetAsyncDashboardAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=asynctasks,asynclimits",
                    "management.endpoint.asynctasks.access=UNRESTRICTED");

    private static MockMvc mvc(AssertableWebApplicationContext context) {
        return MockMvcBuilders.webAppContextSetup(context.getSourceApplicationContext()).build();
    }

    private static MockHttpServletResponse call(MockMvc mvc, RequestBuilder request) throws Exception {
        return mvc.perform(request).andReturn().getResponse();
    }

    /**
     * A fan-in: one task that starts after 5,000 others (merge the parts once all are done). Its snapshot lists
     * every task it waits for, and every poll of the dashboard ({@code ?limit=50&depth=1}), and every read of its
     * detail ({@code /{id}?limit=0}), answered all 5,000 ids: {@code limit} bounded every list of the answer but
     * that one. The answer lists at most {@code TaskDescriptor.MAX_DEPENDENCIES} of them and counts them all.
     */
    @Test
    @Timeout(120)
    void aFanInOfThousandsListsABoundedNumberOfTheTasksItWaitsFor() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            List<SpawningTask<?>> parts = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                parts.add(orchestrator.to(Integer.class).named("part").run(() -> 1));
            }
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch merging = new CountDownLatch(1);
            SpawningTask<Integer> merge = orchestrator.to(Integer.class).named("merge")
                    .after(parts.toArray(SpawningTask[]::new)).run(() -> {
                        merging.countDown();
                        release.await();
                        return 0;
                    });
            try {
                merging.await();
                String poll = call(mvc, get("/actuator/asynctasks").param("limit", "50").param("depth", "1"))
                        .getContentAsString();
                assertThat(mostDependenciesListed(poll)).as("ids listed as dependencies of a task, in the page's poll")
                        .isEqualTo(100);
                assertThat(poll).contains("\"dependencyCount\":5000");
                String detail = call(mvc, get("/actuator/asynctasks/{id}", merge.id().toString()).param("limit", "0"))
                        .getContentAsString();
                assertThat(mostDependenciesListed(detail)).as("in the task's detail").isEqualTo(100);
                assertThat(detail.length()).as("the task's detail, in characters").isLessThan(10_000);
                assertThat(detail).contains("\"dependencyCount\":5000").contains("\"" + parts.getFirst().id() + "\"");
            }
            finally {
                release.countDown();
            }
            merge.join();
        });
    }

    /**
     * Groups are made on first use and never removed: an application naming a group per tenant has thousands. The
     * dashboard read {@code asynclimits} every second and was answered every group (3,000 groups: about a megabyte
     * a second, and a chart drawn for each); the health check and the meters bound their groups, the page's poll
     * did not. {@code ?limit=n} lists at most {@code n} groups, the saturated ones first, and {@code groupCount}
     * counts them all; the page asks with its limit. A bad limit answers 400 naming it.
     */
    @Test
    @Timeout(120)
    void thePagesPollOfAGroupPerTenantListsABoundedNumberOfGroups() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            for (int i = 0; i < 3_000; i++) {
                orchestrator.to(Integer.class).named("bill").group("tenant-" + i).await(() -> 1);
            }
            MockHttpServletResponse poll = call(mvc, get("/actuator/asynclimits").param("limit", "50"));
            assertThat(poll.getStatus()).isEqualTo(200);
            assertThat(groupsListed(poll.getContentAsString())).as("groups in the page's poll").isEqualTo(50);
            assertThat(poll.getContentAsString()).contains("\"groupCount\":3000");
            assertThat(groupsListed(call(mvc, get("/actuator/asynclimits")).getContentAsString()))
                    .as("every group without a limit").isEqualTo(3_000);
            for (String bad : new String[] { "-1", "1001", "many" }) {
                MockHttpServletResponse refused = call(mvc, get("/actuator/asynclimits").param("limit", bad));
                assertThat(refused.getStatus()).as("limit=%s", bad).isEqualTo(400);
                assertThat(refused.getErrorMessage()).as("limit=%s", bad).contains("limit").contains(bad);
            }
            String page = call(mvc, get("/sweet-async/assets/dashboard.js")).getContentAsString();
            assertThat(page).as("the page asks for a bounded list").contains("config.limits + '?limit='");
        });
    }

    /**
     * A bad value is named in the 400's message as it is shown everywhere else (a number, a name): cut, and its
     * control characters shown as '?'. {@code status}, {@code since} and task ids were echoed whole, line breaks
     * and all (into the error answer and any log of it), and an empty id in {@code expand} was "not a task id:
     * ''", without saying which parameter held it.
     */
    @Test
    void aBadValueIsNamedCutAndPrintableAndSoIsItsParameter() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            String junk = "FAILED\r\nX-Injected: yes" + "x".repeat(5_000);
            for (String parameter : new String[] { "status", "since", "expand" }) {
                MockHttpServletResponse bad = call(mvc, get("/actuator/asynctasks").param(parameter, junk));
                assertThat(bad.getStatus()).as(parameter).isEqualTo(400);
                assertThat(bad.getErrorMessage()).as(parameter).startsWith(parameter).contains("FAILED??X-Injected")
                        .doesNotContain("\r", "\n").hasSizeLessThan(1_000);
            }
            MockHttpServletResponse id = call(mvc, get("/actuator/asynctasks/{id}", junk));
            assertThat(id.getStatus()).isEqualTo(400);
            assertThat(id.getErrorMessage()).contains("FAILED??X-Injected").doesNotContain("\r", "\n")
                    .hasSizeLessThan(1_000);
            MockHttpServletResponse empty = call(mvc, get("/actuator/asynctasks").param("expand", "1,,2"));
            assertThat(empty.getStatus()).isEqualTo(400);
            assertThat(empty.getErrorMessage()).startsWith("expand").contains("''");
        });
    }

    /** Groups described in an {@code asynclimits} answer: each has a queueCapacity. */
    private static int groupsListed(String answer) {
        return answer.split("\"queueCapacity\"", -1).length - 1;
    }

    /** The longest {@code dependencies} list in a JSON answer, in entries. */
    private static int mostDependenciesListed(String answer) {
        Matcher lists = Pattern.compile("\"dependencies\":\\[([^\\]]*)\\]").matcher(answer);
        int most = 0;
        while (lists.find()) {
            most = Math.max(most, lists.group(1).isEmpty() ? 0 : lists.group(1).split(",").length);
        }
        return most;
    }
}
