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
