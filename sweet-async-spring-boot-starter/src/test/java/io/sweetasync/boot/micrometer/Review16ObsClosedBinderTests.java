package io.sweetasync.boot.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterConfig;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Outside Spring, an orchestrator closed and another made in its place, bound to the same registry (one that
 * outlives them): Micrometer hands back the meter already registered under a name and tags, so the new binder's
 * gauges were the closed orchestrator's (the active tasks read 0 while one ran), and past 200 task names the
 * registry kept the closed orchestrator, with its history and limiters, from being collected. Closing the binder
 * removes the meters that read it (in Spring the context closes the binder and its registries together).
 */
class Review16ObsClosedBinderTests {

    @Test
    @Timeout(60)
    void theNextOrchestratorsMetersReadItOnceTheClosedOnesBinderIsClosed() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TaskOrchestrator first = TaskOrchestrator.builder().group("pricing", LimiterConfig.defaults()).build();
                SweetAsyncMetrics metrics = new SweetAsyncMetrics(first)) {
            metrics.bindTo(registry);
            first.to(Integer.class).named("quote").group("pricing").await(() -> 1);
        }
        try (TaskOrchestrator second = TaskOrchestrator.builder().group("pricing", LimiterConfig.defaults()).build();
                SweetAsyncMetrics metrics = new SweetAsyncMetrics(second)) {
            metrics.bindTo(registry);
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> task = second.to(Integer.class).named("quote").group("pricing").run(() -> {
                running.countDown();
                release.await();
                return 1;
            });
            try {
                running.await();
                assertThat(registry.get("sweet.async.tasks.active").gauge().value()).as("active tasks").isEqualTo(1);
                assertThat(registry.get("sweet.async.limit.inflight").tag("group", "pricing").gauge().value())
                        .as("permits of the group held").isEqualTo(1);
            }
            finally {
                release.countDown();
                task.join();
            }
            assertThat(registry.get("sweet.async.tasks").tag("name", "quote").timer().count())
                    .as("the tasks of both, counted by the timer that stayed").isEqualTo(2);
        }
    }

    @Test
    @Timeout(120)
    void aClosedBindersOrchestratorIsNotKeptByTheRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WeakReference<TaskOrchestrator> closed = closedAfterManyNames(registry);
        await().alias("the closed orchestrator collected").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    System.gc();
                    return closed.get() == null;
                });
        assertThat(registry.find("sweet.async.tasks.active").gauges()).as("its gauges left the registry").isEmpty();
    }

    /** More names than the tag bound, so that an {@code other} resource total (which reads the binder) exists. */
    private static WeakReference<TaskOrchestrator> closedAfterManyNames(SimpleMeterRegistry registry) {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
        try (orchestrator; SweetAsyncMetrics metrics = new SweetAsyncMetrics(orchestrator)) {
            metrics.bindTo(registry);
            for (int i = 0; i <= SweetAsyncMetrics.MAX_NAMES; i++) {
                orchestrator.to(Integer.class).named("job-" + i).await(() -> 1);
            }
            assertThat(registry.get("sweet.async.tasks.cpu").tag("name", "other").functionCounter()).isNotNull();
        }
        return new WeakReference<>(orchestrator);
    }
}
