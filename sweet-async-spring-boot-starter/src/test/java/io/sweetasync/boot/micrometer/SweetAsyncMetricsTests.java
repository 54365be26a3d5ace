package io.sweetasync.boot.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterConfig;
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
}
