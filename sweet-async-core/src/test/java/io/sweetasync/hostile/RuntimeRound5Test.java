package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile review, round 5, of SPEC 1.5 and 1.7 (runtimes and deadlines under hostile timing): each test names the
 * promise it attacks. Hangs are bounded (assertTimeoutPreemptively, bounded waits); no timing assertions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RuntimeRound5Test {

    private static final Duration HANG = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1))
            .runtime(TaskRuntime.platform("two", 2))
            .runtime(TaskRuntime.executor("direct", Runnable::run))
            .build();
    private final Latches latches = new Latches();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    /**
     * A child cancelled while it waits for its runtime ends on the thread that cancels it: here its parent's body,
     * and the callbacks of the child's {@code toCompletableFuture()} run there. User code (a guest): an interrupt
     * it leaves is no stop of the parent, whose next blocking call must not fail for it.
     */
    @ParameterizedTest
    @ValueSource(strings = { "single", "one" })
    void anInterruptACompletionCallbackLeavesOnItsParentsThreadDoesNotReachTheParent(String runtime) {
        SpawningTask<String> parent = orchestrator.to(String.class).runtime(runtime).run(() -> {
            SpawningTask<String> child = orchestrator.to(String.class).run(() -> "never"); // queued behind its parent
            child.toCompletableFuture().whenComplete((value, error) -> Thread.currentThread().interrupt());
            child.cancel();
            boolean interrupted = Thread.currentThread().isInterrupted();
            Thread.sleep(1); // a blocking call
            return child.status() + ", interrupted: " + interrupted;
        });
        assertThat(assertTimeoutPreemptively(HANG, parent::result)).isEqualTo(TaskResult.ok("CANCELLED, interrupted: false"));
    }

    /**
     * The other way round: a parent cancelled (its stop's interrupt pending) cancels its queued child, whose
     * completion callback, run on the parent's thread, swallows the interrupt. The stop must still reach the parent
     * body, else it blocks on, holding the runtime's only slot.
     */
    @ParameterizedTest
    @ValueSource(strings = { "single", "one" })
    void aStopACompletionCallbackSwallowsOnItsParentsThreadStillReachesTheParent(String runtime) throws Exception {
        CountDownLatch never = latches.next();
        AtomicReference<SpawningTask<String>> self = new AtomicReference<>();
        CountDownLatch handed = new CountDownLatch(1);
        AtomicReference<String> seen = new AtomicReference<>("not run");
        SpawningTask<String> parent = orchestrator.to(String.class).runtime(runtime).run(() -> {
            handed.await();
            SpawningTask<String> child = orchestrator.to(String.class).run(() -> "never");
            child.toCompletableFuture().whenComplete((value, error) -> Thread.interrupted());
            self.get().cancel(); // its own stop: the interrupt is pending now
            child.cancel();
            try {
                never.await(10, TimeUnit.SECONDS);
                seen.set("waited on");
            }
            catch (InterruptedException ex) {
                seen.set("interrupted");
            }
            return "returned";
        });
        self.set(parent);
        handed.countDown();
        assertThat(assertTimeoutPreemptively(HANG, () -> orchestrator.to(String.class).runtime(runtime).await(() -> "next")))
                .isEqualTo("next");
        assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(seen.get()).isEqualTo("interrupted");
    }

    /**
     * SPEC 1.5: "exactly one terminal status per task, even when completion, cancellation and timeout race". Bodies
     * return right around deadlines of 1 ns to a few hundred microseconds, on every kind of runtime: whatever wins,
     * status, snapshot, {@code result()}, {@code get()}, the future and the one {@code onFinished} call agree.
     */
    @ParameterizedTest
    @ValueSource(strings = { "virtual", "single", "two", "direct" })
    void aDeadlineRacingTheBodysReturnGivesOneEndSeenAlikeEverywhere(String runtime) throws Exception {
        Map<String, List<TaskStatus>> told = new ConcurrentHashMap<>();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                told.computeIfAbsent(task.id().toString(), id -> new CopyOnWriteArrayList<>())
                        .add(task.status());
            }
        });
        List<SpawningTask<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            long timeout = 1 + (i * 7919L) % 300_000;
            long spin = (i * 104_729L) % 300_000;
            var builder = orchestrator.to(Integer.class).runtime(runtime).timeout(Duration.ofNanos(timeout));
            tasks.add((i % 2 == 0 ? builder : builder.fallback(error -> -1)).run(() -> {
                        long end = System.nanoTime() + spin;
                        while (System.nanoTime() < end) {
                            Thread.onSpinWait();
                        }
                        return 1;
                    }));
        }
        for (int i = 0; i < tasks.size(); i++) {
            SpawningTask<Integer> task = tasks.get(i);
            TaskResult<Integer> result = assertTimeoutPreemptively(HANG, task::result);
            TaskStatus status = task.status();
            assertThat(task.info().status()).isEqualTo(status);
            Integer got;
            try {
                got = task.get();
            }
            catch (ExecutionException ex) {
                got = null;
                assertThat(ex.getCause()).isInstanceOf(TaskTimeoutException.class);
            }
            Integer future = task.toCompletableFuture().exceptionally(error -> null).join();
            assertThat(got).isEqualTo(future).isEqualTo(result.orElse(null));
            if (status == TaskStatus.COMPLETED) {
                assertThat(result.orElseThrow()).isEqualTo(1);
            }
            else {
                assertThat(status).isEqualTo(TaskStatus.TIMED_OUT);
                if (i % 2 == 0) {
                    assertThat(((TaskResult.Err<Integer>) result).error()).isInstanceOf(TaskTimeoutException.class);
                }
                else {
                    assertThat(result).isEqualTo(TaskResult.ok(-1));
                }
            }
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // a second call would come now
        for (SpawningTask<Integer> task : tasks) {
            assertThat(told.get(task.id().toString())).as("onFinished of %s", task.id()).containsExactly(task.status());
        }
    }

    /**
     * A body that ignores its interrupt and returns right around the deadline's grace races the forced end (runaway)
     * against its own end, on the single runtime: whichever wins, the task ends once, no runaway is left counted,
     * and the runtime runs one body at a time again afterwards.
     */
    @Test
    void aBodyReturningAsItsForcedEndComesLeavesNoRunawayAndOneSlot() throws Exception {
        List<SpawningTask<Integer>> tasks = new ArrayList<>();
        AtomicInteger ends = new AtomicInteger();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                ends.incrementAndGet();
            }
        });
        for (int i = 0; i < 60; i++) {
            long sleep = TimeUnit.MICROSECONDS.toNanos(97_000 + (i % 13) * 500);
            tasks.add(orchestrator.to(Integer.class).runtime("single").timeout(Duration.ofMillis(1)).run(() -> {
                long end = System.nanoTime() + sleep;
                for (long left; (left = end - System.nanoTime()) > 0;) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(left);
                    }
                    catch (InterruptedException ignored) {
                        // a runaway: goes on
                    }
                }
                return 1;
            }));
        }
        for (SpawningTask<Integer> task : tasks) {
            assertThat(assertTimeoutPreemptively(HANG, task::result).isOk()).isFalse();
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
        long deadline = System.nanoTime() + HANG.toNanos();
        while ((orchestrator.runawayCount() != 0 || orchestrator.runtimes().get("single").snapshot().running() != 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(orchestrator.runawayCount()).isZero();
        assertThat(orchestrator.runtimes().get("single").snapshot().running()).isZero();
        assertThat(ends.get()).isEqualTo(tasks.size());
        assertThat(mostBodiesAtOnce("single")).isEqualTo(1);
    }

    /**
     * An interrupt left on a pooled worker between bodies (here by the {@code onFinished} listener of the task that
     * ran there) is no one's: not the next task's body, and not its {@code onStarted} listener either, which runs on
     * that thread just before the body (a listener writing to a channel would have it closed by the interrupt).
     */
    @ParameterizedTest
    @ValueSource(strings = { "single", "one" })
    void anInterruptLeftOnAWorkerBetweenBodiesDoesNotReachTheNextTasksOnStartedListener(String runtime) throws Exception {
        Map<String, Boolean> interruptedOnStart = new ConcurrentHashMap<>();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                interruptedOnStart.put(task.name(), Thread.currentThread().isInterrupted());
            }

            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("first")) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CountDownLatch running = latches.next();
        CountDownLatch release = latches.next();
        SpawningTask<String> first = orchestrator.to(String.class).named("first").runtime(runtime).run(() -> {
            running.countDown();
            release.await();
            return "first";
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        SpawningTask<String> next = orchestrator.to(String.class).named("next").runtime(runtime).run(() -> "next");
        release.countDown();
        assertThat(assertTimeoutPreemptively(HANG, first::join)).isEqualTo("first");
        assertThat(assertTimeoutPreemptively(HANG, next::join)).isEqualTo("next");
        assertThat(interruptedOnStart).containsEntry("next", false);
    }

    /**
     * A body on the single runtime runs a child on a caller-runs executor (the child's body nested on the single
     * thread), and both ignore their interrupts past the parent's deadline: two runaways, one thread. The runtime
     * replaces that thread once, not once per runaway: the other tasks still run one at a time meanwhile.
     */
    @Test
    void runawaysNestedOnOneThreadOfTheSingleRuntimeCostItOneThreadNotTwo() throws Exception {
        CountDownLatch nestedRunning = latches.next();
        CountDownLatch release = latches.next();
        SpawningTask<String> parent = orchestrator.to(String.class).runtime("single").timeout(Duration.ofSeconds(1))
                .run(() -> orchestrator.to(String.class).runtime("direct").run(() -> {
                    nestedRunning.countDown();
                    Latches.awaitIgnoringInterrupts(release);
                    return "nested";
                }).result().toString());
        assertThat(nestedRunning.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(assertTimeoutPreemptively(HANG, parent::result).isOk()).isFalse();
        assertThat(orchestrator.runawayCount()).isEqualTo(2);
        assertThat(mostBodiesAtOnce("single")).as("bodies at once on the single runtime beside its runaway thread")
                .isEqualTo(1);
        release.countDown();
        long deadline = System.nanoTime() + HANG.toNanos();
        while (orchestrator.runawayCount() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(orchestrator.runawayCount()).isZero();
    }

    /** Runs six short bodies on {@code runtime} at once; returns how many ran at the same time at most. */
    private int mostBodiesAtOnce(String runtime) {
        AtomicInteger active = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        List<SpawningTask<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tasks.add(orchestrator.to(Integer.class).runtime(runtime).run(() -> {
                max.accumulateAndGet(active.incrementAndGet(), Math::max);
                Thread.sleep(20);
                active.decrementAndGet();
                return 1;
            }));
        }
        for (SpawningTask<Integer> task : tasks) {
            assertThat(assertTimeoutPreemptively(HANG, task::join)).isEqualTo(1);
        }
        return max.get();
    }

    /**
     * SPEC 1.7 with deadlines: chains of tasks six deep on a one- or two-slot runtime, each joining the next
     * (join, get with a bound, result), each with its own deadline racing the others' and the bodies' returns. Every
     * task ends, and the runtime is left as it was: no body counted running or blocked, no runaway.
     */
    @ParameterizedTest
    @ValueSource(strings = { "single", "two" })
    void nestedJoinsWhoseDeadlinesRaceLeaveTheRuntimeAsItWas(String runtime) throws Exception {
        List<SpawningTask<Integer>> roots = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(runtime.hashCode());
        for (int round = 0; round < 60; round++) {
            long[] timeouts = new long[7];
            for (int level = 0; level < timeouts.length; level++) {
                timeouts[level] = 1_000 + random.nextLong(3_000_000);
            }
            int how = round % 3;
            roots.add(orchestrator.to(Integer.class).runtime(runtime).timeout(Duration.ofNanos(timeouts[0]))
                    .run(() -> level(runtime, timeouts, 1, how)));
        }
        for (SpawningTask<Integer> root : roots) {
            assertTimeoutPreemptively(HANG, root::result);
        }
        TaskRuntime pool = orchestrator.runtimes().get(runtime);
        long deadline = System.nanoTime() + HANG.toNanos();
        while ((orchestrator.runawayCount() != 0 || pool.snapshot().running() != 0 || pool.snapshot().blocked() != 0
                || !orchestrator.roots().isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(orchestrator.roots()).isEmpty();
        assertThat(orchestrator.runawayCount()).isZero();
        assertThat(pool.snapshot().running()).isZero();
        assertThat(pool.snapshot().blocked()).isZero();
        assertThat(assertTimeoutPreemptively(HANG, () -> orchestrator.to(Integer.class).runtime(runtime).await(() -> 7)))
                .isEqualTo(7);
    }

    private int level(String runtime, long[] timeouts, int level, int how) throws Exception {
        if (level == timeouts.length) {
            long end = System.nanoTime() + timeouts[level - 1] / 2;
            while (System.nanoTime() < end) {
                Thread.sleep(0, 200_000);
            }
            return level;
        }
        SpawningTask<Integer> child = orchestrator.to(Integer.class).runtime(runtime)
                .timeout(Duration.ofNanos(timeouts[level])).run(() -> level(runtime, timeouts, level + 1, how));
        return switch (how) {
            case 0 -> child.join();
            case 1 -> child.get(10, TimeUnit.SECONDS);
            default -> child.result().orElse(-1);
        };
    }

    /**
     * SPEC 1.5 and 1.9 under a racing close: roots (some with children) submitted to the single and a two-slot
     * runtime from two threads while a third closes the orchestrator. Every task ends, exactly once (one
     * {@code onFinished}), with a terminal status its result agrees with; none is left live.
     */
    @Test
    void tasksSubmittedWhileTheOrchestratorClosesEachEndOnce() throws Exception {
        for (int round = 0; round < 10; round++) {
            TaskOrchestrator closing = TaskOrchestrator.builder().runtime(TaskRuntime.platform("two", 2)).build();
            Map<String, AtomicInteger> ends = new ConcurrentHashMap<>();
            closing.addListener(new TaskListener() {
                @Override
                public void onFinished(TaskInfo task) {
                    ends.computeIfAbsent(task.id().toString(), id -> new AtomicInteger()).incrementAndGet();
                }
            });
            List<SpawningTask<Integer>> all = new CopyOnWriteArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> submitters = new ArrayList<>();
            for (String runtime : List.of("single", "two")) {
                submitters.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    }
                    catch (InterruptedException ex) {
                        return;
                    }
                    for (int i = 0; i < 150; i++) {
                        all.add(closing.to(Integer.class).runtime(runtime).run(() -> {
                            SpawningTask<Integer> child = closing.to(Integer.class).run(() -> {
                                Thread.sleep(0, 100_000);
                                return 2;
                            });
                            return 1 + child.result().orElse(0);
                        }));
                    }
                }));
            }
            start.countDown();
            Thread.sleep(round % 4);
            assertTimeoutPreemptively(HANG, closing::close);
            for (Thread submitter : submitters) {
                submitter.join(HANG.toMillis());
            }
            for (SpawningTask<Integer> task : all) {
                TaskResult<Integer> result = assertTimeoutPreemptively(HANG, task::result);
                assertThat(task.status().isTerminal()).isTrue();
                assertThat(result.isOk()).isEqualTo(task.status() == TaskStatus.COMPLETED);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            for (SpawningTask<Integer> task : all) {
                assertThat(ends.get(task.id().toString())).as("onFinished calls of %s (%s)", task.id(), task.status())
                        .hasValue(1);
            }
            assertThat(closing.roots()).isEmpty();
        }
    }

    /**
     * A deadline that fires while the single runtime's thread runs a nested body (a child on a caller-runs
     * executor, itself waiting for a task queued on the single runtime): the stop reaches the nested child first
     * (it is the innermost body), then its parent once the child returned; both end, without a runaway, the task
     * the child waited for still runs (holding the single slot, a body that does not wait in a managed block), and
     * the single runtime goes on once it returned.
     */
    @Test
    void aDeadlineFiringWhileTheSingleThreadRunsANestedWaitingBodyStopsBoth() throws Exception {
        CountDownLatch release = latches.next();
        CountDownLatch waiting = latches.next();
        AtomicReference<SpawningTask<String>> awaited = new AtomicReference<>();
        AtomicReference<SpawningTask<String>> nested = new AtomicReference<>();
        SpawningTask<String> parent = orchestrator.to(String.class).runtime("single").timeout(Duration.ofMillis(300))
                .run(() -> {
                    SpawningTask<String> child = orchestrator.to(String.class).runtime("direct").run(() -> {
                        SpawningTask<String> other = orchestrator.to(String.class).runtime("single").detached()
                                .run(() -> {
                                    release.await();
                                    return "other";
                                });
                        awaited.set(other);
                        waiting.countDown();
                        return other.join();
                    });
                    nested.set(child); // the child's body ran on this thread: it has returned
                    return child.join();
                });
        assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
        TaskResult<String> result = assertTimeoutPreemptively(HANG, parent::result);
        assertThat(result.isOk()).isFalse();
        assertThat(parent.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(nested.get().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(orchestrator.runawayCount()).isZero();
        assertThat(awaited.get().status()).isEqualTo(TaskStatus.RUNNING);
        release.countDown();
        assertThat(assertTimeoutPreemptively(HANG, awaited.get()::join)).isEqualTo("other");
        assertThat(assertTimeoutPreemptively(HANG, () -> orchestrator.to(String.class).runtime("single").await(() -> "next")))
                .isEqualTo("next");
    }

    /**
     * A body that runs on the thread ending its dependency (a task {@code after} another, on a caller-runs executor)
     * cancels a child waiting for a dependency of its own, then waits for the child's dependent, which that
     * cancellation ends: the wait must end, not wait for the body to return first.
     */
    @Test
    void aBodyRunAsItsDependencyEndsMayWaitForWhatItsOwnCancellationsEnd() throws Exception {
        CountDownLatch never = latches.next();
        SpawningTask<String> gate = orchestrator.to(String.class).run(() -> {
            never.await();
            return "gate";
        });
        SpawningTask<String> first = orchestrator.to(String.class).run(() -> "first");
        SpawningTask<String> next = orchestrator.to(String.class).runtime("direct").after(first).run(() -> {
            SpawningTask<String> pending = orchestrator.to(String.class).after(gate).run(() -> "pending");
            SpawningTask<String> dependent = orchestrator.to(String.class).after(pending).run(() -> "dependent");
            pending.cancel();
            return dependent.result().isOk() + " " + dependent.status();
        });
        assertThat(assertTimeoutPreemptively(HANG, next::result)).isEqualTo(TaskResult.ok("false CANCELLED"));
    }

    /**
     * The same from a completion callback of {@code toCompletableFuture()}, which runs on the thread that ended
     * its task: it cancels a task waiting for a dependency and waits for that task's dependent.
     */
    @Test
    void aCompletionCallbackMayWaitForWhatItsOwnCancellationsEnd() throws Exception {
        CountDownLatch never = latches.next();
        SpawningTask<String> gate = orchestrator.to(String.class).run(() -> {
            never.await();
            return "gate";
        });
        SpawningTask<String> pending = orchestrator.to(String.class).after(gate).run(() -> "pending");
        SpawningTask<String> dependent = orchestrator.to(String.class).after(pending).run(() -> "dependent");
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<String> first = orchestrator.to(String.class).run(() -> {
            go.await();
            return "first";
        });
        var seen = first.toCompletableFuture().thenApply(value -> {
            pending.cancel();
            return dependent.result().isOk() + " " + dependent.status();
        });
        go.countDown();
        assertThat(assertTimeoutPreemptively(HANG, () -> seen.get())).isEqualTo("false CANCELLED");
    }

    /**
     * SPEC 1.7 with a concurrency group: a body holding its group's only permit waits for a task of that group
     * through a child whose body runs nested on its thread (a caller-runs executor). The parent waits as much as the
     * child does: its permit is lent for the wait as its own wait would lend it, else the awaited task never gets it.
     */
    @ParameterizedTest
    @ValueSource(strings = { "virtual", "single" })
    void aBodyWaitingThroughANestedChildLendsItsGroupPermit(String runtime) {
        try (TaskOrchestrator grouped = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("direct", Runnable::run))
                .group("one", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 1,
                        Duration.ofHours(1)))
                .build()) {
            String result = assertTimeoutPreemptively(HANG, () -> grouped.to(String.class).runtime(runtime).group("one")
                    .await(() -> grouped.to(String.class).runtime("direct")
                            .run(() -> grouped.to(String.class).group("one").run(() -> "grouped").join()).join()));
            assertThat(result).isEqualTo("grouped");
        }
    }

    /**
     * A body that a caller-runs executor runs nested in another's (on its thread) and that waits for that other task,
     * or one of its ancestors, waits for a task that ends only after the waiter returns: refused at once, naming
     * both, as a wait for an ancestor is, even when the nested task is detached (no ancestor of its own).
     */
    @ParameterizedTest
    @ValueSource(strings = { "outer", "its parent" })
    void aNestedBodyWaitingForTheBodyItRunsInIsRefusedNotHung(String awaited) throws Exception {
        CountDownLatch handed = new CountDownLatch(1);
        AtomicReference<SpawningTask<String>> parentRef = new AtomicReference<>();
        AtomicReference<SpawningTask<String>> outerRef = new AtomicReference<>();
        SpawningTask<String> parent = orchestrator.to(String.class).runtime("single").run(() -> {
            SpawningTask<String> outer = orchestrator.to(String.class).runtime("single").run(() -> {
                handed.await();
                SpawningTask<String> target = awaited.equals("outer") ? outerRef.get() : parentRef.get();
                return orchestrator.to(String.class).runtime("direct").detached().run(target::join).result()
                        .recover(error -> error.getCause().getClass().getSimpleName() + ": "
                                + error.getCause().getMessage())
                        .orElseThrow();
            });
            outerRef.set(outer);
            return outer.join();
        });
        parentRef.set(parent);
        long deadline = System.nanoTime() + HANG.toNanos();
        while (outerRef.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        handed.countDown();
        String said = assertTimeoutPreemptively(HANG, parent::join);
        assertThat(said).startsWith("IllegalStateException: ").contains("cannot wait for");
    }

    /**
     * {@code shutdown(grace)} called by a body does not wait for that body's own tree (it cannot end while the call
     * waits): nor for the tree of the body it runs nested in (a caller-runs executor ran it on that body's thread),
     * which cannot end either. With a grace of a day it waited that long.
     */
    @Test
    void aShutdownCalledFromANestedBodyDoesNotWaitForTheBodyItRunsIn() throws Exception {
        SpawningTask<Boolean> outer = orchestrator.to(Boolean.class).runtime("single").run(() -> orchestrator
                .to(Boolean.class).runtime("direct").detached().run(() -> orchestrator.shutdown(Duration.ofDays(1))).join());
        assertThat(assertTimeoutPreemptively(HANG, outer::join)).isTrue();
    }

    /**
     * The same from an {@code onFinished} listener of a task ended by its upstream's failure (a {@code chain} link,
     * ended as the upstream's end is passed down, on that thread).
     */
    @Test
    void aListenerOfAPassedDownEndMayWaitForWhatItsOwnCancellationsEnd() throws Exception {
        CountDownLatch never = latches.next();
        SpawningTask<String> gate = orchestrator.to(String.class).run(() -> {
            never.await();
            return "gate";
        });
        SpawningTask<String> pending = orchestrator.to(String.class).after(gate).run(() -> "pending");
        SpawningTask<String> dependent = orchestrator.to(String.class).after(pending).run(() -> "dependent");
        AtomicReference<String> seen = new AtomicReference<>();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().equals("link")) {
                    pending.cancel();
                    seen.set(dependent.result().isOk() + " " + dependent.status());
                }
            }
        });
        CountDownLatch go = new CountDownLatch(1);
        SpawningTask<String> upstream = orchestrator.to(String.class).run(() -> {
            go.await();
            throw new IllegalStateException("upstream failed");
        });
        SpawningTask<String> link = orchestrator.to(String.class).named("link").after(upstream).run(() -> "link");
        go.countDown();
        assertThat(assertTimeoutPreemptively(HANG, link::result).isOk()).isFalse();
        assertThat(seen.get()).isEqualTo("false CANCELLED");
    }

    /**
     * {@code joinChildren()} of a task, called by a body that runs nested (a caller-runs executor, detached) in the
     * body of one of those children: it would wait for the body below it on its own thread. Refused at once, as a
     * child's own call is.
     */
    @Test
    void aNestedBodyJoiningTheChildrenOfATaskOneOfWhichItRunsInIsRefused() {
        SpawningTask<String> parent = orchestrator.to(String.class).runtime("single").run(() -> {
            TaskContext parentContext = TaskContext.current().orElseThrow();
            SpawningTask<String> child = parentContext.child(String.class).run(() -> orchestrator.to(String.class)
                    .runtime("direct").detached().run(() -> parentContext.joinChildren().toString()).result()
                    .recover(error -> error.getCause().getClass().getSimpleName()).orElseThrow());
            return child.join();
        });
        assertThat(assertTimeoutPreemptively(HANG, parent::join)).isEqualTo("IllegalStateException");
    }
}
