package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A third hostile round against pipelines: what the earlier rounds left open. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineRound3Test {

    private static final Duration CEILING = Duration.ofSeconds(20);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("wide", 4))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /**
     * ErrorStrategy.withRetry: each failed event is retried "before it counts as an error". But an event's
     * collector is shared by all its attempts and what a failed attempt collected stays collected
     * (ReceiveAttempts' invariant): an event that fails once and then succeeds still has the failed
     * attempt's collectError in errors(), its stale value in the results stream (15 entries for 10 events) and,
     * had it used another key, in collected() for good. Under stopOnFirst the failed attempt's
     * collectError stops the pipeline although the retry would have succeeded. Keeping it is at-least-once
     * output; discarding a retried attempt's output (staging it per attempt) is what "retried before it
     * counts" reads as. Observed today: errors() has 5 entries (events 0, 2, 4, 6, 8).
     */
    @Test
    @Disabled("decision: a retried event's attempts share its collector and what a failed attempt collected stays"
            + " (results stream as they are collected: at least once); EventCollector, ErrorStrategy.withRetry and"
            + " the README say so. Staging results per attempt would hold the stream back until an event's attempts end")
    void whatAFailedAttemptCollectedIsGoneOnceItsRetrySucceeds() {
        Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
        FinalEvent<Integer, Integer> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.emits(Integer.class)
                .named("retried-partial").runtime("wide")
                .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(3, Duration.ZERO)))
                .sender(emitter -> {
                    for (int i = 0; i < 10; i++) {
                        emitter.emit(i);
                    }
                })
                .receiver((event, collector) -> {
                    int attempt = attempts.computeIfAbsent(event.data(), key -> new AtomicInteger()).incrementAndGet();
                    if (event.data() % 2 == 0 && attempt == 1) {
                        collector.collect(-1 - event.data(), -1); // a key only the failed attempt uses
                        collector.collectError(event.data(), new IllegalStateException("half-done"));
                        throw new IllegalStateException("the first attempt fails");
                    }
                    collector.collect(event.data(), event.data());
                })
                .awaitFinalEvent());
        assertThat(done.received()).isEqualTo(10);
        assertThat(done.errors()).as("errors of events whose retry succeeded").isEmpty();
        assertThat(done.collected()).as("results of attempts that were retried").containsOnlyKeys(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
}
