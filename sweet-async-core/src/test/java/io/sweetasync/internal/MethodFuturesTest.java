package io.sweetasync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The future an {@code @AsyncTask} method returns: the task's own, failing as the method did (the body's exception
 * in a {@link CompletionException}, as a stage derived from the task's future and failed with it stored it), a
 * timeout or cancellation of the task as the task's future has it, in a {@code CompletionException} too (as that
 * derived stage had it), and its cancel cancelling the task.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MethodFuturesTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    private final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        never.countDown();
        orchestrator.close();
    }

    @Test
    void aFailureCompletesItWithTheBodysOwnExceptionAsADerivedStageWould() throws Exception {
        IOException thrown = new IOException("disk full");
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            throw thrown;
        });
        CompletableFuture<String> future = MethodFutures.of(task);
        CompletableFuture<String> derived = task.toCompletableFuture()
                .exceptionallyCompose(error -> CompletableFuture.failedFuture(error.getCause()));
        Throwable seen = errorSeenByWhenComplete(future);
        Throwable seenDerived = errorSeenByWhenComplete(derived);

        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause().isSameAs(thrown);
        assertThatThrownBy(future::join).isInstanceOf(CompletionException.class).cause().isSameAs(thrown);
        assertThat(seen).isInstanceOf(CompletionException.class).cause().isSameAs(thrown);
        assertThat(seen).isExactlyInstanceOf(seenDerived.getClass());
        assertThat(future.isCompletedExceptionally()).isTrue();
        assertThat(future.isCancelled()).isFalse();
    }

    /**
     * A body that throws a CompletionException itself (it joined a future that failed) fails the method's future with
     * that exception, once wrapped, as a stage derived from the task's future stored it (a CompletionException is
     * kept as it is, not wrapped again): get() gives the joined future's own failure, join() the body's exception.
     */
    @Test
    void aBodysOwnCompletionExceptionIsNotWrappedTwice() throws Exception {
        IOException failure = new IOException("remote call failed");
        CompletionException thrown = new CompletionException(failure);
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            throw thrown;
        });
        CompletableFuture<String> future = MethodFutures.of(task);
        CompletableFuture<String> derived = task.toCompletableFuture()
                .exceptionallyCompose(error -> CompletableFuture.failedFuture(error.getCause()));
        Throwable seen = errorSeenByWhenComplete(future);
        Throwable seenDerived = errorSeenByWhenComplete(derived);

        assertThatThrownBy(derived::get).isInstanceOf(ExecutionException.class).cause().isSameAs(failure);
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause().isSameAs(failure);
        assertThatThrownBy(future::join).isSameAs(thrown);
        assertThat(seenDerived).isSameAs(thrown);
        assertThat(seen).isSameAs(thrown);
    }

    @Test
    void aValueCompletesIt() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> "done");
        assertThat(MethodFutures.of(task).join()).isEqualTo("done");
    }

    @Test
    void aTimeoutFailsItWithTheTasksTimeoutException() {
        SpawningTask<String> task = orchestrator.to(String.class).timeout(Duration.ofMillis(50)).run(() -> {
            never.await();
            return "never";
        });
        CompletableFuture<String> future = MethodFutures.of(task);
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(TaskTimeoutException.class);
    }

    /**
     * A timeout, as any end but the body's own failure, reaches whenComplete, exceptionally and handle as it reached
     * them through the stage derived from the task's future (the path durable and placed calls still take): in a
     * CompletionException, not bare (a callback testing {@code error instanceof CompletionException} to unwrap it
     * must see the same shape whichever kind of call made the future).
     */
    @Test
    void aTimeoutReachesCallbacksInTheShapeADerivedStageGaveIt() {
        SpawningTask<String> task = orchestrator.to(String.class).timeout(Duration.ofMillis(50)).run(() -> {
            never.await();
            return "never";
        });
        CompletableFuture<String> future = MethodFutures.of(task);
        CompletableFuture<String> derived = task.toCompletableFuture()
                .exceptionallyCompose(error -> CompletableFuture.failedFuture(error));
        Throwable seen = errorSeenByWhenComplete(future);
        Throwable seenDerived = errorSeenByWhenComplete(derived);

        assertThat(seenDerived).isInstanceOf(CompletionException.class).cause()
                .isInstanceOf(TaskTimeoutException.class);
        assertThat(seen).isExactlyInstanceOf(seenDerived.getClass()).cause()
                .isInstanceOf(TaskTimeoutException.class);
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(TaskTimeoutException.class);
        assertThat(future.isCancelled()).isFalse();
    }

    /** A cancel made on the task, not on the future, as {@link #aTimeoutReachesCallbacksInTheShapeADerivedStageGaveIt}. */
    @Test
    void aCancelOfTheTaskReachesCallbacksInTheShapeADerivedStageGaveIt() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            never.await();
            return "never";
        });
        CompletableFuture<String> future = MethodFutures.of(task);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CompletableFuture<String> seenOnce = future.whenComplete((value, error) -> seen.set(error));
        assertThat(task.cancel()).isTrue();
        seenOnce.exceptionally(error -> null).join();

        assertThat(seen.get()).isInstanceOf(CompletionException.class).cause()
                .isInstanceOf(TaskCancelledException.class);
        assertThat(future.isCancelled()).isFalse();
        assertThat(future.isCompletedExceptionally()).isTrue();
    }

    @Test
    void cancellingItCancelsTheTask() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            never.await();
            return "never";
        });
        CompletableFuture<String> future = MethodFutures.of(task);
        assertThat(future.cancel(true)).isTrue();
        assertThat(future.isCancelled()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(task::isDone);
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void aCancelOfTheTaskFailsItWithTheTasksCancelledException() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            never.await();
            return "never";
        });
        CompletableFuture<String> future = MethodFutures.of(task);
        assertThat(task.cancel()).isTrue();
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(TaskCancelledException.class);
    }

    @Test
    void theEngineInstallsItsMakerOnceAndNoOneElseCan() {
        orchestrator.to(String.class).run(() -> "loads the task class").join();
        assertThatThrownBy(() -> MethodFutures.install(task -> null)).isInstanceOf(IllegalStateException.class);
    }

    /** The error a {@code whenComplete} callback on {@code future} is given, once it completed. */
    private static Throwable errorSeenByWhenComplete(CompletableFuture<?> future) {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        future.whenComplete((value, error) -> seen.set(error)).exceptionally(error -> null).join();
        return seen.get();
    }
}
