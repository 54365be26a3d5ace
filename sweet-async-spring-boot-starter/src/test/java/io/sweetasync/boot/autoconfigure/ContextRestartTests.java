package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.actuate.AsyncLimitsEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A context closed and a new one refreshed in the same JVM, as DevTools restarts and cached test contexts do,
 * or a refresh that fails half-way: nothing of the old one keeps running.
 */
class ContextRestartTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class, SweetAsyncAspectAutoConfiguration.class,
                    SweetAsyncMetricsAutoConfiguration.class, SweetAsyncEndpointsAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=asynctasks,asynclimits",
                    "sweet.async.runtimes.cpu.kind=platform", "sweet.async.runtimes.cpu.threads=2",
                    "sweet.async.runtimes.ui.kind=single", "sweet.async.groups.pricing.algorithm=aimd",
                    "sweet.async.resource-sampling=true");

    @Test
    @Timeout(120)
    void restartedContextsLeaveNoThreadsAndNoGlobalOfTheirOwnBehind() {
        Set<String> before = ownThreads();
        List<TaskOrchestrator> closed = new ArrayList<>();
        for (int restart = 0; restart < 3; restart++) {
            runner.withUserConfiguration(Jobs.class).run(context -> {
                TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
                closed.add(orchestrator);
                Jobs jobs = context.getBean(Jobs.class);
                assertThat(jobs.onPlatform()).startsWith("sweet-async-cpu");
                assertThat(jobs.onSingle()).startsWith("sweet-async-ui");
                assertThat(orchestrator.to(Integer.class).group("pricing").runtime("platform").await(() -> 1))
                        .isEqualTo(1);
                assertThat(context.getBean(AsyncLimitsEndpoint.class).limits(true)).isNotNull();
                assertThat(context.getBean(MeterRegistry.class).find("sweet.async.tasks").timers()).isNotEmpty();
                assertThat(ownThreads()).as("the context's own threads run").isNotEmpty();
            });
        }
        await().alias("no thread of a closed context runs").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(ownThreads()).isSubsetOf(before));
        assertThat(closed).doesNotContain(TaskOrchestrator.global());
        assertThat(TaskOrchestrator.global().isAccepting()).isTrue();
    }

    @Test
    @Timeout(120)
    void aRefreshThatFailsAfterTheOrchestratorRanTasksLeavesNoThreadsBehind() {
        Set<String> before = ownThreads();
        runner.withUserConfiguration(Jobs.class, FailingAfterTasks.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).isInstanceOf(BeanCreationException.class)
                    .hasMessageContaining("broken after its tasks");
        });
        await().alias("no thread of the failed context runs").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(ownThreads()).isSubsetOf(before));
    }

    /** Live platform threads the engine starts: its runtimes', the limiter history's, the JFR stream's. */
    private static Set<String> ownThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(thread -> thread.getName() + "@" + thread.threadId())
                .filter(name -> name.startsWith("sweet-async") || name.startsWith("JFR Event Stream"))
                .collect(Collectors.toSet());
    }

    static class Jobs {

        @AsyncTask(runtime = "cpu")
        public String onPlatform() {
            return Thread.currentThread().getName();
        }

        @AsyncTask(runtime = "ui")
        public String onSingle() {
            return Thread.currentThread().getName();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FailingAfterTasks {

        @Bean
        Object brokenAfterItsTasks(Jobs jobs) {
            jobs.onPlatform();
            jobs.onSingle();
            throw new IllegalStateException("broken after its tasks");
        }
    }
}
