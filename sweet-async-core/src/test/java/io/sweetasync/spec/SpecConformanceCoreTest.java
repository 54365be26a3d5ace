package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.ContextPropagator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC section 1 read as a {@link java.util.concurrent} user reads it: the promises of {@link Future} that
 * {@code SpawningTask} inherits, and the ones section 1 adds, written from SPEC.md and the JDK's javadoc alone
 * (public API only).
 */
@Timeout(60)
class SpecConformanceCoreTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();
    /** Released after each test, so that no callback a failed test left waiting outlives it. */
    private final List<CountDownLatch> latches = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        latches.forEach(CountDownLatch::countDown);
        orchestrator.close();
    }

    private CountDownLatch latch() {
        CountDownLatch latch = new CountDownLatch(1);
        latches.add(latch);
        return latch;
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

    // ---- 1.9: listeners must not be able to break task execution ----

    /**
     * An {@code onStarted} listener runs on the body's thread just before the body: an interrupt it leaves
     * there is no cancellation, and the body must not see it (a body's first blocking call would throw).
     */
    @ParameterizedTest
    @ValueSource(strings = { "virtual", "platform", "single" })
    void anInterruptAnOnStartedListenerLeavesDoesNotReachTheBody(String runtime) {
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                Thread.currentThread().interrupt();
            }
        });
        SpawningTask<String> task = orchestrator.to(String.class).runtime(runtime).run(() -> {
            boolean interrupted = Thread.currentThread().isInterrupted();
            Thread.sleep(1); // a first blocking call
            return "interrupted: " + interrupted;
        });
        assertThat(task.result()).isEqualTo(TaskResult.ok("interrupted: false"));
        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
    }

    /**
     * A body that starts a child, or cancels one that has not started, runs the listeners of the child's
     * {@code onCreated}, {@code onQueued} and {@code onFinished} on its own thread: an interrupt they leave
     * there is no cancellation of the body either.
     */
    @ParameterizedTest
    @ValueSource(strings = { "onCreated", "onQueued", "onFinished" })
    void anInterruptAListenerLeavesOnAParentsThreadDoesNotReachTheParent(String event) {
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                interruptIf("onCreated", task);
            }

            @Override
            public void onQueued(TaskInfo task) {
                interruptIf("onQueued", task);
            }

            @Override
            public void onFinished(TaskInfo task) {
                interruptIf("onFinished", task);
            }

            private void interruptIf(String called, TaskInfo task) {
                if (called.equals(event) && task.name().equals("child")) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CountDownLatch never = latch();
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").run(() -> {
            SpawningTask<Integer> blocker = orchestrator.to(Integer.class).detached().run(() -> {
                never.await();
                return 0;
            });
            orchestrator.to(Integer.class).named("child").run(() -> 1); // created and queued on the parent's thread
            // waits for the blocker: cancelled by the parent before it starts, it ends on the parent's thread
            SpawningTask<Integer> waiting = orchestrator.to(Integer.class).named("child").after(blocker).run(() -> 1);
            assertThat(waiting.cancel()).isTrue();
            boolean interrupted = Thread.currentThread().isInterrupted();
            Thread.sleep(1); // a blocking call
            blocker.cancel();
            return "interrupted: " + interrupted;
        });
        assertThat(parent.result()).isEqualTo(TaskResult.ok("interrupted: false"));
    }

    /**
     * A child refused at once (its group is full and does not queue) ends inside {@code run}, on its parent's
     * thread, and its fallback runs there: an interrupt the fallback leaves is no cancellation of the parent.
     */
    @Test
    void anInterruptAChildsFallbackLeavesOnItsParentsThreadDoesNotReachTheParent() throws Exception {
        try (TaskOrchestrator tight = TaskOrchestrator.builder().group("full", LimiterConfig.defaults()
                .withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1).withMaxWait(Duration.ZERO)).build()) {
            CountDownLatch running = latch();
            CountDownLatch release = latch();
            SpawningTask<String> holder = tight.to(String.class).group("full").run(() -> {
                running.countDown();
                release.await();
                return "held";
            });
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> parent = tight.to(String.class).run(() -> {
                SpawningTask<Integer> refused = tight.to(Integer.class).group("full").fallback(e -> {
                    Thread.currentThread().interrupt();
                    return -1;
                }).run(() -> 1);
                boolean interrupted = Thread.currentThread().isInterrupted();
                Thread.sleep(1); // a blocking call
                return "interrupted: " + interrupted + ", child: " + refused.join();
            });
            assertThat(parent.result()).isEqualTo(TaskResult.ok("interrupted: false, child: -1"));
            release.countDown();
            assertThat(holder.join()).isEqualTo("held");
        }
    }

    /**
     * Context propagators are guests too (a failing one is skipped, never breaking the task): one that leaves
     * an interrupt where it captures (the parent's thread, creating a child) or where it restores (the body's
     * thread, just before the body) breaks neither body.
     */
    @ParameterizedTest
    @ValueSource(strings = { "capture", "restore" })
    void anInterruptAContextPropagatorLeavesReachesNoBody(String where) {
        ContextPropagator interrupting = task -> {
            if (where.equals("capture") && task.name().equals("child")) {
                Thread.currentThread().interrupt();
            }
            return () -> {
                if (where.equals("restore")) {
                    Thread.currentThread().interrupt();
                }
                return () -> {
                };
            };
        };
        try (TaskOrchestrator guarded = TaskOrchestrator.builder().contextPropagator(interrupting).build()) {
            SpawningTask<String> parent = guarded.to(String.class).named("parent").run(() -> {
                boolean atStart = Thread.currentThread().isInterrupted();
                SpawningTask<String> child = guarded.to(String.class).named("child").run(() -> {
                    boolean interrupted = Thread.currentThread().isInterrupted();
                    Thread.sleep(1); // a blocking call
                    return "child interrupted: " + interrupted;
                });
                boolean afterChild = Thread.currentThread().isInterrupted();
                Thread.sleep(1);
                return "parent interrupted: " + atStart + "/" + afterChild + ", " + child.join();
            });
            assertThat(parent.result())
                    .isEqualTo(TaskResult.ok("parent interrupted: false/false, child interrupted: false"));
        }
    }

    /**
     * An {@code onRetrying} listener runs on the thread of the failed attempt; with no delay the next attempt may
     * run on that same thread (the {@code single} runtime's one): an interrupt the listener left is no stop of it.
     */
    @ParameterizedTest
    @ValueSource(strings = { "virtual", "platform", "single" })
    void anInterruptAnOnRetryingListenerLeavesDoesNotReachTheNextAttempt(String runtime) {
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                Thread.currentThread().interrupt();
            }
        });
        SpawningTask<String> task = orchestrator.to(String.class).runtime(runtime).retry(RetryPolicy.fixed(1, Duration.ZERO))
                .run(() -> {
                    if (TaskContext.current().orElseThrow().attempt() == 1) {
                        throw new IOException("first attempt fails");
                    }
                    boolean interrupted = Thread.currentThread().isInterrupted();
                    Thread.sleep(1); // a blocking call
                    return "interrupted: " + interrupted;
                });
        assertThat(task.result()).isEqualTo(TaskResult.ok("interrupted: false"));
        assertThat(task.info().attempts()).isEqualTo(2);
    }

    /**
     * An {@code onFinished} listener runs on the thread of the task that ended: on the {@code single} runtime,
     * the thread that runs the next queued task at once. An interrupt the listener left is no stop of that task.
     */
    @Test
    void anInterruptAListenerLeavesOnAWorkerDoesNotReachTheNextTask() throws Exception {
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("first")) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CountDownLatch running = latch();
        CountDownLatch release = latch();
        SpawningTask<String> first = orchestrator.to(String.class).named("first").runtime("single").run(() -> {
            running.countDown();
            release.await();
            return "first";
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        SpawningTask<String> next = orchestrator.to(String.class).named("next").runtime("single").run(() -> {
            boolean interrupted = Thread.currentThread().isInterrupted();
            Thread.sleep(1); // a blocking call
            return "interrupted: " + interrupted;
        });
        release.countDown();
        assertThat(first.join()).isEqualTo("first");
        assertThat(next.result()).isEqualTo(TaskResult.ok("interrupted: false"));
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
