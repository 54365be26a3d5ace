package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskResult;
import io.sweetasync.Work;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review, round 3, of the core engine: each test names the promise it attacks and failed before
 * the fix that came with it. Every test is bounded by a timeout, so a deadlock fails instead of hanging.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CoreRound3Test {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1)).build();
    private final Latches latches = new Latches();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    // ---- toCompletableFuture().cancel() -----------------------------------------------------------

    /**
     * toCompletableFuture(): "cancelling it cancels the task and returns true exactly when the task ends
     * CANCELLED; it then reports isCancelled()". A task cancelled through its handle already ended
     * CANCELLED, so the future's cancel() answers true; but the future had been completed exceptionally
     * (with TaskCancelledException) when the outcome was decided, so it did not report isCancelled():
     * cancel() returned true and isCancelled() false, which java.util.concurrent.Future forbids.
     */
    @Test
    void aFutureWhoseCancelAnswersTrueReportsCancelled() {
        SpawningTask<String> task = orchestrator.to(String.class).run(() -> {
            new CountDownLatch(1).await();
            return "never";
        });
        CompletableFuture<String> early = task.toCompletableFuture();
        assertThat(task.cancel()).isTrue();
        task.result();
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        CompletableFuture<String> late = task.toCompletableFuture();

        for (CompletableFuture<String> future : new CompletableFuture[] {early, late}) {
            boolean answer = future.cancel(true);
            assertThat(answer).as("cancel() of the future of a CANCELLED task").isTrue();
            assertThat(future.isCancelled()).as("isCancelled() after cancel() answered true").isTrue();
        }
    }

    // ---- deep trees ----------------------------------------------------------------------------------

    /**
     * TaskInfo is Serializable, and "trees are as deep as users make them" (CONVENTIONS 10; equals, hashCode
     * and toString were made iterative for that): Java serialization of a record writes its components
     * recursively, one level of the tree at a time, so writing the history snapshot of a 100,000-level tree
     * (to a session, a cache, a JMX client, another member) threw StackOverflowError.
     */
    @Test
    void aDeepTreeSnapshotSurvivesJavaSerialization() throws Exception {
        TaskOrchestrator deep = TaskOrchestrator.builder().historySize(1).build();
        try {
            SpawningTask<Integer> root = deep.to(Integer.class).run(() -> spawnLevels(1));
            root.join();
            TaskInfo recorded = deep.recent().getFirst();

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(recorded);
            }
            Object read;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                read = in.readObject();
            }
            assertThat(read).isEqualTo(recorded);
            TaskInfo node = (TaskInfo) read;
            int levels = 1;
            while (!node.children().isEmpty()) {
                node = node.children().getFirst();
                levels++;
            }
            assertThat(levels).isEqualTo(DEEP);
        }
        finally {
            deep.close();
        }
    }

    private static final int DEEP = 100_000;

    private static int spawnLevels(int level) {
        if (level < DEEP) {
            TaskContext.current().orElseThrow().runChild(() -> spawnLevels(level + 1));
        }
        return level;
    }

    // ---- TaskOrchestrator.cancel(TaskId) ---------------------------------------------------------------

    /**
     * TaskOrchestrator#cancel(TaskId): "true when the task is live and ends CANCELLED ...; false if it is
     * unknown, finished, or being stopped for another reason". The lookup finds finished children of live
     * roots too, so cancelling, by id, a child that had already ended CANCELLED answered true, while the same
     * call for a finished root (no longer in the registry) answered false.
     */
    @Test
    void cancellingAFinishedChildByIdAnswersFalse() {
        CountDownLatch parentMayEnd = latches.next();
        CountDownLatch childEnded = new CountDownLatch(1);
        AtomicReference<SpawningTask<String>> child = new AtomicReference<>();
        SpawningTask<String> parent = orchestrator.to(String.class).runtime("virtual").run(() -> {
            SpawningTask<String> started = TaskContext.current().orElseThrow().runChild(() -> {
                new CountDownLatch(1).await();
                return "never";
            });
            child.set(started);
            started.cancel();
            started.result();
            childEnded.countDown();
            parentMayEnd.await();
            return "parent";
        });
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> childEnded.await());
        assertThat(child.get().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(parent.status()).isEqualTo(TaskStatus.RUNNING);

        assertThat(orchestrator.cancel(child.get().id())).as("cancel by id of a finished child").isFalse();
        assertThat(orchestrator.cancel(parent.id())).as("cancel by id of the live parent").isTrue();
        parent.result();
        assertThat(orchestrator.cancel(parent.id())).as("cancel by id of a finished root").isFalse();
    }

    // ---- memory ----------------------------------------------------------------------------------

    /**
     * SPEC 1.9: "Finished tasks leave the live registry: memory stays bounded however many tasks run." A task
     * started after(gate) or by gate.chain(...) waits on the gate's outcome through a completion that holds
     * it; cancelled while the gate still runs, it ended, but the gate kept it (and through it its parent,
     * settings, fallback) until the gate itself ended: a long-lived gate (a warm-up, a connection task) that
     * many short-lived dependents give up on held every one of them.
     */
    @Test
    void dependentsCancelledWhileTheirDependencyRunsAreNotRetainedByIt() throws Exception {
        CountDownLatch release = latches.next();
        SpawningTask<String> gate = orchestrator.to(String.class).run(() -> {
            release.await();
            return "open";
        });
        List<WeakReference<SpawningTask<?>>> dependents = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            SpawningTask<String> after = orchestrator.to(String.class).after(gate).run(() -> "after");
            SpawningTask<String> chained = gate.chain(value -> value + "!");
            assertThat(after.cancel()).isTrue();
            assertThat(chained.cancel()).isTrue();
            assertThat(after.result().isOk()).isFalse();
            assertThat(chained.result().isOk()).isFalse();
            dependents.add(new WeakReference<>(after));
            dependents.add(new WeakReference<>(chained));
        }
        long retained = dependents.size();
        for (int i = 0; i < 50 && retained > 0; i++) {
            System.gc();
            Thread.sleep(10);
            retained = dependents.stream().filter(ref -> ref.get() != null).count();
        }
        assertThat(gate.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(retained).as("cancelled dependents still reachable while their gate runs").isZero();
        release.countDown();
        assertThat(gate.join()).isEqualTo("open");
    }

    /**
     * The dependents' set of the fix above, raced: a task started after(gate) or by gate.chain(...) while the
     * gate ends runs once the gate has ended, whichever of the registration and the end comes first.
     */
    @Test
    void dependentsRegisteredWhileTheirDependencyEndsAllRun() {
        for (int i = 0; i < 2_000; i++) {
            SpawningTask<String> gate = orchestrator.to(String.class).runtime("virtual").run(() -> "g");
            SpawningTask<String> after = orchestrator.to(String.class).runtime("virtual").after(gate).run(() -> "a");
            SpawningTask<String> chained = gate.chain(value -> value + "!");
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), after::join)).isEqualTo("a");
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), chained::join)).isEqualTo("g!");
        }
    }

    // ---- the deadline and user callbacks --------------------------------------------------------------

    /**
     * SPEC 1.5: "waiters are released at the deadline with TaskTimeoutException even if the body ignores
     * interrupts". A parent publishes progress read under a lock its child holds; the child ignores its
     * interrupt (a runaway). At the deadline the parent's body returns, the forced end ends the child and
     * then the parent, whose final progress it read by calling the supplier: it waited for the runaway's
     * lock, on the deadline's thread, and the parent's waiters were never released. (The runaway's own
     * suppliers were already left uncalled; its ancestors' were not.)
     */
    @Test
    void aDeadlineReleasesWaitersWhileAParentsProgressSupplierWaitsForARunawayChildsLock() throws Exception {
        ReentrantLock guard = new ReentrantLock();
        CountDownLatch childHolds = new CountDownLatch(1);
        CountDownLatch release = latches.next();
        SpawningTask<String> parent = orchestrator.to(String.class).runtime("virtual").timeout(Duration.ofMillis(200))
                .run(() -> {
                    TaskContext context = TaskContext.current().orElseThrow();
                    context.progress("rows", () -> {
                        guard.lock();
                        try {
                            return 1L;
                        }
                        finally {
                            guard.unlock();
                        }
                    });
                    context.runChild(() -> {
                        guard.lock();
                        try {
                            childHolds.countDown();
                            Work.awaitIgnoringInterrupts(release);
                        }
                        finally {
                            guard.unlock();
                        }
                        return "child";
                    });
                    childHolds.await();
                    context.joinChildren(); // interrupted at the deadline: the parent's body returns
                    return "parent";
                });
        TaskResult<String> result = assertTimeoutPreemptively(Duration.ofSeconds(20), parent::result,
                "the parent's waiters were not released at its deadline");
        assertThat(parent.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(result.isOk()).isFalse();
    }

    // ---- waits on a pooled runtime -------------------------------------------------------------------

    /**
     * SPEC 1.7: "a task on a PLATFORM/SINGLE runtime may wait for any other task ... and, as long as the
     * waits form no cycle, everything finishes". shutdown(grace) waits for every other live task, but its
     * wait kept the body's slot: a body on the single runtime shutting its orchestrator down waited the whole
     * grace (a day here) for a task queued behind it on that runtime, which could not start until the wait
     * ended, and then cancelled it.
     */
    @Test
    void aBodyOnTheSingleRuntimeShuttingDownItsOrchestratorLetsTheTasksQueuedBehindItFinish() {
        TaskOrchestrator own = TaskOrchestrator.builder().build();
        try {
            CountDownLatch otherQueued = latches.next();
            SpawningTask<Boolean> shutter = own.to(Boolean.class).runtime("single").run(() -> {
                otherQueued.await();
                return own.shutdown(Duration.ofDays(1));
            });
            SpawningTask<String> other = own.to(String.class).runtime("single").run(() -> "other done");
            otherQueued.countDown();
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), shutter::join,
                    "shutdown() from a single-runtime body waited for a task queued behind it"))
                    .as("everything else finished, uncancelled").isTrue();
            assertThat(other.join()).isEqualTo("other done");
        }
        finally {
            own.close();
        }
    }
}
