package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * internal.Timeouts#isTimeout promises "User code: a getCause() that throws ends the walk". It catches
 * RuntimeException and LinkageError only; a getCause() that throws any other Error (an AssertionError, the
 * StackOverflowError of a cause built lazily and recursively) escapes TaskAttempts.afterAttempt before the
 * permit is given back and before the task's failure is recorded: the group keeps the permit for good and the
 * task never ends (the same failure on a task without a group ends FAILED, as it should).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review11LimitCauseTest {

    /** An exception whose cause cannot be read: its getCause() throws an Error. */
    static final class UnreadableCause extends RuntimeException {
        UnreadableCause() {
            super("body failed");
        }

        @Override
        public synchronized Throwable getCause() {
            throw new AssertionError("getCause() is broken");
        }
    }

    @Test
    void aFailureWhoseGetCauseThrowsAnErrorStillEndsTheTaskAndReturnsThePermit() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("g", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(30)))
                .build();
        try {
            // without a group: the task ends FAILED (no cause walk for it)
            SpawningTask<Integer> plain = orchestrator.to(Integer.class).run(() -> {
                throw new UnreadableCause();
            });
            assertThat(CompletableFuture.supplyAsync(plain::result).get(20, TimeUnit.SECONDS).isOk()).isFalse();

            SpawningTask<Integer> grouped = orchestrator.to(Integer.class).group("g").run(() -> {
                throw new UnreadableCause();
            });
            CompletableFuture<TaskResult<Integer>> outcome = CompletableFuture.supplyAsync(grouped::result);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!outcome.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            ConcurrencyLimiter limiter = orchestrator.limiter("g");
            assertThat("task " + grouped.status() + " (result " + (outcome.isDone() ? "delivered" : "never delivered")
                    + "), group in flight " + limiter.inFlight())
                    .as("a grouped task whose failure's getCause() throws an Error")
                    .isEqualTo("task FAILED (result delivered), group in flight 0");
        }
        finally {
            orchestrator.close();
        }
    }

    /** The same walk gives back a pipeline receive's permit (ReceiveAttempts.released): the permit stays out. */
    @Test
    void aReceiveFailureWhoseGetCauseThrowsAnErrorStillGivesThePermitBack() throws Exception {
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("g", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(30)))
                .build();
        try {
            CompletableFuture<Object> done = CompletableFuture.supplyAsync(() -> orchestrator.emits(Integer.class)
                    .group("g")
                    .sender(emitter -> emitter.emit(1))
                    .receiver((event, collector) -> {
                        throw new UnreadableCause();
                    })
                    .awaitFinalEvent(result -> (Object) result));
            try {
                done.get(20, TimeUnit.SECONDS);
            }
            catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ignored) {
                // its end is not what this test is about
            }
            ConcurrencyLimiter limiter = orchestrator.limiter("g");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (limiter.inFlight() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(limiter.inFlight()).as("permits of group g out after the pipeline ended").isZero();
        }
        finally {
            orchestrator.close();
        }
    }
}
