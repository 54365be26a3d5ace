package io.sweetasync.review15;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README, "Timeouts, cancellation", "Runtimes" (refused waits) and "Task trees" (find after the end). */
@Timeout(120)
class Review15ReadmeCancelEdgesTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // "cancel() returns true exactly when the task ends CANCELLED": also in its retry delay, with no attempt after
    @Test
    void aCancelInTheRetryDelayEndsItCancelled() throws Exception {
        CountDownLatch retrying = new CountDownLatch(1);
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                retrying.countDown();
            }
        });
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<String> task = orchestrator.to(String.class).named("in-delay")
                .retry(RetryPolicy.fixed(3, Duration.ofMinutes(10))).run(() -> {
                    attempts.incrementAndGet();
                    throw new IOException("fails");
                });
        retrying.await();
        assertThat(task.cancel()).isTrue();
        task.result();
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(attempts).hasValue(1);
    }

    // "A cancel() that returns false leaves isDone() true as well: it lost to an end already decided (... or its
    // fallback or listeners are running ...), and get() waits only for that end to complete"
    @Test
    void aCancelWhileTheFallbackRunsReturnsFalseAndGetGivesTheFallbacksValue() throws Exception {
        CountDownLatch inFallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<String> task = orchestrator.to(String.class).named("falling-back").fallback(e -> {
            inFallback.countDown();
            try {
                release.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
            return "fallback";
        }).run(() -> {
            throw new IOException("fails");
        });
        inFallback.await();
        assertThat(task.cancel()).isFalse();
        assertThat(task.isDone()).isTrue();
        CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
            try {
                return task.get();
            } catch (Exception e) {
                return e.toString();
            }
        });
        release.countDown();
        assertThat(got.get(60, TimeUnit.SECONDS)).isEqualTo("fallback");
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED); // the status says what happened (fallback javadoc)
    }

    // "a task's fallback ... that waits ... (a fallback) for the task itself" is refused: "A refused fallback fails as
    // a throwing one does" (TaskFailedException, the fallback's exception its cause)
    @Test
    void aFallbackThatWaitsForItsOwnTaskIsRefused() throws Exception {
        AtomicReference<SpawningTask<String>> self = new AtomicReference<>();
        CountDownLatch set = new CountDownLatch(1);
        SpawningTask<String> task = orchestrator.to(String.class).named("self-waiter")
                .fallback(e -> self.get().join()).run(() -> {
                    set.await();
                    throw new IOException("fails");
                });
        self.set(task);
        set.countDown();
        TaskResult<String> result = task.result();
        assertThat(result.isOk()).isFalse();
        Throwable error = ((TaskResult.Err<String>) result).error();
        assertThat(error).isInstanceOf(TaskFailedException.class);
        assertThat(error.getCause()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("self-waiter");
    }

    // "in onFinished the task's own handle gives its outcome at once"
    @Test
    void onFinishedGetsTheOutcomeFromTheTasksOwnHandle() throws Exception {
        AtomicReference<SpawningTask<String>> handle = new AtomicReference<>();
        CountDownLatch set = new CountDownLatch(1);
        CompletableFuture<String> seen = new CompletableFuture<>();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("watched")) {
                    try {
                        seen.complete(handle.get().join());
                    } catch (RuntimeException e) {
                        seen.complete(e.toString());
                    }
                }
            }
        });
        SpawningTask<String> task = orchestrator.to(String.class).named("watched").run(() -> {
            set.await();
            return "outcome";
        });
        handle.set(task);
        set.countDown();
        assertThat(task.join()).isEqualTo("outcome");
        assertThat(seen.get(60, TimeUnit.SECONDS)).isEqualTo("outcome");
    }

    // "then the tree is let go of: ... recent() and find(id) show the tree from the history's snapshot"
    @Test
    void findShowsAChildOfAnEndedTreeFromTheHistory() {
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        orchestrator.to(String.class).named("root").await(() -> {
            child.set(TaskContext.current().orElseThrow().child(String.class).named("child").run(() -> "c"));
            return child.get().join();
        });
        assertThat(orchestrator.find(child.get().id())).hasValueSatisfying(info -> {
            assertThat(info.name()).isEqualTo("child");
            assertThat(info.status()).isEqualTo(TaskStatus.COMPLETED);
        });
    }
    // "a toCompletableFuture() its caller completed already, with complete(...) or orTimeout(...), keeps that outcome,
    // which its dependents saw: its cancel(true) still cancels the task, and returns false"
    @Test
    void aFutureCompletedByItsCallerKeepsItsValueButItsCancelStillCancelsTheTask() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        SpawningTask<String> task = orchestrator.to(String.class).named("running").run(() -> {
            started.countDown();
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
            return "never";
        });
        started.await();
        CompletableFuture<String> future = task.toCompletableFuture();
        assertThat(future.complete("mine")).isTrue();
        assertThat(future.cancel(true)).isFalse();
        assertThat(future.join()).isEqualTo("mine");
        task.result();
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
    }
    // "cancel() returns true exactly when the task ends CANCELLED": also a task waiting in its group's queue or for
    // the tasks it runs after; neither body ever runs
    @Test
    void aCancelOfAQueuedOrPendingTaskEndsItCancelledWithoutRunning() throws Exception {
        try (TaskOrchestrator own = TaskOrchestrator.builder().group("g", io.sweetasync.limit.LimiterConfig.defaults()
                .withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(1, 1, 1)).build()) {
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> holder = own.to(String.class).named("holder").group("g").run(() -> {
                release.await();
                return "h";
            });
            AtomicInteger ran = new AtomicInteger();
            SpawningTask<String> queued = own.to(String.class).named("queued").group("g").run(() -> {
                ran.incrementAndGet();
                return "q";
            });
            SpawningTask<String> pending = own.to(String.class).named("pending").after(holder).run(() -> {
                ran.incrementAndGet();
                return "p";
            });
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (queued.status() != TaskStatus.QUEUED) {
                assertThat(System.nanoTime()).isLessThan(end);
                Thread.sleep(5);
            }
            assertThat(pending.status()).isEqualTo(TaskStatus.PENDING);
            assertThat(queued.cancel()).isTrue();
            assertThat(pending.cancel()).isTrue();
            release.countDown();
            assertThat(holder.join()).isEqualTo("h");
            queued.result();
            pending.result();
            assertThat(queued.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(pending.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(ran).hasValue(0);
        }
    }
}
