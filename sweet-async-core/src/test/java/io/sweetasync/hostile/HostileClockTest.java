package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RefusingClock;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.TaskClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user's {@link TaskClock} is user code: its {@code schedule} may fail with anything, not only
 * {@code RejectedExecutionException}. A task whose deadline or retry could not be scheduled must end,
 * failed with the clock's error, not stay QUEUED or wait for a retry that never comes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileClockTest {

    private static final Duration HANG = Duration.ofSeconds(30);

    private final RefusingClock clock = new RefusingClock(() -> new IllegalStateException("the scheduler is broken"));
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void aDeadlineThatCannotBeScheduledFailsTheTaskWithTheClocksError() {
        AtomicInteger ran = new AtomicInteger();
        SpawningTask<String> task = orchestrator.to(String.class).timeout(Duration.ofSeconds(5)).run(() -> {
            ran.incrementAndGet();
            return "ran";
        });
        TaskResult<String> result = assertTimeoutPreemptively(HANG, task::result);
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(((TaskResult.Err<String>) result).error()).isInstanceOf(TaskFailedException.class)
                .hasRootCauseMessage("the scheduler is broken");
        assertThat(ran).as("a task without its deadline does not run").hasValue(0);
        assertThat(clock.calls.get()).isPositive();
    }

    @Test
    void aRetryThatCannotBeScheduledFailsTheTaskInsteadOfWaitingForEver() {
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<String> task = orchestrator.to(String.class).retry(RetryPolicy.fixed(3, Duration.ofMillis(10)))
                .run(() -> {
                    attempts.incrementAndGet();
                    throw new IOException("first attempt fails");
                });
        TaskResult<String> result = assertTimeoutPreemptively(HANG, task::result);
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(((TaskResult.Err<String>) result).error()).hasRootCauseMessage("the scheduler is broken");
        assertThat(attempts).hasValue(1);
    }
}
