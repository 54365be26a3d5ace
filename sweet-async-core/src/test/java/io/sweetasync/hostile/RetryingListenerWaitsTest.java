package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@code onRetrying} listener runs on the failed attempt's thread before the retry is scheduled, so the
 * task cannot move on, nor end, until it returns. TaskListener promises that listeners cannot break task
 * execution, and refuses an {@code onFinished} listener's wait for its own task (which would never end):
 * before the fix an {@code onRetrying} listener waiting for its own task hung the task and its waiters for
 * ever (no timeout set), and one calling {@code shutdown(grace)} waited the whole grace for that task.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RetryingListenerWaitsTest {

    private static final Duration HANG = Duration.ofSeconds(20);
    private static final List<String> RUNTIMES = List.of("virtual", "single");

    @Test
    void anOnRetryingListenerWaitingForItsOwnTaskIsRefusedAndTheRetryGoesOn() {
        for (String runtime : RUNTIMES) {
            CompletableFuture<SpawningTask<String>> handle = new CompletableFuture<>();
            List<Throwable> refused = new CopyOnWriteArrayList<>();
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(new TaskListener() {
                @Override
                public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                    try {
                        handle.join().result();
                    }
                    catch (IllegalStateException ex) {
                        refused.add(ex);
                    }
                }
            }).build()) {
                AtomicInteger attempts = new AtomicInteger();
                SpawningTask<String> task = orchestrator.to(String.class).named("flaky").runtime(runtime)
                        .retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
                            handle.join();
                            if (attempts.incrementAndGet() == 1) {
                                throw new IOException("first attempt fails");
                            }
                            return "second";
                        });
                handle.complete(task);
                assertThat(assertTimeoutPreemptively(HANG, task::join)).as(runtime).isEqualTo("second");
                assertThat(refused).as(runtime).singleElement()
                        .satisfies(ex -> assertThat(ex).hasMessageContaining("an onRetrying listener of task flaky#"));
            }
        }
    }

    @Test
    void anOnRetryingListenerShuttingDownDoesNotWaitForTheRetryingTask() {
        for (String runtime : RUNTIMES) {
            CompletableFuture<TaskOrchestrator> self = new CompletableFuture<>();
            CompletableFuture<Boolean> answer = new CompletableFuture<>();
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(new TaskListener() {
                @Override
                public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                    answer.complete(self.join().shutdown(Duration.ofDays(1)));
                }
            }).build()) {
                self.complete(orchestrator);
                SpawningTask<String> task = orchestrator.to(String.class).runtime(runtime)
                        .retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
                            throw new IOException("fails");
                        });
                assertTimeoutPreemptively(HANG, task::result);
                assertThat(task.status()).as(runtime).isEqualTo(TaskStatus.FAILED);
                assertThat(task.info().attempts()).as("the retry ran").isEqualTo(2);
                assertThat(answer.join()).as("nothing else was running on " + runtime).isTrue();
            }
        }
    }
}
