package io.sweetasync.boot.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.ReceivingStage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SPEC 4's stream meters as an outside test reads them: counters that count a pipeline's events as they happen. */
@Timeout(60)
class SpecConformanceStreamMetersTests {

    /**
     * SPEC 4: "stream counters (emitted, received, errors)". They were counters added to once, when a pipeline
     * ended: an import running for an hour showed nothing for an hour (the Grafana panel's
     * {@code rate(sweet_async_stream_received_events_total[...])} flat, then one spike), and one that never ends
     * never counted. They now count as the pipelines go, and still each event once: a pipeline read while it runs
     * and again at its end adds only what it counted in between.
     */
    @Test
    void streamCountersCountEventsWhileThePipelineRunsAndEachEventOnce() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            new SweetAsyncMetrics(orchestrator).bindTo(registry);
            CountDownLatch release = new CountDownLatch(1);
            // one instance of each list, as a reused pipeline sends them again
            List<Integer> first = IntStream.range(0, 10).boxed().toList();
            List<Integer> rest = IntStream.range(10, 100).boxed().toList();
            ReceivingStage<Integer, Object, Object> pipeline = orchestrator.emits(Integer.class).named("nightly-import")
                    .sender(emitter -> {
                        emitter.emitAll(first);
                        release.await();
                        emitter.emitAll(rest);
                    })
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        if (event.data() % 10 == 0) {
                            throw new IllegalStateException("row " + event.data() + " is invalid");
                        }
                        collector.collect(event.data(), event.data());
                    });
            EmittingTask<Integer, Integer> running = pipeline.run();
            try {
                await().alias("the first ten events and their error counted while the pipeline runs")
                        .atMost(Duration.ofSeconds(10)).until(() -> counted(registry, "emitted") == 10
                                && counted(registry, "received") == 10 && counted(registry, "errors") == 1);
            }
            finally {
                release.countDown();
            }
            running.join();
            pipeline.run().join();
            await().alias("both runs counted").atMost(Duration.ofSeconds(10))
                    .until(() -> counted(registry, "emitted") == 200);
            await().alias("every event counted once, however often the meters are read")
                    .during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(10))
                    .until(() -> counted(registry, "emitted") == 200 && counted(registry, "received") == 200
                            && counted(registry, "errors") == 20);
            assertThat(registry.get("sweet.async.stream.received").tag("name", "nightly-import").meter().getId()
                    .getBaseUnit()).isEqualTo("events");
        }
    }

    /**
     * The counters read while pipelines of one name run and end at the same time count each event once and never
     * go down: a pipeline counted from its progress by scrapes and again at its end adds only what it counted in
     * between.
     */
    @Test
    void scrapesRacingTheEndsOfManyPipelinesCountEachEventOnce() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            new SweetAsyncMetrics(orchestrator).bindTo(registry);
            ReceivingStage<Integer, Object, Object> pipeline = orchestrator.emits(Integer.class).named("nightly-import")
                    .bufferSize(8)
                    .sender(emitter -> {
                        for (int i = 0; i < 50; i++) {
                            emitter.emit(i);
                        }
                    })
                    .receiver((event, collector) -> {
                        if (event.data() == 0) {
                            throw new IllegalStateException("row 0 is invalid");
                        }
                        Thread.sleep(5); // the work: each run lasts past a scrape's walk of the live pipelines
                    });
            AtomicBoolean scraping = new AtomicBoolean(true);
            AtomicReference<Double> lastRead = new AtomicReference<>(0.0);
            AtomicBoolean wentDown = new AtomicBoolean();
            Thread scraper = Thread.ofPlatform().start(() -> {
                while (scraping.get()) {
                    double now = counted(registry, "received");
                    if (now < lastRead.getAndSet(now)) {
                        wentDown.set(true);
                    }
                    Thread.onSpinWait();
                }
            });
            try {
                List<EmittingTask<Object, Object>> runs = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    runs.add(pipeline.run());
                }
                runs.forEach(EmittingTask::join);
            }
            finally {
                scraping.set(false);
                scraper.join(Duration.ofSeconds(10));
            }
            await().alias("forty runs of fifty events counted once each").during(Duration.ofMillis(400))
                    .atMost(Duration.ofSeconds(10)).until(() -> counted(registry, "emitted") == 2_000
                            && counted(registry, "received") == 2_000 && counted(registry, "errors") == 40);
            assertThat(wentDown).as("a counter read lower than before").isFalse();
        }
    }

    /**
     * A pipeline that started before the meters were bound (one started while the application starts, before
     * Micrometer binds its binders, or a registry bound later than another) is counted as it runs, in every
     * registry: its name's stream meters were made only by a pipeline of that name starting or ending after the
     * binding, so an endless consumer started at start-up never had any, and a second registry showed none while
     * the first counted.
     */
    @Test
    void aPipelineStartedBeforeARegistryWasBoundIsCountedAsItRunsInEveryRegistry() throws Exception {
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> events = IntStream.range(0, 10).boxed().toList();
            EmittingTask<Object, Object> running = orchestrator.emits(Integer.class).named("nightly-import")
                    .sender(emitter -> {
                        emitter.emitAll(events);
                        release.await();
                    })
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            try {
                await().alias("the pipeline received its first ten events").atMost(Duration.ofSeconds(10))
                        .until(() -> orchestrator.liveTasks().stream().filter(SweetAsyncMetrics::isPipeline)
                                .anyMatch(task -> task.progress().getOrDefault("received", 0L) == 10));
                SweetAsyncMetrics metrics = new SweetAsyncMetrics(orchestrator);
                metrics.bindTo(first);
                metrics.bindTo(second);
                await().alias("the running pipeline counted in both registries").atMost(Duration.ofSeconds(10))
                        .until(() -> counted(first, "received") == 10 && counted(second, "received") == 10
                                && counted(first, "emitted") == 10 && counted(second, "emitted") == 10);
            }
            finally {
                release.countDown();
            }
            running.join();
            await().alias("each event once after the end").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10))
                    .until(() -> counted(first, "received") == 10 && counted(second, "received") == 10);
        }
    }

    /** The stream counter {@code figure} of the pipelines named {@code nightly-import}; 0 while it has no meter. */
    private static double counted(SimpleMeterRegistry registry, String figure) {
        Meter meter = registry.find("sweet.async.stream." + figure).tag("name", "nightly-import").meter();
        return meter == null ? 0 : meter.measure().iterator().next().getValue();
    }
}
