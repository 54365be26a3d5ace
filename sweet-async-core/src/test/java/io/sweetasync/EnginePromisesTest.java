package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.ContextPropagator;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Promises the engine broke under hostile timing or input: each test failed (or hung) before the fix.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EnginePromisesTest {

    private static final Duration NEVER = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    private TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // ---- the terminal decision ------------------------------------------------------------------

    /** cancel() returns true exactly when the task ends CANCELLED, however it races the body's return. */
    @RepeatedTest(5)
    void cancelReturnsTrueExactlyWhenTheTaskEndsCancelled() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            SpawningTask<Integer> task = orchestrator.to(Integer.class).run(() -> 1);
            if (i % 2 == 0) {
                Thread.onSpinWait();
            }
            boolean cancelled = task.cancel();
            task.result();
            assertThat(task.status() == TaskStatus.CANCELLED).as("cancel() said %s, task ended %s", cancelled,
                    task.status()).isEqualTo(cancelled);
        }
    }

    /** Cancelling the CompletableFuture of a task that is timing out does not claim a cancellation. */
    /**
     * A body waiting on its own task's future (or an ancestor's) would wait for ever: refused as
     * {@code join()} is, on every runtime.
     */
    @Test
    @Timeout(30)
    void aBodyWaitingOnItsOwnTasksFutureIsRefused() throws Exception {
        for (String runtime : List.of("virtual", "platform", "single")) {
            CompletableFuture<SpawningTask<String>> self = new CompletableFuture<>();
            SpawningTask<String> task = orchestrator.to(String.class).runtime(runtime).run(() -> {
                SpawningTask<String> me = self.get();
                String joined = refusal(() -> me.toCompletableFuture().join());
                String got = refusal(() -> me.toCompletableFuture().get());
                SpawningTask<?> child = orchestrator.to(String.class).run(
                        () -> refusal(() -> me.toCompletableFuture().join()));
                return joined + " | " + got + " | " + child.join();
            });
            self.complete(task);
            assertThat(task.join()).as(runtime).contains("cannot wait for itself").contains("its ancestor")
                    .doesNotContain("no refusal");
        }
    }

    private static String refusal(Callable<?> wait) {
        try {
            wait.call();
            return "no refusal";
        }
        catch (IllegalStateException ex) {
            return ex.getMessage();
        }
        catch (Exception ex) {
            return "no refusal: " + ex;
        }
    }

    /**
     * One builder run as a root, as a child inside a task, and as a root again (the starter's aspect keeps
     * one builder per method, and tasks made alike share their resolved settings): each task has its own
     * place in the tree, its parent's runtime and priority as a child, the defaults as a root.
     */
    @Test
    @Timeout(30)
    void oneBuilderRunAsRootAndAsChildGivesEachTaskItsOwnPlace() throws Exception {
        SpawningTaskBuilder<String> alike = orchestrator.to(String.class).named("alike");
        Callable<String> work = () -> TaskContext.current().orElseThrow().parent()
                .map(TaskInfo::name).orElse("no parent"); // one class for all three: made alike
        CountDownLatch rootRan = new CountDownLatch(1);
        SpawningTask<?>[] child = new SpawningTask<?>[1];
        SpawningTask<String> parent = orchestrator.to(String.class).named("parent").runtime("platform")
                .priority(TaskPriority.HIGH).run(() -> {
                    rootRan.await(); // the same builder's root is made in between
                    child[0] = alike.run(work);
                    return (String) child[0].join();
                });
        SpawningTask<String> first = alike.run(work);
        assertThat(first.join()).isEqualTo("no parent");
        rootRan.countDown();
        assertThat(parent.join()).isEqualTo("parent");
        SpawningTask<String> last = alike.run(work);
        assertThat(last.join()).isEqualTo("no parent");
        for (SpawningTask<?> root : List.of(first, last)) {
            assertThat(root.info().parentId()).isNull();
            assertThat(root.info().path()).isEqualTo("alike#" + root.id());
            assertThat(root.info().runtime()).isEqualTo("virtual");
            assertThat(root.info().priority()).isEqualTo(TaskPriority.NORMAL);
        }
        assertThat(child[0].info().parentId()).isEqualTo(parent.id());
        assertThat(child[0].info().runtime()).isEqualTo("platform");
        assertThat(child[0].info().priority()).isEqualTo(TaskPriority.HIGH);
        assertThat(orchestrator.recent()).extracting(TaskInfo::id).contains(first.id(), last.id())
                .doesNotContain(child[0].id());
    }

    @Test
    void cancellingTheFutureOfATimedOutTaskReportsNoCancellation() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<String> task = orchestrator.to(String.class).timeout(Duration.ofMillis(50))
                .fallback(error -> "fallback").run(() -> {
                    Work.awaitIgnoringInterrupts(release);
                    return "body";
                });
        CompletableFuture<String> future = task.toCompletableFuture();
        await().atMost(Duration.ofSeconds(30)).until(() -> task.status() == TaskStatus.TIMED_OUT);
        assertThat(future.cancel(true)).isFalse();
        assertThat(future.join()).isEqualTo("fallback");
        assertThat(future.isCancelled()).isFalse();
        release.countDown();
    }

    // ---- user code runs outside a finished task -------------------------------------------------

    @Test
    void aTaskStartedFromACompletionCallbackIsARootNotAChildOfTheFinishedTask() {
        for (String runtime : List.of("virtual", "platform", "single")) {
            String result = orchestrator.to(String.class).runtime(runtime).run(() -> "first").toCompletableFuture()
                    .thenCompose(first -> orchestrator.to(String.class).run(() -> first + "+second").toCompletableFuture())
                    .join();
            assertThat(result).isEqualTo("first+second");
        }
        assertThat(orchestrator.recent()).allSatisfy(root -> assertThat(root.parentId()).isNull());
    }

    @Test
    void theFallbackOfATimedOutTaskRunsWithoutTheInterruptAndMayBlock() {
        AtomicBoolean interruptedInFallback = new AtomicBoolean(true);
        String result = orchestrator.to(String.class).timeout(Duration.ofMillis(20)).fallback(error -> {
            interruptedInFallback.set(Thread.currentThread().isInterrupted());
            try {
                Thread.sleep(5); // fails at once if the interrupt were still pending
                return "fallback";
            }
            catch (InterruptedException ex) {
                return "interrupted";
            }
        }).await(Blocking.untilInterrupted());
        assertThat(result).isEqualTo("fallback");
        assertThat(interruptedInFallback).isFalse();
    }

    /** A slow fallback of a task that timed out while QUEUED does not hold the timer up for other deadlines. */
    @Test
    void aSlowFallbackOfAQueuedTaskDoesNotDelayOtherDeadlines() throws Exception {
        orchestrator.close();
        orchestrator = TaskOrchestrator.builder().group("one", LimiterConfig.defaults()
                .withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(1, 1, 1)).build();
        CountDownLatch holderRunning = new CountDownLatch(1);
        SpawningTask<String> holder = orchestrator.to(String.class).group("one").run(() -> {
            holderRunning.countDown();
            Thread.sleep(Long.MAX_VALUE);
            return "never";
        });
        holderRunning.await();
        CountDownLatch fallbackEntered = new CountDownLatch(1);
        CountDownLatch fallbackMayEnd = new CountDownLatch(1);
        AtomicReference<String> fallbackThread = new AtomicReference<>();
        SpawningTask<String> queued = orchestrator.to(String.class).group("one").timeout(Duration.ofMillis(20))
                .fallback(error -> {
                    fallbackThread.set(Thread.currentThread().getName());
                    fallbackEntered.countDown();
                    Work.awaitIgnoringInterrupts(fallbackMayEnd);
                    return "fallback";
                }).run(() -> "queued");
        assertThat(fallbackEntered.await(30, TimeUnit.SECONDS)).isTrue();
        // While that fallback blocks, another task's deadline still fires.
        SpawningTask<String> other = orchestrator.to(String.class).timeout(Duration.ofMillis(20))
                .run(Blocking.untilInterrupted());
        assertThat(other.result().isOk()).isFalse();
        assertThat(other.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(fallbackThread.get()).doesNotMatch("sweet-async-timer-\\d+");
        fallbackMayEnd.countDown();
        assertThat(queued.join()).isEqualTo("fallback");
        holder.cancel();
    }

    // ---- user callbacks that throw --------------------------------------------------------------

    @Test
    void aThrowingProgressSupplierNeitherHangsTheTaskNorKillsTheSingleThread() {
        for (int round = 0; round < 3; round++) {
            SpawningTask<String> task = orchestrator.to(String.class).runtime("single")
                    .retry(RetryPolicy.fixed(1, Duration.ofMillis(1))).run(() -> {
                        TaskContext context = TaskContext.current().orElseThrow();
                        context.progress("rows", () -> {
                            throw new IllegalStateException("supplier broke");
                        });
                        context.progress("ok", () -> 7);
                        if (context.attempt() == 1) {
                            throw new java.io.IOException("retry me");
                        }
                        return "done";
                    });
            assertThat(task.join()).isEqualTo("done");
            assertThat(task.info().progress()).containsOnlyKeys("ok");
        }
        assertThat(orchestrator.roots()).isEmpty();
    }

    @Test
    void aPropagatorThatThrowsAnywhereIsLoggedAndSkipped() {
        orchestrator.close();
        ContextPropagator brokenFinish = task -> new ContextPropagator.Captured() {
            @Override
            public ContextPropagator.Scope restore() {
                return () -> {
                    throw new IllegalStateException("closer broke");
                };
            }

            @Override
            public void finished(TaskInfo task) {
                throw new AssertionError("finished broke");
            }
        };
        ContextPropagator brokenCapture = task -> {
            throw new AssertionError("capture broke");
        };
        orchestrator = TaskOrchestrator.builder().contextPropagator(brokenFinish).contextPropagator(brokenCapture)
                .build();
        for (String runtime : List.of("virtual", "single")) {
            SpawningTask<String> task = orchestrator.to(String.class).runtime(runtime).run(() -> "value");
            assertThat(task.join()).isEqualTo("value");
            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
            SpawningTask<String> failing = orchestrator.to(String.class).runtime(runtime).run(() -> {
                throw new java.io.IOException("the body's own failure");
            });
            assertThatThrownBy(failing::join).isInstanceOf(TaskFailedException.class)
                    .hasCauseInstanceOf(java.io.IOException.class);
        }
        assertThat(orchestrator.roots()).isEmpty();
    }

    @Test
    void aListenerThatThrowsErrorsCannotBreakATask() {
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                throw new AssertionError("listener broke");
            }

            @Override
            public void onFinished(TaskInfo task) {
                throw new StackOverflowError("listener broke again");
            }
        });
        for (String runtime : List.of("virtual", "platform", "single")) {
            assertThat(orchestrator.to(Integer.class).runtime(runtime).await(() -> 7)).isEqualTo(7);
        }
        assertThat(orchestrator.roots()).isEmpty();
    }

    // ---- durations ------------------------------------------------------------------------------

    @Test
    void aHugeTimeoutMeansPracticallyNever() {
        for (Duration huge : List.of(Duration.ofMillis(Long.MAX_VALUE), NEVER)) {
            assertThat(orchestrator.to(String.class).timeout(huge).await(() -> "ran")).isEqualTo("ran");
        }
        assertThat(orchestrator.roots()).isEmpty();
    }

    @Test
    void aHugeRetryDelayWaitsPracticallyForeverButCanBeCancelled() {
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<String> task = orchestrator.to(String.class).retry(RetryPolicy.fixed(1, NEVER)).run(() -> {
            attempts.incrementAndGet();
            throw new java.io.IOException("fails");
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> attempts.get() == 1);
        assertThat(task.isDone()).isFalse();
        assertThat(task.cancel()).isTrue();
        assertThat(task.result().isOk()).isFalse();
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void hugeRetryDelaysSaturateInsteadOfOverflowing() {
        Duration maxNanos = Duration.ofNanos(Long.MAX_VALUE);
        RetryPolicy exponential = RetryPolicy.exponential(5, NEVER, NEVER).withJitter(0.5);
        assertThat(exponential.nextDelay(3, new java.io.IOException())).contains(maxNanos);
        assertThat(RetryPolicy.fixed(2, NEVER).withJitter(0.3).nextDelay(1, new java.io.IOException()))
                .hasValueSatisfying(delay -> assertThat(delay).isGreaterThanOrEqualTo(maxNanos));
        assertThat(RetryPolicy.exponential(70, Duration.ofMillis(1), NEVER).nextDelay(70, new java.io.IOException()))
                .contains(maxNanos);
    }

    @Test
    void shutdownTakesAnyGraceAndRejectsANegativeOne() {
        assertThatThrownBy(() -> orchestrator.shutdown(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grace").hasMessageContaining("PT-0.001S");
        assertThat(orchestrator.shutdown(NEVER)).isTrue();
    }

    @Test
    void aHugeGroupMaxWaitQueuesWithoutExpiring() throws Exception {
        orchestrator.close();
        orchestrator = TaskOrchestrator.builder().group("slow", LimiterConfig.defaults()
                .withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(1, 1, 1).withMaxWait(NEVER)).build();
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<String> holder = orchestrator.to(String.class).group("slow").run(() -> {
            release.await();
            return "first";
        });
        SpawningTask<String> queued = orchestrator.to(String.class).group("slow").run(() -> "second");
        await().atMost(Duration.ofSeconds(30)).until(() -> queued.status() == TaskStatus.QUEUED);
        release.countDown();
        assertThat(holder.join()).isEqualTo("first");
        assertThat(queued.join()).isEqualTo("second");
    }

    // ---- the limiter's queue and timers ---------------------------------------------------------

    /** A task cancelled while its permit request is being queued leaves no slot in the queue. */
    @Test
    void cancellingWhileQueueingForAPermitLeavesNoQueueSlot() throws Exception {
        orchestrator.close();
        orchestrator = TaskOrchestrator.builder().group("tight", LimiterConfig.defaults()
                .withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(1, 1, 1).withQueueCapacity(4))
                .build();
        CountDownLatch release = new CountDownLatch(1);
        SpawningTask<String> holder = orchestrator.to(String.class).group("tight").run(() -> {
            release.await();
            return "holder";
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> holder.status() == TaskStatus.RUNNING);
        for (int i = 0; i < 2_000; i++) {
            SpawningTask<String> task = orchestrator.to(String.class).group("tight").run(() -> "never");
            Thread canceller = Thread.ofPlatform().start(task::cancel);
            canceller.join();
            task.result();
        }
        assertThat(orchestrator.limiters().getFirst().queued()).isZero();
        SpawningTask<String> last = orchestrator.to(String.class).group("tight").run(() -> "last");
        release.countDown();
        assertThat(last.join()).isEqualTo("last");
    }

    /** Finished tasks and their values are not kept reachable by limiter wait timers until max wait. */
    @Test
    void finishedTasksOfAGroupAreNotRetainedByWaitTimers() {
        orchestrator.close();
        orchestrator = TaskOrchestrator.builder().historySize(0).group("busy", LimiterConfig.defaults()
                .withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(2, 2, 2)
                .withMaxWait(Duration.ofMinutes(2))).build();
        List<WeakReference<byte[]>> values = new ArrayList<>();
        List<SpawningTask<byte[]>> tasks = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            tasks.add(orchestrator.to(byte[].class).group("busy").run(() -> new byte[10_000]));
        }
        for (SpawningTask<byte[]> task : tasks) {
            values.add(new WeakReference<>(task.join()));
        }
        tasks.clear();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            System.gc();
            assertThat(values.stream().filter(ref -> ref.get() != null).count()).isZero();
        });
    }

    /**
     * A finished task kept by its handle (or its parent, or its pending sampled figures) does not keep the
     * virtual thread its body ran on: the thread's object and stack are hundreds of bytes per task, held for
     * nothing once the body has returned. Ten children of a live parent, held by their handles.
     */
    @Test
    void aFinishedTaskDoesNotKeepItsVirtualThreadReachable() throws Exception {
        List<WeakReference<Thread>> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        List<SpawningTask<Integer>> children = new java.util.concurrent.CopyOnWriteArrayList<>();
        SpawningTask<Integer> parent = orchestrator.to(Integer.class).run(() -> {
            TaskContext context = TaskContext.current().orElseThrow();
            for (int i = 0; i < 10; i++) {
                children.add(context.runChild(() -> {
                    threads.add(new WeakReference<>(Thread.currentThread()));
                    return 1;
                }));
            }
            release.await();
            return 0;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> children.size() == 10
                && children.stream().allMatch(child -> child.status() == TaskStatus.COMPLETED));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            System.gc();
            assertThat(threads.stream().filter(ref -> ref.get() != null).count())
                    .as("virtual threads of finished children still reachable").isZero();
        });
        assertThat(children).allSatisfy(child -> assertThat(child.join()).isEqualTo(1));
        release.countDown();
        assertThat(parent.join()).isZero();
    }

    // ---- shutdown -------------------------------------------------------------------------------

    @Test
    void afterTheGraceNoQueuedBodyStarts() throws Exception {
        orchestrator.close();
        orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("one", 1)).build();
        CountDownLatch holderRunning = new CountDownLatch(1);
        orchestrator.to(String.class).runtime("one").run(() -> {
            holderRunning.countDown();
            Thread.sleep(Long.MAX_VALUE);
            return "never";
        });
        holderRunning.await();
        AtomicInteger started = new AtomicInteger();
        List<SpawningTask<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            queued.add(orchestrator.to(Integer.class).runtime("one").run(started::incrementAndGet));
        }
        assertThat(orchestrator.shutdown(Duration.ofMillis(50))).isFalse();
        assertThat(started).hasValue(0);
        assertThat(queued).allSatisfy(task -> assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED));
    }

    // ---- runaways -------------------------------------------------------------------------------

    /**
     * A body that ignores its interrupt does not hold its caller past the deadline: the task is
     * TIMED_OUT, shown as a runaway, and keeps its group permit until the body really returns.
     */
    @Test
    void aBodyIgnoringTheInterruptIsARunawayAndItsCallerIsReleased() {
        orchestrator.close();
        orchestrator = TaskOrchestrator.builder().group("g", LimiterConfig.defaults()
                .withAlgorithm(io.sweetasync.limit.LimitAlgorithm.FIXED).withLimits(4, 1, 4)).build();
        CountDownLatch bodyMayReturn = null;
        AtomicBoolean childStarted = new AtomicBoolean();
        // the deadline runs from submission: on a loaded machine it can pass before the body and its child have
        // started (then there are no two runaways), so such a run is repeated with a deadline twice as long; a
        // body of a run that fell short is let go first, and gives its permit back
        SpawningTask<String> task = null;
        for (Duration timeout = Duration.ofMillis(100); !childStarted.get(); timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the bodies could not reach").isLessThan(Duration.ofSeconds(30));
            CountDownLatch mine = new CountDownLatch(1);
            AtomicBoolean mineReturned = new AtomicBoolean();
            task = orchestrator.to(String.class).named("stubborn").group("g")
                    .timeout(timeout).run(() -> {
                        TaskContext.current().orElseThrow().runChild(() -> {
                            childStarted.set(true);
                            Work.awaitIgnoringInterrupts(mine);
                            return "child";
                        });
                        Work.awaitIgnoringInterrupts(mine);
                        mineReturned.set(true);
                        return "late";
                    });
            assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
            assertThat(mineReturned).isFalse();
            bodyMayReturn = mine;
            if (!childStarted.get()) { // a body that started without its child: let it go, and its permit
                mine.countDown();
                await().alias("the run that fell short gave its permit back").atMost(Duration.ofSeconds(30))
                        .until(() -> orchestrator.runawayCount() == 0
                                && orchestrator.limiters().getFirst().inFlight() == 0);
            }
        }
        assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(task.info().runaway()).isTrue();
        assertThat(orchestrator.runaways()).extracting(TaskInfo::name).contains("stubborn");
        assertThat(orchestrator.runawayCount()).isEqualTo(2); // the body and its child's
        assertThat(orchestrator.roots()).isEmpty();
        assertThat(orchestrator.limiters().getFirst().inFlight()).isEqualTo(1);
        bodyMayReturn.countDown();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(orchestrator.runawayCount()).isZero();
            assertThat(orchestrator.limiters().getFirst().inFlight()).isZero();
        });
        assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(task.info().runaway()).isFalse();
    }
}
