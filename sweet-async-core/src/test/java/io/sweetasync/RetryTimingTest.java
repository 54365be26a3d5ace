package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retry delays checked against an injected clock, never the wall clock. */
class RetryTimingTest {

    private final ManualClock clock = new ManualClock();
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void eachAttemptStartsOnlyAfterItsExponentialDelay() throws Exception {
        List<Long> attemptTimes = new CopyOnWriteArrayList<>();
        SpawningTask<String> task = orchestrator.to(String.class)
                .retry(RetryPolicy.exponential(3, Duration.ofMillis(100), Duration.ofMillis(250)))
                .run(() -> {
                    attemptTimes.add(clock.nanoTime());
                    if (attemptTimes.size() < 4) {
                        throw new IOException("attempt " + attemptTimes.size());
                    }
                    return "ok";
                });
        clock.awaitRequests(1);
        assertThat(task.isDone()).isFalse();
        clock.advance(Duration.ofMillis(99));
        assertThat(attemptTimes).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        clock.awaitRequests(2);
        clock.advance(Duration.ofMillis(200));
        clock.awaitRequests(3);
        clock.advance(Duration.ofMillis(250));
        assertThat(task.join()).isEqualTo("ok");
        assertThat(clock.requestedDelays()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(250));
        assertThat(attemptTimes).containsExactly(0L, 100_000_000L, 300_000_000L, 550_000_000L);
        assertThat(task.info().attempts()).isEqualTo(4);
    }

    @Test
    void cancelDuringBackoffEndsTheTaskWithoutAnotherAttempt() throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        SpawningTask<String> task = orchestrator.to(String.class)
                .retry(RetryPolicy.fixed(5, Duration.ofSeconds(10)))
                .run(() -> {
                    attempts.add(TaskContext.current().orElseThrow().attempt());
                    throw new IOException("down");
                });
        clock.awaitRequests(1);
        assertThat(task.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(task.cancel()).isTrue();
        assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        clock.advance(Duration.ofMinutes(1));
        assertThat(attempts).containsExactly(1);
        assertThat(clock.pendingCount()).isZero();
    }

    @Test
    void timeoutDuringBackoffEndsTimedOut() throws Exception {
        SpawningTask<String> task = orchestrator.to(String.class)
                .timeout(Duration.ofSeconds(5))
                .retry(RetryPolicy.fixed(5, Duration.ofSeconds(10)))
                .run(() -> {
                    throw new IOException("down");
                });
        clock.awaitRequests(2);
        clock.advance(Duration.ofSeconds(5));
        assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(task.info().attempts()).isEqualTo(1);
    }
}
