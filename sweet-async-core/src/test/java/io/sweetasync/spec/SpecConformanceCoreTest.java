package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.hostile.Latches;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC section 1 read as a {@link java.util.concurrent} user reads it: the promises of {@link Future} that
 * {@code SpawningTask} inherits, and the ones section 1 adds, written from SPEC.md and the JDK's javadoc alone
 * (public API only).
 */
@Timeout(60)
class SpecConformanceCoreTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    /** Released after each test, so that nothing a failed test left waiting outlives it. */
    private final Latches latches = new Latches();

    @AfterEach
    void close() {
        latches.releaseAll();
        orchestrator.close();
    }

    private CountDownLatch latch() {
        return latches.next();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- Future.cancel: "After this method returns, subsequent calls to isDone() will always return true." ----

    /** The body failed for good; its fallback is still deciding the value: a cancel() now loses, and the task is done. */
    @Test
    void aCancelLosingToAFailureBeingDecidedLeavesTheTaskDone() throws Exception {
        CountDownLatch inFallback = latch();
        CountDownLatch release = latch();
        SpawningTask<Integer> task = orchestrator.to(Integer.class).fallback(e -> {
            inFallback.countDown();
            awaitQuietly(release);
            return -1;
        }).run(() -> {
            throw new IOException("broken");
        });
        assertThat(inFallback.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(task.cancel(true)).isFalse();
        assertThat(task.isDone()).as("Future: isDone() is true once cancel has returned").isTrue();
        assertThat(task.isCancelled()).isFalse();

        release.countDown();
        assertThat(task.get()).isEqualTo(-1);
        assertThat(task.isDone()).isTrue();
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    }

    /** The deadline passed and decided TIMED_OUT; the fallback still runs: a cancel() now loses, and the task is done. */
    @Test
    void aCancelLosingToADeadlineLeavesTheTaskDone() throws Exception {
        CountDownLatch inFallback = latch();
        CountDownLatch release = latch();
        SpawningTask<Integer> task = orchestrator.to(Integer.class).timeout(Duration.ofSeconds(1)).fallback(e -> {
            inFallback.countDown();
            awaitQuietly(release);
            return -1;
        }).run(SpecSupport::sleepLong);
        assertThat(inFallback.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(task.cancel()).isFalse();
        assertThat(task.isDone()).as("Future: isDone() is true once cancel has returned").isTrue();
        assertThat(task.isCancelled()).isFalse();

        release.countDown();
        assertThat(task.join()).isEqualTo(-1);
        assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
    }

    /** A status that already says COMPLETED (listeners hear of the end) is a done task, and cancel() loses. */
    /**
     * A rejected task is done: its end is decided ({@code FAILED}, {@link TaskRejectedException}), so {@code get}
     * answers in a moment, as {@code isDone()} promises, even when the rejection comes for a retry while a child
     * of the failed attempt runs on, ignoring the interrupt of its cancellation.
     */
    @Test
    void aRejectedTaskWhoseChildIgnoresItsInterruptAnswersGet() throws Exception {
        try (TaskOrchestrator tight = TaskOrchestrator.builder().group("one", LimiterConfig.defaults()
                .withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1).withMaxWait(Duration.ZERO)).build()) {
            CountDownLatch childRuns = latch();
            CountDownLatch holding = latch();
            CountDownLatch release = latch();
            tight.addListener(new TaskListener() {
                @Override
                public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                    // the failed attempt gave its permit back: another task takes it, so the retry is refused
                    tight.to(String.class).detached().group("one").run(() -> {
                        holding.countDown();
                        awaitQuietly(release);
                        return "held";
                    });
                    awaitQuietly(holding);
                }
            });
            SpawningTask<String> task = tight.to(String.class).group("one").retry(RetryPolicy.fixed(1, Duration.ZERO))
                    .run(() -> {
                        tight.to(String.class).named("stubborn").run(() -> {
                            childRuns.countDown();
                            while (release.getCount() > 0) {
                                try {
                                    release.await();
                                }
                                catch (InterruptedException ignored) {
                                    // ignores its cancellation
                                }
                            }
                            return "child";
                        });
                        childRuns.await();
                        throw new IOException("the first attempt fails");
                    });
            try {
                await().atMost(Duration.ofSeconds(10)).alias("the retry is rejected").until(task::isDone);
                assertThatThrownBy(() -> task.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(TaskRejectedException.class);
                assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            }
            finally {
                release.countDown(); // before the orchestrator closes: it would wait for the stubborn child
            }
        }
    }

    @Test
    void aTaskWhoseStatusIsTerminalIsDone() throws Exception {
        CountDownLatch inListener = latch();
        CountDownLatch release = latch();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("heard")) {
                    inListener.countDown();
                    awaitQuietly(release);
                }
            }
        });
        SpawningTask<String> task = orchestrator.to(String.class).named("heard").run(() -> "v");
        assertThat(inListener.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(task.isDone()).isTrue();
        assertThat(task.cancel()).isFalse();
        assertThat(task.isDone()).isTrue();

        release.countDown();
        assertThat(task.get(30, TimeUnit.SECONDS)).isEqualTo("v");
    }

    // ---- JDK 19+ Future methods: state(), resultNow(), exceptionNow() agree with get() ----

    @Test
    void stateResultNowAndExceptionNowAgreeWithGet() {
        SpawningTask<String> ok = orchestrator.to(String.class).run(() -> "v");
        ok.result();
        assertThat(ok.state()).isEqualTo(Future.State.SUCCESS);
        assertThat(ok.resultNow()).isEqualTo("v");
        assertThatThrownBy(ok::exceptionNow).isInstanceOf(IllegalStateException.class);

        SpawningTask<Void> nothing = orchestrator.to(Void.class).run(() -> null);
        nothing.result();
        assertThat(nothing.state()).isEqualTo(Future.State.SUCCESS);
        assertThat(nothing.resultNow()).isNull();

        IOException boom = new IOException("boom");
        SpawningTask<String> failed = orchestrator.to(String.class).run(() -> {
            throw boom;
        });
        failed.result();
        assertThat(failed.state()).isEqualTo(Future.State.FAILED);
        assertThat(failed.exceptionNow()).isInstanceOf(TaskFailedException.class).hasCause(boom);
        assertThatThrownBy(failed::resultNow).isInstanceOf(IllegalStateException.class);

        SpawningTask<Integer> timedOut = orchestrator.to(Integer.class).timeout(Duration.ofSeconds(1))
                .run(SpecSupport::sleepLong);
        timedOut.result();
        assertThat(timedOut.state()).isEqualTo(Future.State.FAILED);
        assertThat(timedOut.exceptionNow()).isInstanceOf(TaskTimeoutException.class);

        SpawningTask<Integer> running = orchestrator.to(Integer.class).run(SpecSupport::sleepLong);
        assertThat(running.state()).isEqualTo(Future.State.RUNNING);
        assertThatThrownBy(running::resultNow).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(running::exceptionNow).isInstanceOf(IllegalStateException.class);
        assertThat(running.cancel()).isTrue();
        assertThatThrownBy(running::exceptionNow).as("Future: a cancelled task has no exception to show")
                .isInstanceOf(IllegalStateException.class);
    }

    /** As FutureTask and CompletableFuture do, a ready outcome is handed out even to an interrupted caller. */
    @Test
    void aReadyOutcomeIsHandedToAnInterruptedCallerWhoKeepsItsInterrupt() throws Exception {
        SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> 5);
        task.result();
        Thread.currentThread().interrupt();
        try {
            assertThat(task.get()).isEqualTo(5);
            assertThat(task.get(1, TimeUnit.SECONDS)).isEqualTo(5);
            assertThat(task.join()).isEqualTo(5);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        }
        finally {
            Thread.interrupted();
        }
    }

    /**
     * A body that throws {@link CancellationException} itself (nobody cancelled the task) failed, as a
     * {@code FutureTask} whose callable throws it does: get() wraps it, isCancelled() stays false.
     */
    @Test
    void aBodyThrowingCancellationExceptionFailsAndIsNotCancelled() {
        CancellationException own = new CancellationException("the body's own");
        SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> {
            throw own;
        });
        assertThatThrownBy(task::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(TaskFailedException.class).hasCause(own);
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(task.isCancelled()).isFalse();
        assertThat(task.cancel()).isFalse();
    }

    // ---- 1.5: each AsyncTaskException carries TaskInfo task() ----

    /** Exceptions are Serializable (they travel through RMI, caches, logs shipped elsewhere): the task travels too. */
    @Test
    void aSerializedTaskExceptionStillCarriesItsTask() throws Exception {
        SpawningTask<Integer> task = orchestrator.to(Integer.class).named("shipped").tag("k", "v").run(() -> {
            throw new IOException("lost");
        });
        AsyncTaskException error = task.result() instanceof TaskResult.Err<Integer>(AsyncTaskException e) ? e : null;
        assertThat(error).isNotNull();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(error);
        }
        AsyncTaskException back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (AsyncTaskException) in.readObject();
        }
        assertThat(back).isInstanceOf(TaskFailedException.class).hasMessage(error.getMessage());
        assertThat(back.task()).as("task() after a round trip").isEqualTo(error.task());
        assertThat(back.task().tags()).containsEntry("k", "v");
    }
}
