package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import io.sweetasync.limit.RejectionReason;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * SPEC 1.7: users may "wrap their own {@code Executor}"; CONVENTIONS 7: "Errors tell the user what
 * happened, to which task, and what to do". An executor of the user's that refuses a task (a saturated
 * {@code ThreadPoolExecutor} with {@code AbortPolicy}, say) says why: the rejection passes that on instead
 * of saying the runtime is closed.
 */
class ExecutorRefusalTest {

    @Test
    void aRefusalOfTheUsersExecutorIsReportedInItsOwnWordsNotAsAClosedRuntime() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("bounded", work -> {
                    throw new RejectedExecutionException("queue of 10 is full");
                }))
                .build()) {
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("refused").runtime("bounded").run(() -> 1);
            TaskResult<Integer> result = assertTimeoutPreemptively(Duration.ofSeconds(10), task::result);
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOfSatisfying(TaskRejectedException.class, rejected -> assertThat(rejected.reason())
                            .as("a saturated executor: try later").isEqualTo(RejectionReason.QUEUE_FULL))
                    .hasMessageContaining("refused#")
                    .hasMessageContaining("'bounded'")
                    .hasMessageContaining("queue of 10 is full")
                    .hasMessageNotContaining("is closed"));
        }
    }

    @Test
    void aRefusalOfTheUsersExecutorThatWasShutDownIsAShutdown() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        pool.shutdown();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.executor("gone", pool)).build()) {
            SpawningTask<Integer> task = orchestrator.to(Integer.class).named("refused").runtime("gone").run(() -> 1);
            TaskResult<Integer> result = assertTimeoutPreemptively(Duration.ofSeconds(10), task::result);
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .isInstanceOfSatisfying(TaskRejectedException.class, rejected -> assertThat(rejected.reason())
                            .isEqualTo(RejectionReason.SHUTDOWN)));
        }
    }
}
