package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.hostile.Latches;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.ContextPropagator;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC 1.9 ("listeners must not be able to break task execution") and CONVENTIONS 9 (user callbacks are
 * guests): an interrupt that a listener, a fallback or a context propagator leaves on the thread it ran on is
 * no cancellation, so it must not reach a body that runs there, now or next (public API only).
 */
@Timeout(60)
class SpecGuestInterruptsTest {

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
     * A cancellation that lands while a listener runs on the body's thread (a child's {@code onCreated}, called
     * inside {@code run}) interrupts the listener, the code then on that thread: a listener that takes the
     * interrupt and throws without restoring it (as code that wraps {@code InterruptedException} does) must not
     * leave the cancelled body uninterrupted, waiting on as if it had never been cancelled.
     */
    @ParameterizedTest
    @ValueSource(strings = { "virtual", "platform", "single" })
    void aCancellationAListenerSwallowsOnTheBodysThreadStillReachesTheBody(String runtime) throws Exception {
        CountDownLatch inListener = latch();
        CountDownLatch never = latch();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                if (task.name().equals("child")) {
                    inListener.countDown();
                    try {
                        never.await();
                    }
                    catch (InterruptedException ex) {
                        throw new IllegalStateException("interrupted", ex); // the interrupt status is not restored
                    }
                }
            }
        });
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").runtime(runtime).run(() -> {
            orchestrator.to(Integer.class).named("child").run(() -> 1);
            never.await(); // cancelled: interrupted here
            return "not interrupted";
        });
        assertThat(inListener.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(parent.cancel()).isTrue();
        await().atMost(Duration.ofSeconds(10)).alias("the cancelled parent's body is interrupted and returns")
                .until(() -> parent.status() == TaskStatus.CANCELLED);
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

    /**
     * A caller-runs executor runs a body on its caller's thread: the caller's own pending interrupt is no stop of
     * that body (it does not see it), and it is the caller's, still set once the body's run returned. It was
     * cleared for the body and lost.
     */
    @Test
    void aCallersOwnInterruptIsKeptAcrossABodyRunOnItsThread() {
        try (TaskOrchestrator direct = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("direct", Runnable::run)).build()) {
            Thread.currentThread().interrupt();
            SpawningTask<String> task = direct.to(String.class).runtime("direct")
                    .run(() -> "interrupted: " + Thread.currentThread().isInterrupted());
            assertThat(Thread.interrupted()).as("the caller's interrupt after the body ran on its thread").isTrue();
            assertThat(task.result()).isEqualTo(TaskResult.ok("interrupted: false"));
        }
        finally {
            Thread.interrupted();
        }
    }

    /**
     * A body that interrupted itself (its own business, no stop) and then runs a child on a caller-runs executor
     * (the child's body nested in its own) still has its interrupt once the child ran.
     */
    @ParameterizedTest
    @ValueSource(strings = { "virtual", "platform", "single" })
    void aBodysOwnInterruptIsKeptAcrossANestedBody(String runtime) {
        try (TaskOrchestrator direct = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("direct", Runnable::run)).build()) {
            SpawningTask<String> task = direct.to(String.class).runtime(runtime).run(() -> {
                Thread.currentThread().interrupt();
                SpawningTask<String> child = direct.to(String.class).runtime("direct").run(() -> "child");
                boolean interrupted = Thread.interrupted();
                return child.isDone() + ", interrupted: " + interrupted;
            });
            assertThat(task.result()).isEqualTo(TaskResult.ok("true, interrupted: true"));
        }
    }
}
