package io.sweetasync.boot.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sweetasync.TaskOrchestrator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code sweet.async.tasks.active} gauge (and {@code liveCount()}, which the {@code asynctasks} endpoint and the
 * health indicator show) scraped while short tasks churn: a task is counted on its creator's stripe and uncounted
 * on the stripe of the thread that finishes it, and a scrape reads the stripes one after the other, so a reader
 * descheduled between two stripes saw tasks uncounted whose counting it had already passed: fewer than no tasks
 * (-1 within two seconds before the fix). It churns for at most ten seconds; a negative reading ends it at once.
 */
class Review14ObsActiveGaugeTests {

    @Test
    @Timeout(120)
    void theActiveTasksGaugeNeverReadsNegativeWhileTasksChurn() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            new SweetAsyncMetrics(orchestrator).bindTo(registry);
            Gauge active = registry.get("sweet.async.tasks.active").gauge();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong lowest = new AtomicLong();
            CountDownLatch negativeSeen = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                threads.add(Thread.ofPlatform().name("creator-" + i).start(() -> {
                    while (!stop.get()) {
                        orchestrator.to(Integer.class).named("churn").await(() -> 1);
                    }
                }));
            }
            for (int i = 0; i < 2; i++) {
                threads.add(Thread.ofPlatform().name("scraper-" + i).start(() -> {
                    while (!stop.get()) {
                        double value = active.value();
                        double live = orchestrator.liveCount();
                        double lowestNow = Math.min(value, live);
                        if (lowestNow < 0) {
                            lowest.accumulateAndGet((long) lowestNow, Math::min);
                            negativeSeen.countDown();
                        }
                    }
                }));
            }
            negativeSeen.await(10, TimeUnit.SECONDS); // churns ten seconds at most: a negative reading ends it at once
            stop.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(lowest.get()).as("the lowest live task count scraped").isGreaterThanOrEqualTo(0);
        }
    }
}
