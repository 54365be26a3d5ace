package io.sweetasync.boot.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.AsyncLimitsEndpoint;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint;
import io.sweetasync.boot.actuate.LimitersHealthIndicator;
import io.sweetasync.boot.micrometer.SweetAsyncMetrics;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tasks of every ending (completed, failed, retried, timed out while running or while queued, cancelled before or
 * while running, rejected by a full group queue, with children, chained, after another) made from several threads at
 * once, pipelines and runaways among them, with the starter's propagators, Micrometer's meter handler and the binder,
 * while every meter, both endpoints and the health indicator are read over and over: no read fails or is negative
 * (Micrometer's own long task timers aside: their duration counts a sample started during the read as negative),
 * and once they all ended, every
 * observation started was stopped exactly once, no long task timer sample is left, each task is in both timers once,
 * and the gauges are back to zero.
 */
class Review14ObsChurnTests {

    @Test
    @Timeout(180)
    void everyEndingOfEveryTaskStopsItsObservationOnceAndTheMetersSettle() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        Map<Observation.Context, AtomicInteger> starts = new ConcurrentHashMap<>();
        Map<Observation.Context, AtomicInteger> stops = new ConcurrentHashMap<>();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters))
                .observationHandler(new ObservationHandler<>() {
                    @Override
                    public boolean supportsContext(Observation.Context context) {
                        return true;
                    }

                    @Override
                    public void onStart(Observation.Context context) {
                        starts.computeIfAbsent(context, key -> new AtomicInteger()).incrementAndGet();
                    }

                    @Override
                    public void onStop(Observation.Context context) {
                        stops.computeIfAbsent(context, key -> new AtomicInteger()).incrementAndGet();
                    }
                });
        AtomicInteger created = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        ObservationContextPropagator propagator = new ObservationContextPropagator(() -> observations, null);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("narrow", LimiterConfig.defaults().withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED)
                        .withLimits(1, 1, 1).withQueueCapacity(2))
                .contextPropagator(new MicrometerContextPropagator(ContextSnapshotFactory.builder().clearMissing(true).build()))
                .contextPropagator(propagator)
                .listener(new TaskListener() {
                    @Override
                    public void onCreated(TaskInfo task) {
                        created.incrementAndGet();
                    }

                    @Override
                    public void onFinished(TaskInfo task) {
                        finished.incrementAndGet();
                    }
                }).build()) {
            new SweetAsyncMetrics(orchestrator).bindTo(meters);
            AsyncTasksEndpoint tasks = new AsyncTasksEndpoint(orchestrator);
            AsyncLimitsEndpoint limits = new AsyncLimitsEndpoint(orchestrator);
            LimitersHealthIndicator health = new LimitersHealthIndicator(orchestrator);
            List<Throwable> scrapeFailures = new CopyOnWriteArrayList<>();
            List<String> negative = new CopyOnWriteArrayList<>();
            AtomicBoolean churning = new AtomicBoolean(true);
            Thread scraper = Thread.ofPlatform().start(() -> {
                while (churning.get()) {
                    try {
                        for (Meter meter : meters.getMeters()) {
                            if (meter instanceof LongTaskTimer) {
                                // Micrometer's own DefaultLongTaskTimer (made by its meter handler, not by us) reads
                                // the clock first and then walks its samples: one started in between counts as
                                // negative time (seen on CI: DURATION < 0 for a sample started mid-read)
                                continue;
                            }
                            for (Measurement measurement : meter.measure()) {
                                if (measurement.getValue() < 0) {
                                    negative.add(meter.getId() + " " + measurement);
                                }
                            }
                        }
                        tasks.tasks(null, null, null, null, 5, 2, null);
                        limits.limits(true);
                        health.health();
                    }
                    catch (Throwable ex) {
                        scrapeFailures.add(ex);
                    }
                }
            });
            List<Thread> makers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                makers.add(Thread.ofPlatform().start(() -> {
                    List<SpawningTask<?>> mine = new ArrayList<>();
                    for (int i = 0; i < 300; i++) {
                        mine.add(one(orchestrator, ThreadLocalRandom.current().nextInt(13)));
                    }
                    mine.forEach(SpawningTask::result);
                }));
            }
            for (Thread maker : makers) {
                maker.join();
            }
            churning.set(false);
            scraper.join();
            assertThat(scrapeFailures).as("scrapes that failed").isEmpty();
            assertThat(negative).as("negative measurements").isEmpty();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(orchestrator.liveCount()).as("live tasks").isZero();
                assertThat(orchestrator.runawayCount()).as("runaways").isZero();
                assertThat(finished.get()).as("finished tasks").isEqualTo(created.get());
                assertThat(meters.get("sweet.async.task.active").longTaskTimer().activeTasks())
                        .as("long task timer samples left").isZero();
                assertThat(stops.keySet()).as("observations stopped").isEqualTo(starts.keySet());
            });
            assertThat(starts.values()).as("starts per observation").allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(stops.values()).as("stops per observation").allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(starts).as("one observation per task").hasSize(created.get());
            assertThat(propagator.live).as("observations kept as parents").isEmpty();
            assertThat(meters.get("sweet.async.tasks").timers().stream().mapToLong(Timer::count).sum())
                    .as("tasks in sweet.async.tasks").isEqualTo(created.get());
            assertThat(meters.get("sweet.async.task").timers().stream().mapToLong(Timer::count).sum())
                    .as("tasks in sweet.async.task").isEqualTo(created.get());
            assertThat(meters.get("sweet.async.tasks.active").gauge().value()).isZero();
            assertThat(meters.get("sweet.async.tasks.queued").gauge().value()).isZero();
            assertThat(meters.get("sweet.async.limit.inflight").tag("group", "narrow").gauge().value()).isZero();
            assertThat(meters.get("sweet.async.limit.queued").tag("group", "narrow").gauge().value()).isZero();
        }
    }

    private static SpawningTask<?> one(TaskOrchestrator orchestrator, int kind) {
        return switch (kind) {
            case 0 -> orchestrator.to(Integer.class).named("ok").run(() -> 1);
            case 1 -> orchestrator.to(Integer.class).named("fails").run(() -> {
                throw new IOException("no");
            });
            case 2 -> orchestrator.to(Integer.class).named("retried").retry(RetryPolicy.fixed(2, Duration.ofMillis(1)))
                    .run(() -> {
                        if (TaskContext.current().orElseThrow().attempt() < 3) {
                            throw new IOException("again");
                        }
                        return 1;
                    });
            case 3 -> orchestrator.to(Integer.class).named("slow").timeout(Duration.ofMillis(5)).run(() -> {
                Thread.sleep(60_000);
                return 1;
            });
            case 4 -> {
                SpawningTask<Integer> task = orchestrator.to(Integer.class).named("cancelled").run(() -> {
                    Thread.sleep(60_000);
                    return 1;
                });
                task.cancel();
                yield task;
            }
            case 5 -> orchestrator.to(Integer.class).named("narrow").group("narrow").timeout(Duration.ofMillis(20))
                    .run(() -> {
                        Thread.sleep(5);
                        return 1;
                    });
            case 6 -> orchestrator.to(Integer.class).named("parent").run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                for (int i = 0; i < 3; i++) {
                    context.child(Integer.class).named("child").run(() -> 2);
                }
                context.child(Integer.class).named("child").timeout(Duration.ofMillis(2)).run(() -> {
                    Thread.sleep(60_000);
                    return 2;
                });
                context.joinChildren();
                return 1;
            });
            case 7 -> orchestrator.to(Integer.class).named("up").run(() -> 1).chain(value -> value + 1);
            case 8 -> {
                SpawningTask<Integer> up = orchestrator.to(Integer.class).named("up").run(() -> {
                    Thread.sleep(1);
                    return 1;
                });
                yield orchestrator.to(Integer.class).named("after").after(up).run(() -> 2);
            }
            case 9 -> orchestrator.to(Integer.class).named("fallback").timeout(Duration.ofMillis(3))
                    .fallback(error -> 0).run(() -> {
                        Thread.sleep(60_000);
                        return 1;
                    });
            case 10 -> orchestrator.emits(Integer.class).named("pipe").bufferSize(2)
                    .sender(emitter -> emitter.emitAll(List.of(1, 2, 3, 4, 5, 6)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.sequence(),
                            event.data()))
                    .run();
            case 11 -> orchestrator.to(Integer.class).named("runaway").timeout(Duration.ofMillis(3)).run(() -> {
                long until = System.nanoTime() + 20_000_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // ignores the interrupt
                }
                return 1;
            });
            default -> {
                SpawningTask<Integer> task = orchestrator.to(Integer.class).named("racing").run(() -> 1);
                task.cancel();
                yield task;
            }
        };
    }
}
