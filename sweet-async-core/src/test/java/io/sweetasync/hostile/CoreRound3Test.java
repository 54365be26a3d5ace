package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review, round 3, of the core engine: each test names the promise it attacks and failed before
 * the fix that came with it. Every test is bounded by a timeout, so a deadlock fails instead of hanging.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CoreRound3Test {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1)).build();
    private final Latches latches = new Latches();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    // ---- toCompletableFuture().cancel() -----------------------------------------------------------

    /**
     * toCompletableFuture(): "cancelling it cancels the task and returns true exactly when the task ends
     * CANCELLED; it then reports isCancelled()". A task cancelled through its handle already ended
     * CANCELLED, so the future's cancel() answers true; but the future had been completed exceptionally
     * (with TaskCancelledException) when the outcome was decided, so it did not report isCancelled():
     * cancel() returned true and isCancelled() false, which java.util.concurrent.Future forbids.
     */
    @Test
    void aFutureWhoseCancelAnswersTrueReportsCancelled() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            new CountDownLatch(1).await();
            return "never";
        });
        CompletableFuture<String> early = task.toCompletableFuture();
        assertThat(task.cancel()).isTrue();
        task.result();
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        CompletableFuture<String> late = task.toCompletableFuture();

        for (CompletableFuture<String> future : new CompletableFuture[] {early, late}) {
            boolean answer = future.cancel(true);
            assertThat(answer).as("cancel() of the future of a CANCELLED task").isTrue();
            assertThat(future.isCancelled()).as("isCancelled() after cancel() answered true").isTrue();
        }
    }
}
