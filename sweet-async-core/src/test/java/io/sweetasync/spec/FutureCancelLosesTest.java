package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link java.util.concurrent.Future#cancel}: "After this method returns, subsequent calls to isDone will always
 * return true", whatever it returned. A {@code toCompletableFuture()} whose cancel loses to an end already
 * decided (the task's onFinished listeners still running, so the future is not completed yet) must say it is
 * done, as the task's handle does; its waits then wait for the listeners as the handle's do.
 */
class FutureCancelLosesTest {

    private static final Duration HANG = Duration.ofSeconds(20);

    /**
     * A future its caller completed ({@code complete}, {@code orTimeout}) keeps what it answered, which dependents
     * saw: a later {@code cancel} still stops the task, but answers false and changes nothing (it overwrote the
     * value with a cancellation, and answered true).
     */
    @Test
    void aFutureItsCallerCompletedKeepsItsOutcomeWhenCancelledAfter() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CountDownLatch never = new CountDownLatch(1);
            SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
                never.await();
                return "late";
            });
            CompletableFuture<String> future = task.toCompletableFuture();
            CompletableFuture<String> seen = future.thenApply(value -> "saw " + value);
            assertThat(future.complete("fake")).isTrue();
            assertThat(future.cancel(true)).as("completed already").isFalse();
            assertThat(future.isCancelled()).isFalse();
            assertThat(future.get()).isEqualTo("fake");
            assertThat(seen.get()).isEqualTo("saw fake");
            assertThat(task.result().isOk()).as("the task is stopped all the same").isFalse();
            assertThat(task.status()).isEqualTo(io.sweetasync.TaskStatus.CANCELLED);

            SpawningTask<String> slow = orchestrator.to(String.class).run(() -> {
                never.await();
                return "late";
            });
            CompletableFuture<String> bounded = slow.toCompletableFuture().orTimeout(10, TimeUnit.MILLISECONDS);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(bounded::join))
                    .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
            assertThat(bounded.cancel(true)).isFalse();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(bounded::join)).as("still the timeout")
                    .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
            assertThat(slow.result().isOk()).isFalse();
            assertThat(slow.status()).isEqualTo(io.sweetasync.TaskStatus.CANCELLED);
        }
    }

    @Test
    void aCancelThatLosesToADecidedEndLeavesTheFutureDone() throws Exception {
        CountDownLatch listening = new CountDownLatch(1);
        CountDownLatch releaseListener = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("ending")) {
                    listening.countDown();
                    try {
                        releaseListener.await(HANG.toSeconds(), TimeUnit.SECONDS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }).build()) {
            SpawningTask<String> task = orchestrator.to(String.class).named("ending").run(() -> "done");
            CompletableFuture<String> future = task.toCompletableFuture();
            try {
                assertThat(listening.await(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(future.cancel(true)).as("the end was decided first").isFalse();
                assertThat(future.isDone()).as("done after cancel() returned").isTrue();
                assertThat(future.isCancelled()).isFalse();
                assertThat(task.isDone()).as("as the handle says").isTrue();
            }
            finally {
                releaseListener.countDown();
            }
            assertThat(assertTimeoutPreemptively(HANG, () -> future.get())).isEqualTo("done");
            assertThat(future.isDone()).isTrue();
            assertThat(future.isCompletedExceptionally()).isFalse();
        }
    }
}
