package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.AsyncTask;
import io.sweetasync.RetryPolicy;
import io.sweetasync.ShutdownWaits;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.Work;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hostile listeners, executors, deep and changing trees (SPEC 1.3, 1.5, 1.7, 1.8, 1.9). */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileTreesTest {

    private static final Duration HANG = Duration.ofSeconds(60);

    private final Latches latches = new Latches();
    private TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    // ---- listeners that cancel --------------------------------------------------------------------

    @Test
    void aListenerCancellingTheTaskInOnRetryingEndsItCancelledWithoutAnotherAttempt() {
        AtomicReference<TaskOrchestrator> self = new AtomicReference<>(orchestrator);
        AtomicBoolean cancelAnswer = new AtomicBoolean();
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                cancelAnswer.set(self.get().cancel(task.id()));
            }
        });
        AtomicInteger attempts = new AtomicInteger();
        for (String runtime : List.of("virtual", "platform", "single")) {
            attempts.set(0);
            SpawningTask<String> task = orchestrator.to(String.class).runtime(runtime)
                    .retry(RetryPolicy.fixed(3, Duration.ZERO)).run(() -> {
                        attempts.incrementAndGet();
                        throw new IOException("fails");
                    });
            assertTimeoutPreemptively(HANG, task::result);
            assertThat(cancelAnswer).isTrue();
            assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(attempts).hasValue(1);
        }
    }

    @Test
    void aListenerCancellingTheTaskInOnStartedKeepsTheBodyFromRunningUninterrupted() {
        AtomicReference<TaskOrchestrator> self = new AtomicReference<>(orchestrator);
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onStarted(TaskInfo task) {
                if (task.name().equals("victim")) {
                    self.get().cancel(task.id());
                }
            }
        });
        for (String runtime : List.of("virtual", "platform", "single")) {
            SpawningTask<String> task = orchestrator.to(String.class).named("victim").runtime(runtime).run(() -> {
                Thread.sleep(Long.MAX_VALUE);
                return "slept";
            });
            assertTimeoutPreemptively(HANG, task::result);
            assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }

    // ---- Future contract for PENDING tasks ------------------------------------------------------

    @Test
    void cancellingAPendingDependentIsAFutureCancellation() throws Exception {
        CountDownLatch gate = latches.next();
        SpawningTask<String> dependency = orchestrator.to(String.class).run(() -> {
            gate.await();
            return "dep";
        });
        SpawningTask<String> dependent = orchestrator.to(String.class).after(dependency).run(() -> "dependent");
        assertThat(dependent.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(dependent.cancel(false)).isTrue();
        assertThat(dependent.isDone()).isTrue();
        assertThat(dependent.isCancelled()).isTrue();
        assertThatThrownBy(dependent::get).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> dependent.get(1, TimeUnit.DAYS)).isInstanceOf(CancellationException.class);
        assertThat(dependent.status()).isEqualTo(TaskStatus.CANCELLED);
        gate.countDown();
        assertThat(dependency.join()).isEqualTo("dep");
        assertThat(dependent.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void aDependencyCancelledWhileItsDependentIsBeingCreatedNeverLeavesItPending() throws Exception {
        for (int i = 0; i < 300; i++) {
            SpawningTask<String> dependency = orchestrator.to(String.class).run(() -> {
                Thread.sleep(Long.MAX_VALUE);
                return "x";
            });
            Thread canceller = Thread.ofPlatform().start(dependency::cancel);
            SpawningTask<String> dependent = orchestrator.to(String.class).after(dependency).run(() -> "y");
            canceller.join();
            assertTimeoutPreemptively(HANG, dependent::result);
            assertThat(dependent.status()).isEqualTo(TaskStatus.CANCELLED);
        }
        assertThat(orchestrator.liveCount()).isZero();
    }

    // ---- hostile executors ----------------------------------------------------------------------

    /** An executor that runs each command twice (a buggy retrying wrapper): the body still runs once per attempt. */
    @Test
    void anExecutorRunningACommandTwiceRunsTheBodyOnce() {
        ExecutorService real = Executors.newVirtualThreadPerTaskExecutor();
        Executor twice = command -> {
            real.execute(command);
            real.execute(command);
        };
        orchestrator.close();
        orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.executor("twice", twice)).build();
        try {
            for (int i = 0; i < 200; i++) {
                AtomicInteger runs = new AtomicInteger();
                String value = assertTimeoutPreemptively(HANG, () -> orchestrator.to(String.class).runtime("twice")
                        .await(() -> "run " + runs.incrementAndGet()));
                assertThat(value).isEqualTo("run 1");
                assertThat(runs).hasValue(1);
            }
        }
        finally {
            real.shutdownNow();
        }
    }

    /** A direct executor runs nested bodies inline; the tree and AsyncTask.current() stay right. */
    @Test
    void aDirectExecutorNestsBodiesOnTheCallersStackCorrectly() {
        orchestrator.close();
        orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.executor("direct", Runnable::run)).build();
        List<TaskResult<?>> joined = assertTimeoutPreemptively(HANG, () -> orchestrator.<List<TaskResult<?>>>to()
                .runtime("direct").await(() -> {
                    TaskContext ctx = TaskContext.current().orElseThrow();
                    TaskId me = ctx.id();
                    SpawningTask<TaskId> child = ctx.child(TaskId.class).runtime("direct").run(() -> {
                        TaskContext inner = TaskContext.current().orElseThrow();
                        assertThat(inner.parent().orElseThrow().id()).isEqualTo(me);
                        return inner.id();
                    });
                    assertThat(AsyncTask.current().orElseThrow().id()).isEqualTo(me);
                    assertThat(child.join()).isNotEqualTo(me);
                    return ctx.joinChildren();
                }));
        assertThat(joined).hasSize(1).allMatch(TaskResult::isOk);
        assertThat(AsyncTask.current()).isEmpty();
    }

    // ---- deep trees ------------------------------------------------------------------------------

    /** 10,000 nested levels on the single runtime, each joining its child: only spares can carry it. */
    @Test
    void tenThousandNestedJoinsOnTheSingleRuntimeFinish() {
        int depth = 10_000;
        AtomicInteger levels = new AtomicInteger();
        Integer result = assertTimeoutPreemptively(HANG, () -> orchestrator.to(Integer.class).runtime("single")
                .await(() -> nest(depth - 1, levels)));
        assertThat(result).isEqualTo(depth);
        assertThat(levels).hasValue(depth);
    }

    private static Integer nest(int remaining, AtomicInteger levels) {
        levels.incrementAndGet();
        if (remaining == 0) {
            return 1;
        }
        TaskContext ctx = TaskContext.current().orElseThrow();
        return ctx.child(Integer.class).runtime("single").run(() -> nest(remaining - 1, levels)).join() + 1;
    }

    /**
     * A 10,000-level tree whose deepest body ignores its interrupt: the root's deadline releases the root's
     * waiters, every level ends, and when the body finally returns nothing is left live.
     */
    @Test
    void aDeadlineOverATenThousandLevelTreeWithARunawayLeafReleasesEverything() throws Exception {
        CountDownLatch leafRunning = new CountDownLatch(1);
        CountDownLatch release = latches.next();
        ConcurrentLinkedQueue<SpawningTask<?>> made = new ConcurrentLinkedQueue<>();
        SpawningTask<String> root = orchestrator.to(String.class).timeout(Duration.ofSeconds(2)).run(() -> {
            spawnLevel(10_000, made, leafRunning, release);
            return "root";
        });
        assertThat(leafRunning.await(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        TaskResult<String> result = assertTimeoutPreemptively(HANG, root::result);
        assertThat(result.isOk()).isFalse();
        assertThat(root.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(made).hasSize(10_000).allSatisfy(task -> assertThat(task.status().isTerminal()).isTrue());
        release.countDown();
        long deadline = System.nanoTime() + HANG.toNanos();
        while ((orchestrator.liveCount() > 0 || orchestrator.runawayCount() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(orchestrator.liveCount()).isZero();
        assertThat(orchestrator.runawayCount()).isZero();
    }

    private static void spawnLevel(int remaining, ConcurrentLinkedQueue<SpawningTask<?>> made,
            CountDownLatch leafRunning, CountDownLatch release) {
        // Iterative: each level's body starts the next and returns (a parent waits for its children).
        TaskContext ctx = TaskContext.current().orElseThrow();
        made.add(ctx.child(String.class).run(() -> {
            if (remaining == 1) {
                leafRunning.countDown();
                Work.awaitIgnoringInterrupts(release);
                return "leaf";
            }
            spawnLevel(remaining - 1, made, leafRunning, release);
            return "level";
        }));
    }

    // ---- snapshots while the tree changes --------------------------------------------------------

    @Test
    void snapshotsTakenWhileTreesGrowAndFinishAreConsistent() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger snapshots = new AtomicInteger();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                while (!stop.get()) {
                    for (TaskInfo root : orchestrator.roots()) {
                        checkTree(root);
                        orchestrator.find(root.id()).ifPresent(HostileTreesTest::checkTree);
                    }
                    orchestrator.liveTasks();
                    orchestrator.recent().forEach(HostileTreesTest::checkTree);
                    snapshots.incrementAndGet();
                }
            }
            catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            for (int round = 0; round < 20; round++) {
                List<SpawningTask<Integer>> roots = new ArrayList<>();
                for (int r = 0; r < 10; r++) {
                    roots.add(orchestrator.to(Integer.class).runtime(r % 2 == 0 ? "platform" : "virtual").run(() -> {
                        TaskContext ctx = TaskContext.current().orElseThrow();
                        for (int c = 0; c < 50; c++) {
                            int n = c;
                            ctx.runChild(() -> {
                                TaskContext.current().orElseThrow().runChild(() -> n);
                                return n;
                            });
                        }
                        return ctx.joinChildren().size();
                    }));
                }
                for (SpawningTask<Integer> root : roots) {
                    assertThat(assertTimeoutPreemptively(HANG, root::join)).isEqualTo(50);
                }
            }
        }
        finally {
            stop.set(true);
            reader.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(snapshots.get()).isPositive();
    }

    private static void checkTree(TaskInfo root) {
        Deque<TaskInfo> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            TaskInfo node = todo.pop();
            if (node.status().isTerminal()) {
                assertThat(node.completedAt()).as("completed time of terminal %s", node.name()).isNotNull();
            }
            for (TaskInfo child : node.children()) {
                assertThat(child.parentId()).isEqualTo(node.id());
                if (node.status().isTerminal()) {
                    assertThat(child.status().isTerminal()).as("child %s of terminal %s (%s)", child.status(),
                            node.name(), node.status()).isTrue();
                }
                todo.push(child);
            }
        }
    }

    /**
     * A child that would start only after a task that itself starts only after its parent (here a detached task
     * {@code after(parent)}, then a second one after that) would wait for its parent, which waits for it: refused as
     * a direct {@code after(parent)} is, by {@code after} and {@code chain}. Before, both were accepted and the
     * parent never ended.
     */
    @Test
    void aChildWaitingForATaskThatStartsOnlyAfterItsParentIsRefused() throws Exception {
        AtomicReference<SpawningTask<String>> self = new AtomicReference<>();
        CountDownLatch handed = new CountDownLatch(1);
        List<Throwable> refused = new ArrayList<>();
        AtomicReference<SpawningTask<String>> later = new AtomicReference<>();
        SpawningTask<String> parent = orchestrator.to(String.class).run(() -> {
            handed.await();
            SpawningTask<String> afterParent = orchestrator.to(String.class).detached().after(self.get()).run(() -> "a");
            later.set(orchestrator.to(String.class).detached().after(afterParent).run(() -> "b"));
            for (SpawningTask<String> waitsForParent : List.of(afterParent, later.get())) {
                try {
                    orchestrator.to(String.class).after(waitsForParent).run(() -> "never");
                }
                catch (IllegalArgumentException ex) {
                    refused.add(ex);
                }
                try {
                    waitsForParent.chain(a -> "never");
                }
                catch (IllegalArgumentException ex) {
                    refused.add(ex);
                }
            }
            return "p";
        });
        self.set(parent);
        handed.countDown();
        try {
            assertThat(parent.get(HANG.toSeconds(), TimeUnit.SECONDS)).isEqualTo("p");
        }
        finally {
            parent.cancel();
        }
        assertThat(refused).hasSize(4).allSatisfy(ex -> assertThat(ex).hasMessageContaining("cannot end before ")
                .hasMessageContaining("detached()"));
        assertThat(assertTimeoutPreemptively(HANG, () -> later.get().join())).isEqualTo("b");
    }

    // ---- a context used after its body -------------------------------------------------------------

    @Test
    void aContextUsedAfterItsBodyFinishedRefusesChildrenAndStillAnswers() {
        TaskContext ctx = orchestrator.to(TaskContext.class).await(() -> TaskContext.current().orElseThrow());
        assertThatThrownBy(() -> ctx.runChild(() -> "late")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ctx.child(String.class).run(() -> "late")).isInstanceOf(IllegalStateException.class);
        assertThat(assertTimeoutPreemptively(HANG, ctx::joinChildren)).isEmpty();
        assertThat(ctx.children()).isEmpty();
        assertThat(ctx.isCancellationRequested()).isFalse();
        assertThat(orchestrator.liveCount()).isZero();
    }

    // ---- shutdown races -------------------------------------------------------------------------

    @Test
    void concurrentShutdownsAndClosesWhileTasksRunAllReturn() throws Exception {
        for (String runtime : List.of("virtual", "platform", "single")) {
            for (int i = 0; i < 20; i++) {
                orchestrator.to(String.class).runtime(runtime).run(() -> {
                    Thread.sleep(Long.MAX_VALUE);
                    return "never";
                });
            }
        }
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            threads.add(Thread.ofPlatform().start(() -> orchestrator.shutdown(Duration.ofMillis(20))));
            threads.add(Thread.ofPlatform().start(orchestrator::close));
        }
        for (Thread thread : threads) {
            thread.join(HANG);
            assertThat(thread.isAlive()).isFalse();
        }
        assertThat(orchestrator.liveCount()).isZero();
        assertThat(orchestrator.roots()).isEmpty();
    }

    // ---- close() from inside a task body --------------------------------------------------------

    /**
     * A task that closes its own orchestrator (a "shut the service down" command run as a task): close()
     * must return, the task must end, and no runtime thread may be left behind.
     */
    @Test
    void aBodyClosingItsOwnOrchestratorReturnsAndLeavesNoThreadBehind() throws Exception {
        for (String runtime : List.of("virtual", "platform", "single")) {
            orchestrator.close();
            orchestrator = TaskOrchestrator.builder().build();
            TaskOrchestrator mine = orchestrator;
            orchestrator.to(String.class).runtime("platform").await(() -> "warm platform");
            orchestrator.to(String.class).runtime("single").await(() -> "warm single");
            CountDownLatch closed = new CountDownLatch(1);
            SpawningTask<String> closer = orchestrator.to(String.class).runtime(runtime).run(() -> {
                mine.close();
                closed.countDown();
                return "closed";
            });
            assertThat(closed.await(HANG.toSeconds(), TimeUnit.SECONDS)).as("close() returned on " + runtime).isTrue();
            assertTimeoutPreemptively(HANG, closer::result);
            assertThat(closer.status().isTerminal()).isTrue();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (!workerThreads().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(workerThreads()).as("runtime threads left after a close from " + runtime).isEmpty();
        }
    }

    /**
     * As above, the closing task and a sibling bounded by a timeout (an action of the orchestrator's own clock,
     * which close() shuts): close() gives up waiting for the closer's body (it is the one calling), ends what the
     * clock bounds on a thread of its own, and returns; the closer ends, the sibling (its body ignores its
     * interrupt until released) ends too, and no runtime thread is left once it returns.
     */
    @Test
    void aTimedBodyClosingItsOwnOrchestratorReturnsAndItsTimedSiblingEnds() throws Exception {
        for (String runtime : List.of("virtual", "platform", "single")) {
            orchestrator.close();
            orchestrator = TaskOrchestrator.builder().build();
            // The sibling ignores the close's cancel: the close gives up on it after this wait (5 s by default),
            // by the same path whatever the wait.
            ShutdownWaits.afterCancel(orchestrator, Duration.ofMillis(200));
            TaskOrchestrator mine = orchestrator;
            CountDownLatch siblingRuns = new CountDownLatch(1);
            CountDownLatch releaseSibling = new CountDownLatch(1);
            SpawningTask<String> sibling = orchestrator.to(String.class).runtime("virtual")
                    .timeout(Duration.ofHours(1)).run(() -> {
                        siblingRuns.countDown();
                        while (releaseSibling.getCount() > 0) {
                            try {
                                releaseSibling.await();
                            }
                            catch (InterruptedException ignored) {
                                // ignores the cancel's interrupt
                            }
                        }
                        return "sibling";
                    });
            assertThat(siblingRuns.await(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
            CountDownLatch closed = new CountDownLatch(1);
            SpawningTask<String> closer = orchestrator.to(String.class).runtime(runtime).timeout(Duration.ofHours(1))
                    .run(() -> {
                        mine.close();
                        closed.countDown();
                        return "closed";
                    });
            assertThat(closed.await(HANG.toSeconds(), TimeUnit.SECONDS)).as("close() returned on " + runtime).isTrue();
            assertTimeoutPreemptively(HANG, closer::result);
            assertThat(closer.status().isTerminal()).isTrue();
            assertTimeoutPreemptively(HANG, sibling::result);
            assertThat(sibling.status()).as("ended by the close, its body still running").isEqualTo(TaskStatus.CANCELLED);
            releaseSibling.countDown();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (!workerThreads().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(workerThreads()).as("runtime threads left after a close from " + runtime).isEmpty();
        }
    }

    private static List<String> workerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("sweet-async-platform") || name.startsWith("sweet-async-single"))
                .toList();
    }

    /**
     * A body shutting its own orchestrator down with a long grace: it waits for the other trees, not for
     * its own (which cannot end while it waits), so it returns as soon as the others are done (it waited
     * the whole grace before: a day here).
     */
    @Test
    void aBodyShuttingDownItsOwnOrchestratorWaitsForTheOthersNotForItself() {
        TaskOrchestrator own = TaskOrchestrator.builder().build();
        try {
            CountDownLatch otherMayEnd = latches.next();
            SpawningTask<String> other = own.to(String.class).run(() -> {
                otherMayEnd.await();
                return "other done";
            });
            SpawningTask<Boolean> shutter = own.to(Boolean.class).run(() -> {
                otherMayEnd.countDown();
                return own.shutdown(Duration.ofDays(1));
            });
            assertThat(assertTimeoutPreemptively(HANG, shutter::join)).as("everything else finished, uncancelled").isTrue();
            assertThat(other.join()).isEqualTo("other done");
        }
        finally {
            own.close();
        }
    }
}
