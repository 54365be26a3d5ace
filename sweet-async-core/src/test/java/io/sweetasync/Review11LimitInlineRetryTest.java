package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A clock may run an action on any thread (TaskClock), so also at once, on the scheduling thread, when its delay is
 * zero; a caller-runs executor runs an attempt on its caller's thread. A task retried after a zero delay then
 * runs each next attempt inside the one before: one set of frames per attempt.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review11LimitInlineRetryTest {

    /** The system clock, but an action due now runs at once on the caller's thread. */
    static final class ImmediateWhenDue implements TaskClock {
        private final ManualClock later = new ManualClock();

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
            if (delay.isZero()) {
                action.run();
                return () -> { };
            }
            return later.schedule(delay, action);
        }
    }

    @Test
    void manyZeroDelayRetriesOnACallerRunsExecutorWithAnImmediateClockDoNotOverflowTheStack() throws Exception {
        int retries = 2_000;
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(new ImmediateWhenDue())
                .runtime(TaskRuntime.executor("direct", Runnable::run)).build();
        try {
            AtomicInteger attempts = new AtomicInteger();
            SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime("direct")
                    .retry(RetryPolicy.fixed(retries, Duration.ZERO)).run(() -> {
                        if (attempts.incrementAndGet() <= retries) {
                            throw new IllegalStateException("attempt fails");
                        }
                        return attempts.get();
                    });
            java.util.concurrent.CompletableFuture<TaskResult<Integer>> result =
                    java.util.concurrent.CompletableFuture.supplyAsync(task::result);
            String outcome;
            try {
                outcome = String.valueOf(result.get(20, TimeUnit.SECONDS));
            }
            catch (java.util.concurrent.TimeoutException stuck) {
                outcome = "no outcome after 20 s: " + task.status() + " after " + attempts.get() + " attempts";
            }
            // Either it completes, or (if the engine cannot help the stack) it at least ends; it must not stay RUNNING.
            assertThat(outcome).doesNotStartWith("no outcome");
        }
        finally {
            orchestrator.close();
        }
    }
}
