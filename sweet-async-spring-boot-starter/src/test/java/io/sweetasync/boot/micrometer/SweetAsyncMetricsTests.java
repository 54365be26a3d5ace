package io.sweetasync.boot.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sweetasync.ResourceValue;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
     * Bound after more than the core's 1000 names had resource totals (a registry made late), the core's own
     * overflow bucket, {@code (other)}, sorts first among the names and took one of the 200 tag values: the
     * names beyond the bounds were split between {@code name="(other)"} and {@code name="other"}, where the
     * README promises {@code other} alone.
     */
    @Test
    @Timeout(60)
    void boundLateTheCoresOverflowBucketCountsUnderOther() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            for (int i = 0; i < 1010; i++) {
                orchestrator.to(Integer.class).named("job-" + i).runtime("platform").await(() -> 1);
            }
            new SweetAsyncMetrics(orchestrator).bindTo(registry);
            assertThat(registry.get("sweet.async.tasks.cpu").functionCounters())
                    .extracting(counter -> counter.getId().getTag("name"))
                    .as("the name tags of the resource totals").contains("other").doesNotContain("(other)")
                    .hasSizeLessThanOrEqualTo(SweetAsyncMetrics.MAX_NAMES + 1);
        }
    }

    /**
     * A runaway (timed out, its body ignoring the interrupt) has no final CPU or allocation figure when it
     * finishes: they are {@code PENDING} until its body returns, then announced through
     * {@code onResourcesUpdated}, and the per-task distributions record them then, once.
     */
    @Test
    @Timeout(120)
    void aRunawaysMeasuredFiguresAreRecordedOnceTheyAreFinal() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            new SweetAsyncMetrics(orchestrator).bindTo(registry);
            AtomicReference<TaskInfo> finished = new AtomicReference<>();
            AtomicReference<TaskInfo> updated = new AtomicReference<>();
            orchestrator.addListener(new TaskListener() { // after the metrics' listener: it has recorded
                @Override
                public void onFinished(TaskInfo task) {
                    finished.set(task);
                }

                @Override
                public void onResourcesUpdated(TaskInfo task) {
                    updated.set(task);
                }
            });
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> runaway = orchestrator.to(Integer.class).named("runaway").runtime("platform")
                    .timeout(Duration.ofSeconds(1)).run(() -> {
                        double v = 0;
                        while (release.getCount() > 0) { // ignores its interrupt
                            v += Math.sqrt(v + 1);
                        }
                        return v > 0 ? 1 : 0;
                    });
            await().alias("the task timed out, its body still running").atMost(Duration.ofSeconds(60))
                    .until(() -> finished.get() != null && !orchestrator.runaways().isEmpty());
            assertThat(finished.get().metrics().cpuTimeNanos().source()).as("CPU when it finished")
                    .isEqualTo(ResourceValue.Source.PENDING);
            assertThat(registry.find("sweet.async.task.cpu").tag("name", "runaway").summary())
                    .as("CPU recorded while pending").isNull();
            release.countDown();
            await().alias("the runaway's final figures announced").atMost(Duration.ofSeconds(60))
                    .until(() -> updated.get() != null);
            assertThat(updated.get().metrics().cpuTimeNanos().source()).as("announced CPU")
                    .isEqualTo(ResourceValue.Source.MEASURED);
            assertThat(registry.get("sweet.async.task.cpu").tag("name", "runaway").summary().count())
                    .as("CPU recorded").isEqualTo(1);
            assertThat(registry.get("sweet.async.task.allocated").tag("name", "runaway").summary().count())
                    .as("allocation recorded").isEqualTo(1);
            assertThat(runaway.status().name()).isEqualTo("TIMED_OUT");
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
            // each (serial) receiver counts down as it holds its first event: until then that event is buffered
            CountDownLatch holding = new CountDownLatch(10);
            for (int i = 0; i < 10; i++) {
                int events = 5 + i;
                pipelines.add(orchestrator.emits(Integer.class).named("import-" + i).bufferSize(64)
                        .sender(emitter -> emitter.emitAll(IntStream.range(0, events).boxed()))
                        .receiver((event, collector) -> { // holds one event, the rest stay buffered
                            holding.countDown();
                            release.await();
                        })
                        .run());
            }
            for (int i = 0; i < 10; i++) {
                int index = i;
                await().alias("import-" + i + " emitted").atMost(Duration.ofSeconds(30))
                        .until(() -> pipelines.get(index).progress().emitted() == 5 + index);
            }
            assertThat(holding.await(30, TimeUnit.SECONDS)).as("every receiver holds an event").isTrue();
            // One walk answers the gauges for FRESH (PipelineFigures.FRESH_NANOS) from its start, so reads spread
            // over more than that on a loaded machine make one more walk per FRESH elapsed; a walk per gauge (ten)
            // is never allowed: reads too slow to tell that apart are made again.
            long fresh = TimeUnit.MILLISECONDS.toNanos(200);
            for (int round = 1;; round++) {
                Thread.sleep(300); // past the gauges' shared walk of a previous read, if any
                snapshots.set(0);
                long start = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    assertThat(registry.get("sweet.async.stream.buffered").tag("name", "import-" + i).gauge().value())
                            .as("import-" + i).isEqualTo(5 + i - 1);
                }
                long walksTheirTimeAllows = 1 + (System.nanoTime() - start) / fresh;
                if (walksTheirTimeAllows < 10) {
                    assertThat(snapshots.get()).as("live-task walks for ten gauges read in %s windows of %s ms",
                            walksTheirTimeAllows, TimeUnit.NANOSECONDS.toMillis(fresh))
                            .isBetween(1, (int) Math.max(2, walksTheirTimeAllows));
                    break;
                }
                assertThat(round).as("rounds of ten gauge reads, each too slow to tell one walk from ten")
                        .isLessThan(5);
            }
            release.countDown();
            watcher.join();
            pipelines.forEach(EmittingTask::join);
        }
    }
}
