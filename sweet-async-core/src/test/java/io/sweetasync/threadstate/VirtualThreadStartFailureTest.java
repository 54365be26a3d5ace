package io.sweetasync.threadstate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code VIRTUAL} runtime could not start a task's thread (an {@code OutOfMemoryError} "unable to create native
 * thread", or a {@code StackOverflowError} in {@code Thread.start} for a task started at the end of a deep body's
 * stack): it turned the failure into a {@code RejectedExecutionException}, which the submission reports, for one of
 * our runtimes, as a shutdown: the task ended with a {@code TaskRejectedException}, "runtime 'virtual' is closed", the
 * runtime open and the cause dropped. A user's executor that cannot make a thread fails the task with that error
 * (CoreReviewTest); now the virtual runtime does the same. Fails on 4ceabf1e.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VirtualThreadStartFailureTest {

    @Test
    void aVirtualThreadThatCannotStartFailsItsTaskWithTheErrorAndTheRuntimeGoesOn() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            VirtualThreadStarts.failWhen(orchestrator, call -> call == 1);

            SpawningTask<String> first = orchestrator.to(String.class).named("first").run(() -> "never");
            TaskResult<String> result = first.result();
            assertThat(first.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(((TaskResult.Err<String>) result).error()).isInstanceOf(TaskFailedException.class)
                    .hasMessageNotContaining("is closed")
                    .cause().isInstanceOf(OutOfMemoryError.class);

            assertThat(orchestrator.to(String.class).named("next").run(() -> "ran").join()).isEqualTo("ran");
            assertThat(orchestrator.liveCount()).isZero();
        }
    }
}
