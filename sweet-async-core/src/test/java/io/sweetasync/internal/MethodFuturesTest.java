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
 * timeout or cancellation as the task's future does, and its cancel cancelling the task.
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
        AtomicReference<Throwable> seen = new AtomicReference<>();
        future.whenComplete((value, error) -> seen.set(error)).exceptionally(error -> null).join();
        AtomicReference<Throwable> seenDerived = new AtomicReference<>();
        derived.whenComplete((value, error) -> seenDerived.set(error)).exceptionally(error -> null).join();

        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause().isSameAs(thrown);
        assertThatThrownBy(future::join).isInstanceOf(CompletionException.class).cause().isSameAs(thrown);
        assertThat(seen.get()).isInstanceOf(CompletionException.class).cause().isSameAs(thrown);
        assertThat(seen.get()).isExactlyInstanceOf(seenDerived.get().getClass());
        assertThat(future.isCompletedExceptionally()).isTrue();
        assertThat(future.isCancelled()).isFalse();
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
}
