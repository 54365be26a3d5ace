package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user's clock whose handles throw on {@code cancel} (the engine guards its {@code schedule}, "a user's clock may
 * fail any way"). A task of a group with a timeout that ends in time cancels its deadline as it finishes
 * (TaskEnding.finish): the throw left the finish half done, the status terminal but the outcome never completed,
 * so {@code result()} and {@code join()} waited for ever (and the runtime logged SEVERE "failed running" the task).
 * The task must end with its value, and its group permit come back; a queued task cancelled must end too, its
 * {@code cancel()} not throwing the clock's failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review15LimClockCancelEndTest {

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    @Test
    void aTaskWithATimeoutEndsWithItsValueUnderAClockWhoseCancelThrows() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock()).runtime(TaskRuntime.platform("p", 2))
                .group("g", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(60))).build();
        try {
            SpawningTask<String> task = orchestrator.to(String.class).named("timed").group("g").runtime("p")
                    .timeout(Duration.ofSeconds(30)).run(() -> "done");
            TaskResult<String> ended = resultWithin20s(task);
            assertThat(ended).as("result of a task that returned, status %s", task.status()).isNotNull();
            assertThat(ended.isOk()).isTrue();
            assertThat(orchestrator.limiter("g").inFlight()).isZero();
        }
        finally {
            timer.shutdownNow();
            orchestrator.close();
        }
    }

    /** A task with a timeout cancelled while it waits for its group's permit: cancel() returns, the task ends. */
    @Test
    void aQueuedTaskWithATimeoutIsCancelledUnderAClockWhoseCancelThrows() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock()).runtime(TaskRuntime.platform("p", 2))
                .group("g", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(60))).build();
        try {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> holder = orchestrator.to(String.class).group("g").runtime("p").run(() -> {
                holding.countDown();
                release.await();
                return "held";
            });
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> queued = orchestrator.to(String.class).named("queued").group("g").runtime("p")
                    .timeout(Duration.ofSeconds(30)).run(() -> "never");
            assertThat(queued.status()).isEqualTo(TaskStatus.QUEUED);
            boolean[] cancelled = new boolean[1];
            assertThatCode(() -> cancelled[0] = queued.cancel())
                    .doesNotThrowAnyException();
            assertThat(cancelled[0]).isTrue();
            TaskResult<String> ended = resultWithin20s(queued);
            assertThat(ended).as("result of a cancelled task, status %s", queued.status()).isNotNull();
            assertThat(queued.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(orchestrator.limiter("g").queued()).isZero();
            release.countDown();
            assertThat(resultWithin20s(holder)).isNotNull();
            assertThat(orchestrator.limiter("g").inFlight()).isZero();
        }
        finally {
            timer.shutdownNow();
            orchestrator.close();
        }
    }

    private static <T> TaskResult<T> resultWithin20s(SpawningTask<T> task) throws Exception {
        try {
            return CompletableFuture.supplyAsync(task::result).get(20, TimeUnit.SECONDS);
        }
        catch (TimeoutException stuck) {
            return null;
        }
    }

    /** Schedules on {@link #timer}; its handles throw on cancel. */
    private TaskClock clock() {
        return new TaskClock() {
            @Override
            public Instant now() {
                return Instant.now();
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public Scheduled schedule(Duration delay, Runnable action) {
                timer.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
                return () -> {
                    throw new IllegalStateException("this clock cannot cancel");
                };
            }
        };
    }
}
