package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * SPEC 1.2: {@code timeout(Duration)} is the "deadline for the whole task [...]; on expiry the work is
 * interrupted and the task ends {@code TIMED_OUT}"; 1.5: "A timeout bounds the caller".
 */
class DeadlineAndFallbackTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    private final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void close() {
        never.countDown();
        orchestrator.close();
    }

    @Disabled("""
            decision: a fallback runs as the task ends, outside its deadline (README: 'The deadline bounds the \
            body, not the user code that runs as the task ends [...] one that blocks holds the waiters'): a \
            fallback that waits, even interruptibly, is not interrupted at the deadline and holds every waiter \
            of a task with timeout(100ms) until it returns. SPEC's deadline is for the whole task and bounds the \
            caller; bounding (and interrupting) the fallback too changes documented behaviour.""")
    @Test
    void aTimeoutBoundsTheCallerAlsoWhileTheFallbackWaits() {
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("falls-back")
                .timeout(Duration.ofMillis(100))
                .fallback(error -> {
                    try {
                        never.await();
                        return 1;
                    }
                    catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return 2;
                    }
                })
                .run(() -> {
                    throw new IOException("no answer");
                });
        TaskResult<Integer> result = assertTimeoutPreemptively(Duration.ofSeconds(10), task::result,
                "result() of a task with a 100 ms timeout still waits for its fallback after 10 s");
        assertThat(task.status()).isIn(TaskStatus.FAILED, TaskStatus.TIMED_OUT);
        assertThat(result).satisfiesAnyOf(
                r -> assertThat(r).isEqualTo(TaskResult.ok(2)),
                r -> assertThat(r).isInstanceOfSatisfying(TaskResult.Err.class,
                        err -> assertThat(err.error()).isInstanceOf(TaskTimeoutException.class)));
    }
}
