package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.ContextPropagator;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.TaskCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code /actuator/asynctasks} answers when nobody bounds it: monitoring scrapes it and people curl it
 * without a {@code limit}.
 */
class Review21ActBoundsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
                    HttpMessageConvertersAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
                    WebMvcAutoConfiguration.class, EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class,
                    ManagementContextAutoConfiguration.class, ServletManagementContextAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class, SweetAsyncEndpointsAutoConfiguration.class,
                    SweetAsyncDashboardAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=asynctasks,asynclimits",
                    "management.endpoint.asynctasks.access=UNRESTRICTED", "sweet.async.history-size=300");

    private static MockMvc mvc(AssertableWebApplicationContext context) {
        return MockMvcBuilders.webAppContextSetup(context.getSourceApplicationContext()).build();
    }

    private static MockHttpServletResponse call(MockMvc mvc, RequestBuilder request) throws Exception {
        return mvc.perform(request).andReturn().getResponse();
    }

    /**
     * Without {@code limit} the live and recent lists were whole, and so was every node's children: 150 live
     * trees, a root with 150 children and 150 recent roots were all answered (100,000 live tasks: tens of
     * megabytes a request). Now 100 of each, as Spring Boot's own {@code httpexchanges} keeps, with the counts
     * of all beside them ({@code liveRoots}, {@code recentRoots}, {@code childCount}); an explicit limit up to
     * 1000 still lists more.
     */
    @Test
    @Timeout(120)
    void withoutALimitTheListsAndChildrenAreAHundredAndCountedAll() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            for (int i = 0; i < 150; i++) {
                orchestrator.to(Integer.class).named("done").await(() -> 1);
            }
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(150 + 149);
            SpawningTask<Integer> fan = orchestrator.to(Integer.class).named("fan-out").run(() -> {
                TaskContext task = TaskContext.current().orElseThrow();
                for (int i = 0; i < 150; i++) {
                    task.child(Integer.class).named("part").run(() -> {
                        running.countDown();
                        release.await();
                        return 1;
                    });
                }
                task.joinChildren();
                return 0;
            });
            List<SpawningTask<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 149; i++) {
                others.add(orchestrator.to(Integer.class).named("other").run(() -> {
                    running.countDown();
                    release.await();
                    return 1;
                }));
            }
            try {
                assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
                String answer = call(mvc, get("/actuator/asynctasks")).getContentAsString();
                assertThat(count(answer, "\"name\":\"other\"")).as("live roots listed without a limit").isEqualTo(99);
                assertThat(count(answer, "\"name\":\"part\"")).as("children of one node listed").isEqualTo(100);
                assertThat(count(answer, "\"name\":\"done\"")).as("recent roots listed (and in history, 50)")
                        .isEqualTo(100 + 50);
                assertThat(answer).contains("\"liveRoots\":150", "\"recentRoots\":150", "\"childCount\":150");

                String explicit = call(mvc, get("/actuator/asynctasks").param("limit", "1000")).getContentAsString();
                assertThat(count(explicit, "\"name\":\"other\"")).as("an explicit limit lists more").isEqualTo(149);
                assertThat(count(explicit, "\"name\":\"part\"")).isEqualTo(150);

                AsyncTasksEndpoint endpoint = context.getBean(AsyncTasksEndpoint.class);
                assertThat(endpoint.tasks().live()).as("the Java call as the web one").hasSize(100);
                assertThat(endpoint.task(fan.id().toString()).children()).as("one task: its children whole")
                        .hasSize(150);
            }
            finally {
                release.countDown();
            }
            fan.join();
        });
    }

    /**
     * In a cluster, each member's live trees ({@code members}) and the stitched forest ({@code cluster}) are
     * bounded as {@code live} is, and counted: the page's member table showed how many trees it was sent, not how
     * many there are.
     */
    @Test
    @Timeout(120)
    void theMembersAndClusterListsAreBoundedAndCountedAsLiveIs() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(150);
            for (int i = 0; i < 150; i++) {
                orchestrator.to(Integer.class).named("other").run(() -> {
                    running.countDown();
                    release.await();
                    return 1;
                });
            }
            try {
                assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
                AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator, new OneMember(orchestrator));
                JsonNode tasks = JSON.valueToTree(endpoint.tasks());
                assertThat(tasks.get("members").get(0).get("live").size()).isEqualTo(100);
                assertThat(tasks.get("members").get(0).path("liveRoots").asInt()).isEqualTo(150);
                assertThat(tasks.get("cluster").size()).isEqualTo(100);
                assertThat(tasks.path("clusterRoots").asInt()).isEqualTo(150);
                JsonNode ten = JSON.valueToTree(endpoint.tasks(10));
                assertThat(ten.get("members").get(0).get("live").size()).isEqualTo(10);
                assertThat(ten.get("members").get(0).path("liveRoots").asInt()).isEqualTo(150);
                assertThat(ten.get("cluster").size()).isEqualTo(10);
            }
            finally {
                release.countDown();
            }
        }
    }

    /**
     * A task may carry 1,000 tags of 1,000 characters and publish 1,000 progress values: every list its descriptor
     * appeared in carried all of them (a megabyte per task, at every poll of the page, whatever the
     * {@code limit}). A listed descriptor carries the first 20 tags, each value cut at 200 characters with its
     * length, and the first 20 progress values, with {@code tagCount} and {@code progressCount} counting them all;
     * the one-task answer shows the task's own tags and progress whole.
     */
    @Test
    @Timeout(120)
    void aListedTaskCarriesItsFirstTagsCutAndItsFirstProgressValuesWithTheirCounts() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch publishing = new CountDownLatch(1);
            SpawningTaskBuilder<Integer> builder = orchestrator.to(Integer.class).named("tagged");
            for (int i = 0; i < 1_000; i++) {
                builder = builder.tag("tag-" + i, (char) ('a' + i % 26) + "v".repeat(999));
            }
            SpawningTask<Integer> tagged = builder.run(() -> {
                TaskContext task = TaskContext.current().orElseThrow();
                for (int i = 0; i < 1_000; i++) {
                    long value = i;
                    task.progress("rows-" + i, () -> value);
                }
                publishing.countDown();
                release.await();
                return 1;
            });
            try {
                assertThat(publishing.await(60, TimeUnit.SECONDS)).isTrue();
                String poll = call(mvc, get("/actuator/asynctasks").param("limit", "50").param("depth", "1"))
                        .getContentAsString();
                assertThat(count(poll, "\"tag-")).as("tags listed").isEqualTo(20);
                assertThat(poll).contains("\"tag-0\":\"a" + "v".repeat(199) + "\u2026 (1000 characters)\"")
                        .contains("\"tagCount\":1000").doesNotContain("v".repeat(200));
                assertThat(count(poll, "\"rows-")).as("progress values listed").isEqualTo(20);
                assertThat(poll).contains("\"progressCount\":1000").hasSizeLessThan(30_000);
                String plain = call(mvc, get("/actuator/asynctasks")).getContentAsString();
                assertThat(count(plain, "\"tag-")).as("tags listed without a limit").isEqualTo(20);

                String detail = call(mvc, get("/actuator/asynctasks/{id}", tagged.id().toString()).param("limit", "0"))
                        .getContentAsString();
                assertThat(count(detail, "\"tag-")).as("the task's own answer: every tag").isEqualTo(1_000);
                assertThat(detail).contains("\"tag-999\":\"l" + "v".repeat(999) + "\"");
                assertThat(count(detail, "\"rows-")).as("and every progress value").isEqualTo(1_000);
            }
            finally {
                release.countDown();
            }
            tagged.join();
        });
    }

    /**
     * A cancel racing the task's own end: the endpoint found the task live, then its cancel came too late, and the
     * answer was 200 {@code cancelled:false} alone, which the page words as "ending otherwise (timed out or
     * rejected)" for a task that had completed. The answer carries the task's status then ({@code COMPLETED}),
     * and the page words a terminal status as "already finished". The race is made certain: the task is held in its
     * end, its status decided ({@code COMPLETED}) but its end not complete (it is still live), by a context
     * propagator's {@code finished} callback, which lets it go once the cancel has answered. (It was made by a progress
     * value the endpoint read as it looked at the whole task before cancelling it; a cancel reads no snapshot now.)
     */
    @Test
    @Timeout(120)
    void aCancelThatLosesToTheTasksEndSaysHowItEnded() {
        CountDownLatch ending = new CountDownLatch(1);
        CountDownLatch answered = new CountDownLatch(1);
        ContextPropagator holdAtTheEnd = task -> new ContextPropagator.Captured() {

            @Override
            public ContextPropagator.Scope restore() {
                return () -> {
                };
            }

            @Override
            public void finished(TaskInfo info) {
                if ("racing".equals(info.name())) {
                    ending.countDown(); // its status is COMPLETED: the cancel comes now, too late
                    try {
                        answered.await(60, TimeUnit.SECONDS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        runner.withBean(ContextPropagator.class, () -> holdAtTheEnd).run(context -> {
            MockMvc mvc = mvc(context);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("racing").run(() -> {
                release.await();
                return 1;
            });
            MockHttpServletResponse cancel;
            try {
                release.countDown();
                assertThat(ending.await(60, TimeUnit.SECONDS)).isTrue();
                cancel = call(mvc, delete("/actuator/asynctasks/{id}", task.id().toString()));
            }
            finally {
                answered.countDown();
            }
            assertThat(cancel.getStatus()).isEqualTo(200);
            assertThat(cancel.getContentAsString()).contains("\"cancelled\":false")
                    .contains("\"status\":\"COMPLETED\"");
            assertThat(task.join()).isEqualTo(1);
            String page = call(mvc, get("/sweet-async/assets/dashboard.js")).getContentAsString();
            assertThat(page).as("the page words the answer from its status")
                    .contains("has already finished (${answer.status})");
        });
    }

    private static int count(String text, String what) {
        Matcher found = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (found.find()) {
            n++;
        }
        return n;
    }

    /** A cluster of one member, this orchestrator, and a second member with nothing live. */
    private record OneMember(TaskOrchestrator orchestrator) implements TaskCluster {

        @Override
        public void attach(ClusterHost host) {
        }

        @Override
        public long incarnation() {
            return 1;
        }

        @Override
        public String memberName() {
            return "here";
        }

        @Override
        public PlacedTask place(RemoteInvocation invocation) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<MemberSnapshot> members() {
            return List.of(new MemberSnapshot("here", true, orchestrator.roots(), List.of()),
                    new MemberSnapshot("there", false, List.of(), List.of()));
        }

        @Override
        public boolean cancel(TaskId id) {
            return false;
        }

        @Override
        public void detach() {
        }
    }
}
