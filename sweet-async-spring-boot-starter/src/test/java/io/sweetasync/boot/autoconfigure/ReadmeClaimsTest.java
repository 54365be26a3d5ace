package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint;
import io.sweetasync.boot.actuate.TaskDescriptor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

/** README sentences about the starter, checked as a new user would write the configuration. */
@ExtendWith(OutputCaptureExtension.class)
class ReadmeClaimsTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    /** Prints what a user would read, for the report. */
    private static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        System.out.println("README-CLAIM " + text);
        return text.toString();
    }

    // "A key under sweet.async that is none of these ... is named in a warning at start-up, with where it was written"
    @Test
    void aMisspelledPropertyIsNamedInAWarningAndDoesNotStopStartUp(CapturedOutput output) {
        runner.withPropertyValues("sweet.async.groups.pricing.max-limt=5", "sweet.async.default-timout=5s",
                "sweet.async.groups.pricing.max-limit=7").run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(limits(context.getBean(TaskOrchestrator.class))).containsEntry("pricing", 7);
                });
        assertThat(output).contains("unknown properties under sweet.async")
                .contains("sweet.async.groups.pricing.max-limt").contains("sweet.async.default-timout")
                .doesNotContain("sweet.async.groups.pricing.max-limit ");
    }

    @Test
    void knownPropertiesAloneWarnOfNothing(CapturedOutput output) {
        runner.withPropertyValues("sweet.async.groups.pricing.max-limit=7", "sweet.async.shutdown.grace=1s",
                "sweet.async.runtimes.cpu.kind=platform", "sweet.async.default-retry.max-retries=2")
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output).doesNotContain("under sweet.async");
    }

    // "not environment variables and system properties": an unrelated SWEET_ASYNC_* variable (the test suite's
    // SWEET_ASYNC_POSTGRES_URL, say) is not a misspelled setting
    @Test
    void environmentVariablesAreNotCheckedForUnknownKeys(CapturedOutput output) {
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new org.springframework.core.env.SystemEnvironmentPropertySource(
                        org.springframework.core.env.StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        Map.of("SWEET_ASYNC_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:55432/x"))))
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output).doesNotContain("under sweet.async");
    }

    private static Map<String, Integer> limits(TaskOrchestrator orchestrator) {
        Map<String, Integer> limits = new HashMap<>();
        orchestrator.limiters().forEach(l -> limits.put(l.group(), l.limit()));
        return limits;
    }

    @Test
    void badAnnotationAttributesStopStartUpNamingTheMethod() {
        for (Class<?> bean : java.util.List.of(NegativeRetries.class, NegativeBackoff.class, SlashName.class,
                ZeroTimeout.class)) {
            runner.withBean(bean).run(context -> {
                assertThat(context).as(bean.getSimpleName()).hasFailed();
                assertThat(describe(context.getStartupFailure())).contains(bean.getSimpleName() + ".call()");
            });
        }
        // the attribute the user wrote, not the retry policy's parameter ("initial must not be negative")
        runner.withBean(NegativeBackoff.class).run(context -> assertThat(context.getStartupFailure())
                .hasMessageContaining("retryBackoff '-1s'"));
    }

    static class NegativeRetries {
        @AsyncTask(retries = -2)
        public String call() {
            return "x";
        }
    }

    static class NegativeBackoff {
        @AsyncTask(retries = 1, retryBackoff = "-1s")
        public String call() {
            return "x";
        }
    }

    static class SlashName {
        @AsyncTask(name = "price/order")
        public String call() {
            return "x";
        }
    }

    static class ZeroTimeout {
        @AsyncTask(timeout = "0s")
        public String call() {
            return "x";
        }
    }

    // "sweet.async.cluster.members | 127.0.0.1 | members to join, each listed (...; a range such as 5701-5703 is
    // refused by Hazelcast)" and "A bad value stops start-up with a report naming the property, the value and the
    // fix, also for the store's and the cluster's settings while they are off": the range started the application
    // while the cluster was off, and with it on Hazelcast's "Node failed to start!" named no property
    @Test
    void aMemberPortRangeStopsStartUpNamingTheProperty() {
        String[] range = { "sweet.async.cluster.members=127.0.0.1:5701-5703" };
        runner.withPropertyValues(range).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new SweetAsyncPropertyFailureAnalyzer(environment(range))
                    .analyze(context.getStartupFailure());
            assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
            assertThat(analysis.getDescription()).contains("'sweet.async.cluster.members'")
                    .contains("'127.0.0.1:5701-5703'");
            assertThat(analysis.getAction()).contains("127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703");
        });
        runner.withPropertyValues("sweet.async.cluster.members=127.0.0.1:5701,localhost,[::1]:5702,::1,10.0.0.1")
                .run(context -> assertThat(context).hasNotFailed());
    }

    // "sweet.async.cluster.bind-address | all interfaces | address the embedded member binds to and announces" and
    // "A bad value stops start-up with a report naming the property, ... also for ... the cluster's settings while
    // they are off": an address with a port or a wildcard started while the cluster was off, and with it on failed
    // with Hazelcast's UnknownHostException naming no property
    @Test
    void aBindAddressThatIsNotOneAddressStopsStartUpNamingTheProperty() {
        for (String bad : List.of("127.0.0.1:5701", "10.0.0.*", "[::1]:5701", "a b", "127.0.0.1,10.0.0.1")) {
            String[] property = { "sweet.async.cluster.bind-address=" + bad };
            runner.withPropertyValues(property).run(context -> {
                assertThat(context).as(bad).hasFailed();
                FailureAnalysis analysis = new SweetAsyncPropertyFailureAnalyzer(environment(property))
                        .analyze(context.getStartupFailure());
                assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
                assertThat(analysis.getDescription()).contains("'sweet.async.cluster.bind-address'");
            });
        }
        for (String good : List.of("127.0.0.1", "localhost", "::1", "[::1]", "fe80::1%lo", "host-1.example.com")) {
            runner.withPropertyValues("sweet.async.cluster.bind-address=" + good)
                    .run(context -> assertThat(context).as(good).hasNotFailed());
        }
    }

    // "A bad value stops start-up with a report naming the property, the value and the fix, also for the store's
    // and the cluster's settings while they are off"; "flush-interval ... (at most a third of the lease)"
    @Test
    void badStoreSettingsStopStartUpNamingThePropertyAlsoWhileTheStoreIsOff() {
        assertAnalysis(new String[] { "sweet.async.store.table-prefix=Orders-" }, "sweet.async.store.table-prefix",
                "Orders-", "lower-case");
        assertAnalysis(new String[] { "sweet.async.store.flush-interval=20s" }, "sweet.async.store.flush-interval",
                "20s", "sweet.async.store.lease");
        assertAnalysis(new String[] { "sweet.async.store.lease=3s", "sweet.async.store.flush-interval=2s" },
                "sweet.async.store.flush-interval", "2s", "sweet.async.store.lease");
        assertAnalysis(new String[] { "sweet.async.store.unresolved-after=0s" }, "sweet.async.store.unresolved-after",
                "0s", "range");
        runner.withPropertyValues("sweet.async.store.lease=3s", "sweet.async.store.flush-interval=1s")
                .run(context -> assertThat(context).hasNotFailed());
    }

    private void assertAnalysis(String[] properties, String name, String value, String fix) {
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).as("%s", (Object) properties).hasFailed();
            FailureAnalysis analysis = new SweetAsyncPropertyFailureAnalyzer(environment(properties))
                    .analyze(context.getStartupFailure());
            assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
            System.out.println("README-CLAIM " + analysis.getDescription() + " / " + analysis.getAction());
            assertThat(analysis.getDescription()).contains("'" + name + "'").contains("'" + value + "'");
            assertThat(analysis.getAction()).contains(name).contains(fix);
        });
    }

    // "sweet.async.runtimes.<name>.kind / .threads | platform / cores | ... (runtimes.platform.threads=8 sizes the
    // built-in pool)"; "sweet.async.resource-sampling | true"; "sweet.async.history-size | 100"
    @Test
    void runtimePropertiesAndDefaultsAsTheTableSays() {
        runner.withPropertyValues("sweet.async.runtimes.cpu.threads=3", "sweet.async.runtimes.platform.threads=5",
                "sweet.async.runtimes.ui.kind=single", "sweet.async.runtimes.io.kind=virtual").run(context -> {
                    assertThat(context).hasNotFailed();
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    assertThat(orchestrator.runtimes().get("cpu").kind()).isEqualTo(io.sweetasync.TaskRuntime.Kind.PLATFORM);
                    assertThat(orchestrator.runtimes().get("cpu").parallelism()).isEqualTo(3);
                    assertThat(orchestrator.runtimes().get("platform").parallelism()).isEqualTo(5);
                    assertThat(orchestrator.runtimes().get("ui").kind()).isEqualTo(io.sweetasync.TaskRuntime.Kind.SINGLE);
                    assertThat(orchestrator.runtimes().get("io").kind()).isEqualTo(io.sweetasync.TaskRuntime.Kind.VIRTUAL);
                    assertThat(orchestrator.resourceTracking())
                            .isEqualTo(io.sweetasync.ResourceTracking.MEASURE_AND_SAMPLE);
                });
        runner.withPropertyValues("sweet.async.runtimes.extra.kind=platform").run(context -> assertThat(
                context.getBean(TaskOrchestrator.class).runtimes().get("extra").parallelism())
                .isEqualTo(Runtime.getRuntime().availableProcessors()));
    }

    // The README's Spring snippets: the qualified annotation beside the fluent API, and price/report/audit
    @Test
    void springSnippetsAsWritten() {
        runner.withBean(ReadmeSnippetBeans.Reports.class).withBean(ReadmeSnippetBeans.Pricing.class).run(context -> {
            assertThat(context).hasNotFailed();
            ReadmeSnippetBeans.Reports reports = context.getBean(ReadmeSnippetBeans.Reports.class);
            assertThat(reports.monthly(java.time.YearMonth.of(2026, 11)).text())
                    .isEqualTo("2026-11 by Reports.monthly");
            assertThat(reports.now().text()).endsWith("by report-now");

            ReadmeSnippetBeans.Pricing pricing = context.getBean(ReadmeSnippetBeans.Pricing.class);
            assertThat(pricing.price(new ReadmeSnippetBeans.Order("o-7")).cents()).isEqualTo(3);
            assertThat(pricing.calls()).isEqualTo(3);
            assertThat(context.getBean(TaskOrchestrator.class).limiters()).extracting(l -> l.group())
                    .contains("pricing");
            // "IOException rethrown as is"
            assertThat(catchThrowable(pricing::down)).isInstanceOf(java.io.IOException.class)
                    .hasMessage("still down");
            assertThat(pricing.report(java.time.Month.MAY).get(30, java.util.concurrent.TimeUnit.SECONDS).text())
                    .isEqualTo("MAY");
            pricing.audit(new ReadmeSnippetBeans.Event("ok"));
            pricing.audit(new ReadmeSnippetBeans.Event("bad"));
            org.awaitility.Awaitility.await().alias("both audits ran").atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> pricing.audited().size() == 2);
            assertThat(pricing.audited()).allMatch(entry -> entry.startsWith("Pricing.audit:"));
        });
    }

    // "sweet.async.default-retry.max-retries ... exponential retry of tasks that set none" beside
    // "@AsyncTask(retries = ...)": retries = 0 written on a method was retried twice under a default retry of 2
    // (0 was also the attribute's default, meaning "set none"), so a method could not opt out
    @Test
    void retriesZeroMeansNoneEvenUnderADefaultRetry() {
        runner.withBean(ReadmeSnippetBeans.NoRetries.class).withPropertyValues("sweet.async.default-retry.max-retries=2",
                "sweet.async.default-retry.initial-delay=1ms", "sweet.async.default-retry.max-delay=2ms").run(context -> {
                    ReadmeSnippetBeans.NoRetries bean = context.getBean(ReadmeSnippetBeans.NoRetries.class);
                    assertThat(catchThrowable(bean::once)).isInstanceOf(java.io.IOException.class);
                    assertThat(bean.calls()).as("retries = 0: one attempt").isEqualTo(1);
                    assertThat(catchThrowable(bean::byDefault)).isInstanceOf(java.io.IOException.class);
                    assertThat(bean.calls()).as("retries left out: the default retry's 3 attempts").isEqualTo(4);
                });
    }

    // "GET /actuator/asynctasks ... without it every list is whole (but the newest 20 failed tasks) ... a finished
    // task keeps the first 100 children of each node, and childStatuses counts those". The README said every list
    // was whole without a limit, and that childStatuses counted all children: neither held for finished tasks.
    @Test
    void asynctasksWithoutALimitListsTwentyFailedAndAFinishedTreeKeepsAHundredChildrenPerNode() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            for (int i = 0; i < 25; i++) {
                orchestrator.to(Integer.class).named("broken").awaitResult(() -> {
                    throw new IllegalStateException("no price");
                }, result -> result);
            }
            SpawningTask<Integer> parent = orchestrator.to(Integer.class).named("fan-out").run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                for (int i = 0; i < 150; i++) {
                    context.child(Integer.class).named("part").run(() -> 1);
                }
                context.joinChildren();
                return 0;
            });
            parent.join();
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator);

            AsyncTasksEndpoint.TasksDescriptor tasks = endpoint.tasks();
            assertThat(tasks.recent()).hasSize(26);
            assertThat(tasks.failed()).as("the newest failed tasks, without a limit").hasSize(20)
                    .allMatch(task -> task.name().equals("broken"));
            assertThat(tasks.history().tasks()).as("the history page without a limit").hasSize(50);
            TaskDescriptor finished = endpoint.task(parent.id().toString());
            assertThat(finished.childCount()).isEqualTo(150);
            assertThat(finished.children()).as("a finished task's children kept").hasSize(100);
            assertThat(finished.childStatuses()).isEqualTo(Map.of("COMPLETED", 100));
        }
    }

    private static MockEnvironment environment(String[] properties) {
        MockEnvironment environment = new MockEnvironment();
        for (String property : properties) {
            int equals = property.indexOf('=');
            environment.setProperty(property.substring(0, equals), property.substring(equals + 1));
        }
        return environment;
    }
}
