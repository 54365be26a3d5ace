package io.sweetasync.boot.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SweetAsyncMetrics as a plain MeterBinder, outside Spring Boot. */
class SweetAsyncMetricsTests {

    /**
     * A {@code MeterBinder} may be bound to several registries (one per monitoring system, without a
     * composite): each gets every meter, and each task is counted once in each.
     */
    @Test
    @Timeout(60)
    void boundToTwoRegistriesEachCountsEveryTaskOnce() {
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().group("pricing", LimiterConfig.defaults())
                .build()) {
            SweetAsyncMetrics metrics = new SweetAsyncMetrics(orchestrator);
            metrics.bindTo(first);
            metrics.bindTo(second);
            orchestrator.to(Integer.class).named("quote").group("pricing").await(() -> 1);
            orchestrator.to(Integer.class).named("quote").group("late").await(() -> 1);
            for (SimpleMeterRegistry registry : new SimpleMeterRegistry[] { first, second }) {
                assertThat(registry.get("sweet.async.tasks").tag("name", "quote").timers().stream()
                        .mapToLong(timer -> timer.count()).sum()).as("tasks counted").isEqualTo(2);
                assertThat(registry.find("sweet.async.limit").tag("group", "pricing").gauge()).as("pricing limit")
                        .isNotNull();
                assertThat(registry.find("sweet.async.limit").tag("group", "late").gauge()).as("late limit")
                        .isNotNull();
                assertThat(registry.find("sweet.async.tasks.active").gauge()).isNotNull();
            }
        }
    }

    /**
     * {@code sweet.async.stream.buffered} is right per name, and a scrape reads the live tasks once for all the
     * names' gauges: each gauge walked (and snapshot) every live task, names x live tasks per scrape.
     */
    @Test
    @Timeout(60)
    void bufferedEventsOfEveryPipelineNameAreReadInOneWalkPerScrape() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            SweetAsyncMetrics metrics = new SweetAsyncMetrics(orchestrator);
            metrics.bindTo(registry);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger snapshots = new AtomicInteger();
            CountDownLatch watched = new CountDownLatch(1);
            SpawningTask<Void> watcher = orchestrator.to(Void.class).named("watcher").run(() -> {
                TaskContext.current().orElseThrow().progress("reads", snapshots::incrementAndGet);
                watched.countDown();
                release.await();
                return null;
            });
            watched.await();
            List<EmittingTask<Integer, Integer>> pipelines = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int events = 5 + i;
                pipelines.add(orchestrator.emits(Integer.class).named("import-" + i).bufferSize(64)
                        .sender(emitter -> emitter.emitAll(IntStream.range(0, events).boxed()))
                        .receiver((event, collector) -> release.await()) // holds one event, the rest stay buffered
                        .run());
            }
            for (int i = 0; i < 10; i++) {
                int index = i;
                await().alias("import-" + i + " emitted").atMost(Duration.ofSeconds(30))
                        .until(() -> pipelines.get(index).progress().emitted() == 5 + index);
            }
            Thread.sleep(300); // past the gauges' shared walk of a previous read, if any
            snapshots.set(0);
            for (int i = 0; i < 10; i++) {
                assertThat(registry.get("sweet.async.stream.buffered").tag("name", "import-" + i).gauge().value())
                        .as("import-" + i).isEqualTo(5 + i - 1);
            }
            assertThat(snapshots.get()).as("live-task walks for ten gauges").isBetween(1, 2);
            release.countDown();
            watcher.join();
            pipelines.forEach(EmittingTask::join);
        }
    }
}
