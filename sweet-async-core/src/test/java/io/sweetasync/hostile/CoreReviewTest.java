package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RefusingClock;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.Work;
import io.sweetasync.spi.TaskClock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of SPEC 1 (core API): each test names the promise it attacks and failed before the
 * fix that came with it. Hangs are bounded by assertTimeoutPreemptively; no timing assertions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CoreReviewTest {

    private static final Duration HANG = Duration.ofSeconds(20);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1)).build();
    private final Latches latches = new Latches();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    // ---- 1.8: joinChildren() from below -----------------------------------------------------------

    /**
     * join(), result() and get() refuse a body waiting for its own task or an ancestor (SpawningTask#join):
     * a task ends only after its children, so the wait never ends. A parent's TaskContext handed down to a
     * child (or a grandchild) and joined there is the same cycle: the waiter is one of the children waited
     * for, or below one. It hung for ever (until a deadline, if any, ended the parent TIMED_OUT); now it is
     * refused at once, naming both, and the parent completes.
     */
    @Test
    void aDescendantJoiningItsAncestorsChildrenIsRefusedNotHung() {
        for (String runtime : List.of("virtual", "platform", "single")) {
            for (int depth = 1; depth <= 2; depth++) {
                int levels = depth;
                SpawningTask<TaskResult<Integer>> parent = orchestrator.<TaskResult<Integer>>to().runtime(runtime)
                        .named("parent").run(() -> {
                            TaskContext parentContext = TaskContext.current().orElseThrow();
                            SpawningTask<Integer> child = parentContext.child(Integer.class).named("child").run(() -> {
                                if (levels == 1) {
                                    return parentContext.joinChildren().size();
                                }
                                return TaskContext.current().orElseThrow().child(Integer.class).named("grandchild")
                                        .await(() -> parentContext.joinChildren().size());
                            });
                            return child.result();
                        });
                TaskResult<TaskResult<Integer>> outcome = assertTimeoutPreemptively(HANG, parent::result,
                        () -> "a descendant joining its ancestor's children on " + runtime + " hung");
                assertThat(parent.status()).as(runtime).isEqualTo(TaskStatus.COMPLETED);
                TaskResult<Integer> childOutcome = outcome.orElseThrow();
                assertThat(childOutcome).isInstanceOf(TaskResult.Err.class);
                Throwable refusal = ((TaskResult.Err<Integer>) childOutcome).error();
                if (levels == 2) {
                    refusal = refusal.getCause(); // the child's await() failed with the grandchild's failure
                }
                assertThat(refusal).as(runtime).isInstanceOf(TaskFailedException.class)
                        .cause().isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(levels == 1 ? "child#" : "grandchild#")
                        .hasMessageContaining("parent#")
                        .hasMessageContaining("never end");
            }
        }
    }

    // ---- 1.5/1.7: an executor or clock failing with an Error -------------------------------------

    /** What Executor.execute throws when no thread can be made. */
    private static OutOfMemoryError noThread() {
        return new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
    }

    /**
     * A user's executor whose execute() throws a RuntimeException ends the task (HostileCoreTest); one that
     * cannot make a thread throws OutOfMemoryError, an Error, which went past that handling: on the first
     * submission run() threw it and left the task live and QUEUED for ever (its waiters and the orchestrator's
     * live count with it); on a retry, submitted from the clock's thread, nobody ever ended the task. Now it
     * fails with the Error as its cause, like any failure outside an attempt.
     */
    @Test
    void aUserExecutorThatCannotMakeAThreadEndsTheTaskInsteadOfStrandingIt() {
        for (int failingCall = 1; failingCall <= 2; failingCall++) {
            int failing = failingCall;
            AtomicInteger calls = new AtomicInteger();
            ExecutorService real = Executors.newVirtualThreadPerTaskExecutor();
            Executor executor = command -> {
                if (calls.incrementAndGet() == failing) {
                    throw noThread();
                }
                real.execute(command);
            };
            try (TaskOrchestrator own = TaskOrchestrator.builder().runtime(TaskRuntime.executor("own", executor)).build()) {
                SpawningTask<String> task;
                try {
                    task = own.to(String.class).runtime("own").retry(RetryPolicy.fixed(3, Duration.ZERO)).run(() -> {
                        throw new IOException("every attempt fails");
                    });
                }
                catch (OutOfMemoryError thrownByRun) {
                    assertThat(own.liveCount()).as("tasks left live after run() threw").isZero();
                    continue;
                }
                TaskResult<String> result = assertTimeoutPreemptively(HANG, task::result,
                        () -> "the task whose submission " + failing + " failed was stranded");
                assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
                assertThat(((TaskResult.Err<String>) result).error()).isInstanceOf(TaskFailedException.class)
                        .cause().isInstanceOf(OutOfMemoryError.class);
                assertThat(own.liveCount()).isZero();
            }
            finally {
                real.shutdownNow();
            }
        }
    }

    /**
     * The same for the clock: scheduling a deadline or a retry makes the scheduler's thread on first use, and
     * a user's clock may fail any way. An Error from schedule() went past the handling of a RuntimeException:
     * run() threw it with the task left live for ever. Now the task fails with it.
     */
    @Test
    void aClockThatCannotScheduleWithAnErrorEndsTheTask() {
        TaskClock failing = new RefusingClock(CoreReviewTest::noThread);
        try (TaskOrchestrator own = TaskOrchestrator.builder().clock(failing).build()) {
            for (boolean deadline : List.of(true, false)) {
                SpawningTask<String> task;
                try {
                    task = deadline
                            ? own.to(String.class).timeout(Duration.ofMinutes(1)).run(() -> "v")
                            : own.to(String.class).retry(RetryPolicy.fixed(1, Duration.ofMillis(1))).run(() -> {
                                throw new IOException("first attempt fails");
                            });
                }
                catch (OutOfMemoryError thrownByRun) {
                    assertThat(own.liveCount()).as("tasks left live after run() threw").isZero();
                    continue;
                }
                TaskResult<String> result = assertTimeoutPreemptively(HANG, task::result,
                        () -> "the task whose " + (deadline ? "deadline" : "retry") + " could not be scheduled was stranded");
                assertThat(result.isOk()).isFalse();
                assertThat(task.status().isTerminal()).isTrue();
                assertThat(own.liveCount()).isZero();
            }
        }
    }

    // ---- CONVENTIONS 3: a null argument is named ------------------------------------------------

    /**
     * Every other configuration method names a null argument ("name", "timeout", "type", "dependency",
     * "exception type"...); these failed deep inside with a JVM message ("Cannot read the array length because
     * \"<local3>\" is null", "Cannot invoke \"Object.hashCode()\" because \"key\" is null"), and
     * TaskContext.child(null) was accepted although AsyncTask.to(null) is refused.
     */
    @Test
    void nullArgumentsAreRefusedNamingThem() {
        SpawningTaskBuilder<String> builder = orchestrator.to(String.class);
        assertThatThrownBy(() -> builder.after((SpawningTask<?>[]) null))
                .isInstanceOf(NullPointerException.class).hasMessage("tasks");
        assertThatThrownBy(() -> RetryPolicy.fixed(1, Duration.ZERO).retryOn((Class<? extends Throwable>[]) null))
                .isInstanceOf(NullPointerException.class).hasMessage("exception types");
        assertThatThrownBy(() -> RetryPolicy.fixed(1, Duration.ZERO).abortOn((Class<? extends Throwable>[]) null))
                .isInstanceOf(NullPointerException.class).hasMessage("exception types");
        assertThatThrownBy(() -> orchestrator.cancel(null)).isInstanceOf(NullPointerException.class).hasMessage("id");
        assertThatThrownBy(() -> orchestrator.find(null)).isInstanceOf(NullPointerException.class).hasMessage("id");
        String refusal = orchestrator.to(String.class).await(() -> {
            try {
                TaskContext.current().orElseThrow().child(null);
                return "accepted";
            }
            catch (NullPointerException expected) {
                return expected.getMessage();
            }
        });
        assertThat(refusal).isEqualTo("type");
    }

    // ---- 1.5/1.7: a runaway's thread is replaced before user code runs at its deadline -----------

    /**
     * SPEC 1.5: a timeout bounds the caller even if the body ignores its interrupt; the runaway costs its
     * PLATFORM/SINGLE runtime a thread, not a slot (PooledRuntime). The slot was handed back only after the
     * forced end had run the task's fallback: a fallback that waits for a task on the same runtime (a cached
     * value computed there) queued it behind the runaway, which holds the only thread, so the fallback, the
     * waiter and the forced end itself waited for ever. Now the runaway's thread is replaced first.
     */
    @Test
    void aFallbackAtTheDeadlineMayWaitForATaskOnTheRuntimeItsRunawayBodyHolds() {
        for (String runtime : List.of("single", "one")) {
            CountDownLatch never = latches.next();
            SpawningTask<String> task = orchestrator.to(String.class).runtime(runtime).timeout(Duration.ofMillis(50))
                    .fallback(timedOut -> orchestrator.to(String.class).runtime(runtime).await(() -> "fallback"))
                    .run(() -> {
                        Work.awaitIgnoringInterrupts(never);
                        return "body";
                    });
            TaskResult<String> result = assertTimeoutPreemptively(HANG, task::result,
                    () -> "the fallback of a runaway on " + runtime + " hung");
            assertThat(result.orElseThrow()).isEqualTo("fallback");
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
            never.countDown();
        }
    }

    /**
     * The same across a subtree: the forced end ends the children first, completing their futures (whose
     * callbacks run on the ending thread) before it reached the runaway parent that holds the runtime's only
     * thread. A callback waiting for a task on that runtime hung the parent's forced end, so its waiters too.
     */
    @Test
    void callbacksRunByADeadlinesForcedEndMayWaitForATaskOnTheRuntimeARunawayAncestorHolds() {
        for (String runtime : List.of("single", "one")) {
            CountDownLatch never = latches.next();
            CountDownLatch childRuns = new CountDownLatch(1);
            List<String> seen = new CopyOnWriteArrayList<>();
            // A deadline the callback's registration surely beats, even on a loaded machine: registered after the
            // forced end, the callback ran at once in the runaway body, where starting a task is refused
            SpawningTask<String> parent = orchestrator.to(String.class).runtime(runtime).timeout(Duration.ofSeconds(1))
                    .run(() -> {
                        SpawningTask<String> child = TaskContext.current().orElseThrow().child(String.class)
                                .runtime("virtual").run(() -> {
                                    childRuns.countDown();
                                    Work.awaitIgnoringInterrupts(never);
                                    return "child";
                                });
                        child.toCompletableFuture().whenComplete((value, error) -> seen.add(
                                orchestrator.to(String.class).runtime(runtime).await(() -> "callback")));
                        Work.awaitIgnoringInterrupts(childRuns);
                        Work.awaitIgnoringInterrupts(never);
                        return "parent";
                    });
            assertTimeoutPreemptively(HANG, parent::result,
                    () -> "the forced end of a runaway parent on " + runtime + " hung in its child's callback");
            assertThat(parent.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(seen).containsExactly("callback");
            never.countDown();
        }
    }
}
