package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.AsyncTask;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterSnapshot;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class SweetAsyncAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncAutoConfiguration.class));

    @Test
    void providesAnOrchestratorThatIsGlobalWhileTheContextRuns() {
        TaskOrchestrator[] seen = new TaskOrchestrator[1];
        runner.run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            seen[0] = orchestrator;
            assertThat(TaskOrchestrator.global()).isSameAs(orchestrator);
            assertThat(AsyncTask.to(String.class).await(() -> "ran")).isEqualTo("ran");
            assertThat(orchestrator.recent()).hasSize(1);
        });
        assertThat(TaskOrchestrator.global()).isNotSameAs(seen[0]);
        assertThat(seen[0].isAccepting()).as("shut down with the context").isFalse();
    }

    @Test
    void backsOffWhenTheUserDefinesAnOrchestrator() {
        runner.withUserConfiguration(UserOrchestrator.class).run(context -> {
            assertThat(context).hasSingleBean(TaskOrchestrator.class);
            assertThat(context.getBean(TaskOrchestrator.class)).isSameAs(context.getBean("myOrchestrator"));
            assertThat(TaskOrchestrator.global()).isSameAs(context.getBean(TaskOrchestrator.class));
        });
    }

    @Test
    void propertiesConfigureRuntimesGroupsDefaultsAndHistory() {
        runner.withPropertyValues("sweet.async.runtimes.cpu.kind=platform", "sweet.async.runtimes.cpu.threads=3",
                "sweet.async.runtimes.ui.kind=single", "sweet.async.default-runtime=cpu",
                "sweet.async.default-timeout=2s", "sweet.async.default-retry.max-retries=2",
                "sweet.async.default-retry.initial-delay=1ms", "sweet.async.default-retry.max-delay=2ms",
                "sweet.async.groups.pricing.algorithm=vegas", "sweet.async.groups.pricing.initial-limit=5",
                "sweet.async.groups.pricing.max-limit=9", "sweet.async.groups.pricing.queue-capacity=7",
                "sweet.async.history-size=3", "sweet.async.resource-sampling=false")
                .run(context -> {
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    TaskRuntime cpu = orchestrator.runtimes().get("cpu");
                    assertThat(cpu.kind()).isEqualTo(TaskRuntime.Kind.PLATFORM);
                    assertThat(cpu.parallelism()).isEqualTo(3);
                    assertThat(orchestrator.runtimes().get("ui").kind()).isEqualTo(TaskRuntime.Kind.SINGLE);
                    assertThat(orchestrator.to(String.class).await(() -> Thread.currentThread().getName()))
                            .startsWith("sweet-async-cpu-");
                    SpawningTask<Integer> flaky = orchestrator.to(Integer.class).run(() -> {
                        throw new IllegalStateException("always");
                    });
                    flaky.result();
                    assertThat(flaky.info().attempts()).as("default retry: 2 retries").isEqualTo(3);
                    SpawningTask<Integer> slow = orchestrator.to(Integer.class).run(() -> {
                        Thread.sleep(Long.MAX_VALUE);
                        return 1;
                    });
                    slow.result();
                    assertThat(slow.status()).isEqualTo(TaskStatus.TIMED_OUT);
                    LimiterSnapshot pricing = orchestrator.limiters().getFirst();
                    assertThat(pricing.group()).isEqualTo("pricing");
                    assertThat(pricing.algorithm()).isEqualTo(LimitAlgorithm.VEGAS);
                    assertThat(pricing.limit()).isEqualTo(5);
                    assertThat(pricing.queueCapacity()).isEqualTo(7);
                    for (int i = 0; i < 5; i++) {
                        orchestrator.to(Integer.class).runtime("virtual").retry(RetryPolicy.none()).await(() -> 1);
                    }
                    assertThat(orchestrator.recent()).hasSize(3);
                    assertThat(orchestrator.resourceTracking()).isEqualTo(io.sweetasync.ResourceTracking.MEASURE);
                });
    }

    @Test
    void badValuesStopStartUpNamingThePropertyTheValueAndTheFix() {
        assertFailure("sweet.async.default-timeout=-5s", "sweet.async.default-timeout", "-5s", "positive duration");
        assertFailure("sweet.async.groups.pricing.max-wait=-1s", "sweet.async.groups.pricing.max-wait", "-1s",
                "a duration such as 2s");
        assertFailure("sweet.async.default-runtime=gpu", "sweet.async.default-runtime", "gpu",
                "[platform, single, virtual]");
        assertFailure(new String[] { "sweet.async.groups.g.min-limit=10", "sweet.async.groups.g.max-limit=5",
                "sweet.async.groups.g.initial-limit=7" }, "sweet.async.groups.g.max-limit", "5", "at least min-limit");
        assertFailure("sweet.async.runtimes.cpu.threads=0", "sweet.async.runtimes.cpu.threads", "0", "positive number");
        // A pool starts every thread at first use: the report names the value and the bound, not "rename the runtime".
        assertFailure("sweet.async.runtimes.cpu.threads=100000", "sweet.async.runtimes.cpu.threads", "100000",
                "use fewer threads");
    }

    /** The bad values a new user writes first: a limit of 0 or -1, negative sizes and durations. */
    @Test
    void aZeroOrNegativeLimitSizeOrDurationStopsStartUpNamingIt() {
        assertFailure("sweet.async.groups.x.max-limit=0", "sweet.async.groups.x.max-limit", "0", "at least min-limit");
        assertFailure("sweet.async.groups.x.max-limit=-1", "sweet.async.groups.x.max-limit", "-1", "at least min-limit");
        assertFailure("sweet.async.groups.x.min-limit=0", "sweet.async.groups.x.min-limit", "0", "use 1 or more");
        assertFailure("sweet.async.groups.x.queue-capacity=-1", "sweet.async.groups.x.queue-capacity", "-1",
                "use 0 to reject at the limit");
        assertFailure("sweet.async.history-size=-1", "sweet.async.history-size", "-1", "use 0 to keep no history");
        assertFailure("sweet.async.shutdown.grace=-1s", "sweet.async.shutdown.grace", "-1s", "such as 30s");
        // "also for the store's and the cluster's settings while they are off"
        assertFailure("sweet.async.store.lease=-30s", "sweet.async.store.lease", "-30s", "in that range");
        assertFailure("sweet.async.cluster.port=0", "sweet.async.cluster.port", "0", "1 to 65535");
    }

    /** A group name the engine refuses (over 100 characters) is reported as the property it came from. */
    @Test
    void aGroupNameTheEngineRefusesStopsStartUpNamingTheProperty() {
        String name = "g".repeat(101);
        assertFailure("sweet.async.groups." + name + ".max-limit=5", "sweet.async.groups." + name, name,
                "1 to 100 characters");
    }

    @Test
    void anInitialLimitLeftAtItsDefaultFollowsTheRangeSetAndOneSetOutsideItStopsStartUp() {
        runner.withPropertyValues("sweet.async.groups.small.max-limit=5", "sweet.async.groups.big.min-limit=30",
                "sweet.async.groups.fixed.algorithm=fixed", "sweet.async.groups.fixed.max-limit=3").run(context -> {
                    assertThat(context).hasNotFailed();
                    java.util.Map<String, Integer> limits = new java.util.HashMap<>();
                    context.getBean(TaskOrchestrator.class).limiters().forEach(l -> limits.put(l.group(), l.limit()));
                    assertThat(limits).containsEntry("small", 5).containsEntry("big", 30).containsEntry("fixed", 3);
                });
        assertFailure(new String[] { "sweet.async.groups.g.max-limit=5", "sweet.async.groups.g.initial-limit=20" },
                "sweet.async.groups.g.initial-limit", "20", "inside that range");
    }

    @Test
    void aBuiltInRuntimeCannotChangeItsKindAndOnlyPlatformRuntimesHaveThreads() {
        // runtimes.virtual.threads=100 made the default runtime a pool of 100 platform threads, silently
        // and the refusal named runtimes.virtual.kind=platform, which nobody wrote: it names the threads now
        assertFailure("sweet.async.runtimes.virtual.threads=100", "sweet.async.runtimes.virtual.threads", "100",
                "remove it");
        assertFailure("sweet.async.runtimes.single.threads=4", "sweet.async.runtimes.single.threads", "4",
                "sweet.async.runtimes.platform.threads");
        assertFailure("sweet.async.runtimes.platform.kind=single", "sweet.async.runtimes.platform.kind", "single",
                "another name");
        assertFailure(new String[] { "sweet.async.runtimes.io.kind=virtual", "sweet.async.runtimes.io.threads=50" },
                "sweet.async.runtimes.io.threads", "50", "use kind platform");
        runner.withPropertyValues("sweet.async.runtimes.platform.threads=3", "sweet.async.runtimes.virtual.kind=virtual")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void badRetrySettingsStopStartUpAlsoWhileRetriesAreOff() {
        // max-retries defaults to 0: the settings beside it were not looked at, so jitter=2 started silently
        assertFailure("sweet.async.default-retry.jitter=2", "sweet.async.default-retry.jitter", "2", "0.2");
        // NaN passed both comparisons and failed later, in RetryPolicy, naming no property
        assertFailure("sweet.async.default-retry.jitter=NaN", "sweet.async.default-retry.jitter", "NaN", "0.2");
        assertFailure(new String[] { "sweet.async.default-retry.initial-delay=5s",
                "sweet.async.default-retry.max-delay=1s" }, "sweet.async.default-retry.max-delay", "1s",
                "lower initial-delay");
    }

    /**
     * Only initial-delay set, above max-delay's default of 2 s: start-up failed naming max-delay, a property the
     * user never set ("it must not be less than initial-delay"). Unset, max-delay follows the initial delay.
     */
    @Test
    void aLongInitialDelayAloneIsTheLongestDelayToo() {
        runner.withPropertyValues("sweet.async.default-retry.max-retries=2", "sweet.async.default-retry.initial-delay=5s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                    java.util.List<java.time.Duration> delays = new java.util.concurrent.CopyOnWriteArrayList<>();
                    CountDownLatch retrying = new CountDownLatch(1);
                    orchestrator.addListener(new io.sweetasync.TaskListener() {
                        @Override
                        public void onRetrying(io.sweetasync.TaskInfo task, Throwable error, java.time.Duration delay) {
                            delays.add(delay);
                            retrying.countDown();
                        }
                    });
                    SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
                        throw new java.io.IOException("transient");
                    });
                    assertThat(retrying.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                    task.cancel();
                    assertThat(delays).containsExactly(java.time.Duration.ofSeconds(5));
                });
        // set explicitly below it, it is still refused, naming it
        assertFailure(new String[] { "sweet.async.default-retry.initial-delay=5s",
                "sweet.async.default-retry.max-delay=2s" }, "sweet.async.default-retry.max-delay", "2s",
                "lower initial-delay");
    }

    @Test
    void aNegativeRetryDelayStopsStartUpNamingThatProperty() {
        // SPEC 4: invalid values fail start-up with a clear message naming the property
        assertFailure(new String[] { "sweet.async.default-retry.max-retries=2",
                "sweet.async.default-retry.initial-delay=-1s" }, "sweet.async.default-retry.initial-delay", "-1s",
                "a duration such as 100ms");
    }

    @Test
    void anUnknownAlgorithmFailsBindingNamingThePropertyAndValue() {
        // Boot's own bind failure analysis renders this exception, listing the enum's valid values.
        runner.withPropertyValues("sweet.async.groups.g.algorithm=fastest").run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            while (failure != null && !(failure instanceof org.springframework.boot.context.properties.bind.BindException)) {
                failure = failure.getCause();
            }
            assertThat(failure).isNotNull();
            var bind = (org.springframework.boot.context.properties.bind.BindException) failure;
            assertThat(bind.getProperty().getName()).hasToString("sweet.async.groups.g.algorithm");
            assertThat(bind.getProperty().getValue()).isEqualTo("fastest");
            assertThat(bind.getTarget().getType().resolve()).isEqualTo(LimitAlgorithm.class);
        });
    }

    private void assertFailure(String property, String name, String value, String fix) {
        assertFailure(new String[] { property }, name, value, fix);
    }

    private void assertFailure(String[] properties, String name, String value, String fix) {
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new SweetAsyncPropertyFailureAnalyzer(environment(properties))
                    .analyze(context.getStartupFailure());
            assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
            assertThat(analysis.getDescription()).contains("'" + name + "'").contains("'" + value + "'");
            assertThat(analysis.getAction()).contains(name).contains(fix);
        });
    }

    /** The environment the failed context had: its properties as written. */
    private static MockEnvironment environment(String[] properties) {
        MockEnvironment environment = new MockEnvironment();
        for (String property : properties) {
            int equals = property.indexOf('=');
            environment.setProperty(property.substring(0, equals), property.substring(equals + 1));
        }
        return environment;
    }

    @Test
    void shutdownWaitsForRunningTasksWithinTheGraceThenCancelsTheRest() {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<?>[] tasks = new SpawningTask<?>[2];
        runner.withPropertyValues("sweet.async.shutdown.grace=200ms").run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            tasks[0] = orchestrator.to(Integer.class).named("finishes").run(() -> {
                release.await();
                return 1;
            });
            tasks[1] = orchestrator.to(Integer.class).named("stuck").run(() -> {
                Thread.sleep(Long.MAX_VALUE);
                return 2;
            });
            Thread.ofVirtual().start(() -> {
                while (orchestrator.isAccepting()) {
                    Thread.onSpinWait();
                }
                release.countDown();
            });
        });
        assertThat(tasks[0].status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(tasks[1].status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Configuration(proxyBeanMethods = false)
    static class UserOrchestrator {

        @Bean(destroyMethod = "close")
        TaskOrchestrator myOrchestrator() {
            return TaskOrchestrator.builder().historySize(5).build();
        }
    }
}
