package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.AsyncLimitsEndpoint;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint;
import io.sweetasync.boot.actuate.LimiterHistory;
import io.sweetasync.boot.actuate.TaskDescriptor;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class SweetAsyncEndpointsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(SweetAsyncAutoConfiguration.class, SweetAsyncEndpointsAutoConfiguration.class));

    @Test
    void endpointsAreAvailableWhenExposed() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=asynctasks,asynclimits")
                .run(context -> {
                    assertThat(context).hasSingleBean(AsyncTasksEndpoint.class);
                    assertThat(context).hasSingleBean(AsyncLimitsEndpoint.class);
                });
    }

    @Test
    void endpointsAreAbsentWhenNotExposed() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(AsyncTasksEndpoint.class);
            assertThat(context).doesNotHaveBean(AsyncLimitsEndpoint.class);
        });
    }

    @Test
    void endpointsAreAbsentWhenTheirAccessIsNone() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=*",
                "management.endpoint.asynctasks.access=NONE", "management.endpoint.asynclimits.access=NONE")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(AsyncTasksEndpoint.class);
                    assertThat(context).doesNotHaveBean(AsyncLimitsEndpoint.class);
                });
    }

    @Test
    void userEndpointsWin() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=*")
                .withUserConfiguration(UserEndpoints.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(AsyncTasksEndpoint.class);
                    assertThat(context.getBean(AsyncTasksEndpoint.class)).isSameAs(context.getBean("myTasks"));
                    assertThat(context.getBean(AsyncLimitsEndpoint.class)).isSameAs(context.getBean("myLimits"));
                });
    }

    @Test
    void backsOffWithoutActuatorOnTheClasspath() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=*")
                .withClassLoader(new FilteredClassLoader(Endpoint.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(TaskOrchestrator.class);
                    assertThat(context).doesNotHaveBean(AsyncTasksEndpoint.class);
                });
    }

    @Test
    void tasksEndpointShowsLiveTreesRecentRootsAndCancels() throws Exception {
        runner.withPropertyValues("management.endpoints.web.exposure.include=*",
                "sweet.async.groups.pricing.max-limit=50").run(context -> {
            TaskOrchestrator orchestrator = context.getBean(TaskOrchestrator.class);
            AsyncTasksEndpoint endpoint = context.getBean(AsyncTasksEndpoint.class);
            orchestrator.to(String.class).named("done").tag("batch", "7").await(() -> "secret result");
            CountDownLatch running = new CountDownLatch(1);
            SpawningTask<Integer> parent = orchestrator.to(Integer.class).named("import").run(() -> {
                TaskContext.current().orElseThrow().child(Integer.class).named("chunk").group("pricing").run(() -> {
                    running.countDown();
                    Thread.sleep(Long.MAX_VALUE);
                    return 1;
                });
                return 0;
            });
            running.await();

            AsyncTasksEndpoint.TasksDescriptor tasks = endpoint.tasks(null);
            assertThat(tasks.live()).singleElement().satisfies(root -> {
                assertThat(root.name()).isEqualTo("import");
                assertThat(root.status()).isEqualTo("RUNNING");
                assertThat(root.children()).singleElement().satisfies(child -> {
                    assertThat(child.name()).isEqualTo("chunk");
                    assertThat(child.group()).isEqualTo("pricing");
                    assertThat(child.parentId()).isEqualTo(root.id());
                });
            });
            TaskDescriptor done = tasks.recent().getFirst();
            assertThat(done.name()).isEqualTo("done");
            assertThat(done.tags()).containsEntry("batch", "7");
            assertThat(done.toString()).as("never the task's result").doesNotContain("secret result");
            assertThat(done.resources()).containsKeys("cpuNanos", "allocatedBytes", "bytesRead", "bytesWritten");

            assertThat(endpoint.task(parent.id().toString(), null).children()).hasSize(1);
            assertThat(endpoint.task("999999", null)).isNull();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> endpoint.task("not-a-number", null))
                    .as("not an id: a bad request (400), not an unknown task")
                    .isInstanceOf(org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException.class)
                    .hasMessageContaining("'not-a-number'");

            // Without a store, the history is the finished roots in memory and their subtrees, filtered and paged.
            AsyncTasksEndpoint.HistoryDescriptor history = endpoint.tasks("completed", "done", "PT1H", 0, 10).history();
            assertThat(history.source()).isEqualTo("memory");
            assertThat(history.tasks()).extracting(TaskDescriptor::name).containsExactly("done");
            assertThat(endpoint.tasks("FAILED", "done", null, null, null).history().tasks()).isEmpty();
            assertThat(endpoint.tasks(null, null, "2999-01-01T00:00:00Z", null, null).history().tasks()).isEmpty();
            assertThat(endpoint.tasks(null, "done", null, 1, 10).history().tasks()).isEmpty();
            for (Object[] bad : new Object[][] { { "BOGUS", null, null, null }, { null, "yesterday", null, null },
                    { null, null, -1, null }, { null, null, null, -1 }, { null, null, null, 1001 } }) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> endpoint.tasks((String) bad[0], null,
                        (String) bad[1], (Integer) bad[2], (Integer) bad[3]))
                        .isInstanceOf(org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException.class)
                        .hasMessageContaining(String.valueOf(java.util.Arrays.stream(bad).filter(java.util.Objects::nonNull)
                                .findFirst().orElseThrow()));
            }

            assertThat(endpoint.cancel(parent.id().toString()).cancelled()).isTrue();
            parent.result();
            assertThat(endpoint.task(parent.id().toString(), null).status()).isEqualTo("CANCELLED");
            assertThat(endpoint.cancel(parent.id().toString())).as("finished: nothing to cancel").isNull();

            AsyncLimitsEndpoint.LimitsDescriptor limits = context.getBean(AsyncLimitsEndpoint.class).limits(null);
            assertThat(limits.groups()).containsKey("pricing");
            assertThat(limits.groups().get("pricing").algorithm()).isEqualTo("ADAPTIVE");
            assertThat(limits.groups().get("pricing").accepted()).isEqualTo(1);
            assertThat(limits.groups().get("pricing").phase()).as("one sample: still starting").isEqualTo("STARTUP");
            assertThat(limits.groups().get("pricing").estimatedCapacityPerSecond()).isZero();
            assertThat(limits.history()).as("only when asked for").isEmpty();
            assertThat(context).hasSingleBean(LimiterHistory.class);
            assertThat(context.getBean(LimiterHistory.class).isRunning()).isTrue();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class UserEndpoints {

        @Bean
        AsyncTasksEndpoint myTasks(TaskOrchestrator orchestrator) {
            return new AsyncTasksEndpoint(orchestrator);
        }

        @Bean
        AsyncLimitsEndpoint myLimits(TaskOrchestrator orchestrator) {
            return new AsyncLimitsEndpoint(orchestrator);
        }
    }
}
