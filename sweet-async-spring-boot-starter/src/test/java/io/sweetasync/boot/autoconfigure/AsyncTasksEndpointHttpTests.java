package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import java.util.concurrent.CountDownLatch;
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
 * The endpoints over HTTP with bad input: a malformed value answers 400 naming it (as the error's reason,
 * which {@code spring.web.error.include-message=always} shows), an unknown task 404, never a 500.
 */
class AsyncTasksEndpointHttpTests {

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

    @Test
    void malformedIdsAnswer400NamingTheId() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            for (String id : new String[] { "abc", "1-", "-1-2", "99999999999999999999-1", "0", "1-0", "8388608-1",
                    "1--1", "1-1-1" }) {
                MockHttpServletResponse read = call(mvc, get("/actuator/asynctasks/{id}", id));
                assertThat(read.getStatus()).as("GET %s", id).isEqualTo(400);
                assertThat(read.getErrorMessage()).as("GET %s", id).contains("'" + id + "'");
                MockHttpServletResponse cancel = call(mvc, delete("/actuator/asynctasks/{id}", id));
                assertThat(cancel.getStatus()).as("DELETE %s", id).isEqualTo(400);
                assertThat(cancel.getErrorMessage()).as("DELETE %s", id).contains("'" + id + "'");
            }
        });
    }

    @Test
    void unknownAndFinishedTasksAnswer404AndACancelCountsOnce() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            assertThat(call(mvc, get("/actuator/asynctasks/999-999")).getStatus()).isEqualTo(404);
            assertThat(call(mvc, get("/actuator/asynctasks/999999")).getStatus()).isEqualTo(404);
            assertThat(call(mvc, delete("/actuator/asynctasks/999-999")).getStatus()).isEqualTo(404);

            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CountDownLatch started = new CountDownLatch(1);
            SpawningTask<Integer> sleeper = orchestrator.to(Integer.class).named("sleeper").run(() -> {
                started.countDown();
                Thread.sleep(Long.MAX_VALUE);
                return 1;
            });
            started.await();
            String id = sleeper.id().toString();
            MockHttpServletResponse first = call(mvc, delete("/actuator/asynctasks/{id}", "+" + id));
            assertThat(first.getStatus()).isEqualTo(200);
            assertThat(first.getContentAsString()).as("the id as ids print, not as sent")
                    .contains("\"id\":\"" + id + "\"").contains("\"cancelled\":true");
            sleeper.result();
            assertThat(call(mvc, delete("/actuator/asynctasks/{id}", id)).getStatus()).as("twice").isEqualTo(404);
            assertThat(call(mvc, get("/actuator/asynctasks/{id}", id)).getContentAsString()).contains("CANCELLED");
            assertThat(call(mvc, get("/actuator/asynctasks/{id}", "#" + id)).getStatus()).as("#id, as paths print it")
                    .isEqualTo(200);
        });
    }

    @Test
    void badFiltersAnswer400NamingTheValue() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            String[][] cases = { { "status", "BOGUS" }, { "since", "garbage" }, { "since", "-PT1H" },
                    { "since", "2026-12-01" }, { "offset", "-1" }, { "limit", "-1" }, { "limit", "1001" } };
            for (String[] bad : cases) {
                MockHttpServletResponse response = call(mvc, get("/actuator/asynctasks").param(bad[0], bad[1]));
                assertThat(response.getStatus()).as("%s=%s", bad[0], bad[1]).isEqualTo(400);
                assertThat(response.getErrorMessage()).as("%s=%s", bad[0], bad[1]).contains(bad[1]);
            }
            MockHttpServletResponse longName = call(mvc, get("/actuator/asynctasks").param("name", "x".repeat(5000)));
            assertThat(longName.getStatus()).as("a name no task can have").isEqualTo(400);
            assertThat(longName.getErrorMessage()).contains("at most 100 characters").contains("5000 characters long")
                    .hasSizeLessThan(300);
            assertThat(call(mvc, get("/actuator/asynctasks").param("name", "x".repeat(100))).getStatus()).isEqualTo(200);
            MockHttpServletResponse nul = call(mvc, get("/actuator/asynctasks").param("name", "import\u0000s"));
            assertThat(nul.getStatus()).as("a NUL, which PostgreSQL refuses as text").isEqualTo(400);
            assertThat(nul.getErrorMessage()).contains("control characters").contains("import?s");
            for (String[] bad : new String[][] { { "limit", "abc" }, { "offset", "99999999999999999999" },
                    { "limit", "2147483648" } }) {
                assertThat(call(mvc, get("/actuator/asynctasks").param(bad[0], bad[1])).getStatus())
                        .as("%s=%s: not a number (or not an int)", bad[0], bad[1]).isEqualTo(400);
            }
        });
    }

    /**
     * A number parameter that is not a number ({@code depth=abc}) answers 400 naming the parameter and the value
     * (Actuator converted it before the endpoint saw it, and its reason said only "Parameter mapping failure").
     */
    @Test
    void aNumberParameterThatIsNotANumberAnswers400NamingIt() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            for (String parameter : new String[] { "limit", "offset", "depth" }) {
                MockHttpServletResponse response = call(mvc, get("/actuator/asynctasks").param(parameter, "abc"));
                assertThat(response.getStatus()).as(parameter).isEqualTo(400);
                assertThat(response.getErrorMessage()).as(parameter).contains(parameter).contains("abc");
            }
            MockHttpServletResponse one = call(mvc, get("/actuator/asynctasks/1-1").param("limit", "1e3"));
            assertThat(one.getStatus()).isEqualTo(400);
            assertThat(one.getErrorMessage()).isEqualTo("limit must be a whole number, was '1e3'");
            // numbers still reach the endpoint's own checks, and an absent task is still a 404
            assertThat(call(mvc, get("/actuator/asynctasks").param("limit", "-1")).getErrorMessage())
                    .isEqualTo("limit must be between 0 and 1000, was -1");
            assertThat(call(mvc, get("/actuator/asynctasks/1-1").param("limit", " 5 ")).getStatus()).isEqualTo(404);
            assertThat(call(mvc, get("/actuator/asynctasks").param("limit", "2").param("depth", "1")).getStatus())
                    .isEqualTo(200);
        });
    }

    @Test
    void aDurationReachingBeforeTheFirstInstantListsEverythingRatherThanFailing() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            context.getBean(TaskOrchestrator.class).to(String.class).named("done").await(() -> "x");
            for (String since : new String[] { "P400000000000D", "P106751991167300D", "PT2562047788015215H" }) {
                MockHttpServletResponse response = call(mvc, get("/actuator/asynctasks").param("since", since));
                assertThat(response.getStatus()).as(since).isEqualTo(200);
                assertThat(response.getContentAsString()).as(since).contains("\"name\":\"done\"");
            }
        });
    }

    @Test
    void aTasksLimitOutOfRangeAnswers400AsTheListsDoes() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            String id = context.getBean(TaskOrchestrator.class).to(String.class).named("done").run(() -> "x").id()
                    .toString();
            for (String limit : new String[] { "-5", "1001" }) {
                MockHttpServletResponse response = call(mvc, get("/actuator/asynctasks/{id}", id).param("limit", limit));
                assertThat(response.getStatus()).as("limit=%s", limit).isEqualTo(400);
                assertThat(response.getErrorMessage()).contains(limit);
            }
            assertThat(call(mvc, get("/actuator/asynctasks/{id}", id).param("limit", "0")).getStatus()).isEqualTo(200);
        });
    }

    /**
     * The dashboard's poll ({@code ?limit=50}, once a second) over 10,000 live tasks in a bushy tree (a root,
     * 21 children, 21 grandchildren each, 21 below each of those): the endpoint promises that {@code limit}
     * keeps the answer small enough for a page to poll with 10,000 tasks live.
     */
    @Test
    @Timeout(120)
    void thePagesPollOfTenThousandLiveTasksInABushyTreeStaysSmall() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(21 * 21 * 21);
            SpawningTask<Integer> root = orchestrator.to(Integer.class).named("bushy").run(() -> {
                fanOut(21, 3, running, release);
                return 0;
            });
            try {
                running.await();
                // as the page asks: roots with their children, and below them the children of the nodes opened
                String answer = call(mvc, get("/actuator/asynctasks").param("limit", "50").param("depth", "1"))
                        .getContentAsString();
                assertThat(described(answer)).as("tasks described in one poll: the root and its 21 children")
                        .isEqualTo(22);
                String child = orchestrator.roots().getFirst().children().get(3).id().toString();
                String grandchild = orchestrator.roots().getFirst().children().get(3).children().get(5).id().toString();
                String opened = call(mvc, get("/actuator/asynctasks").param("limit", "50").param("depth", "1")
                        .param("expand", child + "," + grandchild)).getContentAsString();
                assertThat(described(opened)).as("and the children of the two opened").isEqualTo(22 + 21 + 21);
                assertThat(call(mvc, get("/actuator/asynctasks").param("depth", "65")).getStatus()).isEqualTo(400);
                MockHttpServletResponse bad = call(mvc, get("/actuator/asynctasks").param("expand", child + ",x"));
                assertThat(bad.getStatus()).isEqualTo(400);
                assertThat(bad.getErrorMessage()).contains("'x'");
            }
            finally {
                release.countDown();
            }
            root.join();
        });
    }

    /**
     * A task failing with a megabyte of message (a response body, a dump) must not make every poll of the
     * dashboard a megabyte per list it appears in: the answer cuts a failure message as the task store keeps it
     * (2,000 characters, then its length), and the engine already quotes a cause's message up to 1,000 characters
     * (then how many more) in the task's failure, so the answer shows the engine's cut.
     */
    @Test
    void aHugeFailureMessageIsCutInTheAnswers() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            SpawningTask<Integer> loud = context.getBean(TaskOrchestrator.class).to(Integer.class).named("loud")
                    .run(() -> {
                        throw new IllegalStateException("x".repeat(1_000_000));
                    });
            loud.result();
            String poll = call(mvc, get("/actuator/asynctasks").param("limit", "50").param("depth", "1"))
                    .getContentAsString();
            assertThat(poll).as("in recent, failed and history").contains("(999000 more characters)")
                    .hasSizeLessThan(20_000);
            assertThat(call(mvc, get("/actuator/asynctasks/{id}", loud.id().toString())).getContentAsString())
                    .hasSizeLessThan(10_000);
        });
    }

    /**
     * Half of a surrogate pair (a string cut between the two chars of an emoji) in a task's name, tag or failure
     * message: the answer still comes (JSON escapes the half), rather than a 500 for every poll while the task
     * is listed.
     */
    @Test
    void aLoneSurrogateInANameTagOrFailureIsAnswered() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            SpawningTask<Integer> cut = context.getBean(TaskOrchestrator.class).to(Integer.class).named("cut\uD83D")
                    .tag("note", "\uDE00 left").run(() -> {
                        throw new IllegalStateException("price \uD83D");
                    });
            cut.result();
            MockHttpServletResponse poll = call(mvc, get("/actuator/asynctasks").param("limit", "50"));
            assertThat(poll.getStatus()).isEqualTo(200);
            assertThat(poll.getContentAsString()).contains("\"name\":\"cut");
            assertThat(call(mvc, get("/actuator/asynctasks/{id}", cut.id().toString())).getStatus()).isEqualTo(200);
        });
    }

    /** Tasks described in a JSON answer: each has a parentId (null or not). */
    private static int described(String answer) {
        return answer.split("\"parentId\"", -1).length - 1;
    }

    private static void fanOut(int width, int levels, CountDownLatch running, CountDownLatch release)
            throws Exception {
        TaskContext task = TaskContext.current().orElseThrow();
        for (int i = 0; i < width; i++) {
            task.child(Integer.class).named("part").run(() -> {
                if (levels > 1) {
                    fanOut(width, levels - 1, running, release);
                }
                else {
                    running.countDown();
                    release.await();
                }
                return 1;
            });
        }
        task.joinChildren();
    }

    @Test
    void limitsAnswer400ForABadFlagAnd404ForAnUnknownGroup() {
        runner.withPropertyValues("sweet.async.groups.pricing.max-limit=50").run(context -> {
            MockMvc mvc = mvc(context);
            assertThat(call(mvc, get("/actuator/asynclimits").param("history", "maybe")).getStatus()).isEqualTo(400);
            assertThat(call(mvc, get("/actuator/asynclimits/nope")).getStatus()).isEqualTo(404);
            assertThat(call(mvc, get("/actuator/asynclimits/pricing")).getStatus()).isEqualTo(200);
        });
    }

    /** {@code /asynclimits/{group}} reads any group a task may name, one with a slash or non-ASCII letters too. */
    @Test
    @Timeout(60)
    void aGroupWithASlashOrUnicodeInItsNameCanBeRead() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            orchestrator.to(Integer.class).named("pay").group("payments/eu").await(() -> 1);
            orchestrator.to(Integer.class).named("pay").group("zürich €").await(() -> 1);
            MockHttpServletResponse slash = call(mvc, get("/actuator/asynclimits/payments/eu"));
            assertThat(slash.getStatus()).isEqualTo(200);
            assertThat(slash.getContentAsString()).contains("\"limit\"");
            MockHttpServletResponse unicode = call(mvc, get("/actuator/asynclimits/{group}", "zürich €"));
            assertThat(unicode.getStatus()).isEqualTo(200);
            assertThat(call(mvc, get("/actuator/asynclimits/payments/us")).getStatus()).isEqualTo(404);
        });
    }

    @Test
    void theDashboardAnswersItsPageAndNothingBeyondItsAssets() {
        runner.run(context -> {
            MockMvc mvc = mvc(context);
            assertThat(call(mvc, get("/sweet-async")).getStatus()).isEqualTo(200);
            assertThat(call(mvc, get("/sweet-async/assets/dashboard.js")).getStatus()).isEqualTo(200);
            assertThat(call(mvc, get("/sweet-async/assets/nope.js")).getStatus()).isEqualTo(404);
            assertThat(call(mvc, get("/sweet-async/assets/%2e%2e/index.html")).getStatus()).isEqualTo(404);
        });
    }

    @Test
    void sinceFarBeforeOrAfterWhatTheStoreHoldsIsAnsweredFromTheStore() {
        new org.springframework.boot.test.context.runner.ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SweetAsyncStoreAutoConfiguration.class,
                        SweetAsyncAutoConfiguration.class, SweetAsyncEndpointsAutoConfiguration.class))
                .withBean(javax.sql.DataSource.class, () -> {
                    org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
                    h2.setURL("jdbc:h2:mem:endpoint-since-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
                    return h2;
                })
                .withPropertyValues("sweet.async.store.enabled=true", "sweet.async.store.flush-interval=20ms",
                        "management.endpoints.web.exposure.include=asynctasks")
                .run(context -> {
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    io.sweetasync.boot.actuate.AsyncTasksEndpoint endpoint =
                            context.getBean(io.sweetasync.boot.actuate.AsyncTasksEndpoint.class);
                    orchestrator.to(String.class).named("stored").await(() -> "x");
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> !endpoint
                            .tasks(null, "stored", null, null, null).history().tasks().isEmpty());
                    for (String since : new String[] { "-999999999-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
                            "P400000000000D" }) {
                        io.sweetasync.boot.actuate.AsyncTasksEndpoint.HistoryDescriptor history =
                                endpoint.tasks(null, "stored", since, null, null).history();
                        assertThat(history.source()).isEqualTo("store");
                        assertThat(history.tasks()).as("since %s: everything", since).hasSize(1);
                    }
                    assertThat(endpoint.tasks(null, "stored", "+999999999-12-31T23:59:59Z", null, null).history()
                            .tasks()).as("since the end of time: nothing").isEmpty();
                });
    }
}
