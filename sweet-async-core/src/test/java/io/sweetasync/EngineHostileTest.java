package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Promises found broken by a hostile review of the waiting and terminal-decision rework; each test
 * failed before its fix.
 * Hangs are turned into assertion failures (Awaitility / timed gets) where possible.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EngineHostileTest {

    private static final Duration NEVER = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    private TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // ---- (b) cancel() of the CompletableFuture --------------------------------------------------

    /**
     * toCompletableFuture().cancel() must return true exactly when the task ends CANCELLED. For a task
     * that is not running (PENDING behind after(...), or QUEUED), TaskNode.cancel() finishes the task
     * synchronously; outcome.complete(...) runs the whenComplete that completes the future exceptionally
     * with TaskCancelledException, so super.cancel(...) then finds it done and returns false.
     */
    @Test
    void cancellingTheFutureOfANotYetRunningTaskReturnsTrue() {
        SpawningTask<String> gate = orchestrator.to(String.class).run(Blocking.untilInterrupted());
        SpawningTask<String> pending = orchestrator.to(String.class).after(gate).run(() -> "never");
        CompletableFuture<String> future = pending.toCompletableFuture();

        boolean answer = future.cancel(true);

        pending.result();
        assertThat(pending.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(answer).as("future.cancel() of a task that ended CANCELLED").isTrue();
        assertThat(future.isCancelled()).isTrue();
        gate.cancel();
    }

    // ---- (f) huge durations -----------------------------------------------------------------------

    /** shutdown(grace) with a huge grace: Duration.toNanos() overflows in awaitDrained. */
    @Test
    void shutdownWithAHugeGraceIsHonoured() {
        assertThat(orchestrator.to(String.class).await(() -> "x")).isEqualTo("x");
        AtomicReference<Boolean> drained = new AtomicReference<>();
        assertThatCode(() -> drained.set(orchestrator.shutdown(NEVER))).doesNotThrowAnyException();
        assertThat(drained.get()).isTrue();
    }

    /** RetryPolicy accepts these at configuration, then nextDelay throws ArithmeticException (toNanos). */
    @Test
    void retryPoliciesWithHugeDelaysNeverThrowArithmeticErrors() {
        IOException error = new IOException("fails");
        assertThatCode(() -> RetryPolicy.exponential(3, Duration.ofMillis(1), NEVER).nextDelay(1, error))
                .as("exponential(1ms .. NEVER)").doesNotThrowAnyException();
        assertThatCode(() -> RetryPolicy.exponential(3, NEVER, NEVER).nextDelay(1, error))
                .as("exponential(NEVER .. NEVER)").doesNotThrowAnyException();
        assertThatCode(() -> RetryPolicy.fixed(3, NEVER).withJitter(0.5).nextDelay(1, error))
                .as("fixed(NEVER) with jitter").doesNotThrowAnyException();
    }

    /**
     * The consequence in the engine: the ArithmeticException escapes afterAttempt (outside runAttempt's
     * try), so the task stays RUNNING forever and every waiter hangs. exponential(3, 1ms, NEVER) should
     * retry after 1 ms, 2 ms, 4 ms and then fail.
     */
    @Test
    void aTaskWithExponentialBackoffCappedAtAHugeMaxEnds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<String> task = orchestrator.to(String.class)
                .retry(RetryPolicy.exponential(3, Duration.ofMillis(1), NEVER)).run(() -> {
                    attempts.incrementAndGet();
                    throw new IOException("fails");
                });
        await().atMost(Duration.ofSeconds(20)).until(task::isDone);
        assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(attempts).hasValue(4);
    }

    /** ReceiverStrategy.batched(size, maxDelay) accepts NEVER, then receiveBatches computes maxDelay.toNanos(). */
    @Test
    void aBatchedReceiverWithAHugeMaxDelayReceivesEverything() {
        io.sweetasync.emit.FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).sequence()
                .sender(emitter -> emitter.emitAll(java.util.List.of(1, 2, 3)))
                .receiver(io.sweetasync.emit.ReceiverStrategy.batched(2, NEVER),
                        (event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent();
        assertThat(done.collected()).containsOnlyKeys(1, 2, 3);
    }

    // ---- (c) a deadline bounds the caller ---------------------------------------------------------

    /**
     * SPEC 1.5: "A timeout bounds the caller: waiters are released at the deadline ... even if the body
     * ignores interrupts". stopThis(CANCEL) cancels the timeout handle, so once anyone calls cancel()
     * (or the task's parent is cancelled, or shutdown sweeps it) the deadline no longer fires and the
     * waiters wait for the stubborn body however long it takes.
     */
    @Test
    void aDeadlineStillReleasesWaitersWhenACancelCameFirst() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // the deadline runs from submission: it must leave a loaded machine time to start the body and cancel
        // it first (with 200 ms the deadline passed before the body started or before the cancel)
        SpawningTask<String> task = orchestrator.to(String.class).timeout(Duration.ofSeconds(1)).run(() -> {
            started.countDown();
            Work.awaitIgnoringInterrupts(release);
            return "late";
        });
        try {
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(task.cancel()).isTrue();
            // deadline 1 s + RUNAWAY_GRACE 100 ms; the body never returns before the finally below
            await().atMost(Duration.ofSeconds(30)).until(() -> task.status().isTerminal());
            assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        }
        finally {
            release.countDown();
        }
    }

    // ---- (d) no user code with the interrupt set ---------------------------------------------------

    /**
     * A body on a caller-runs EXECUTOR runtime runs nested in the body of the task that started it.
     * When the enclosing task is cancelled meanwhile, Carrier.exit re-interrupts the thread on leaving
     * the nested body, BEFORE afterAttempt runs the nested task's completion work: its fallback (and
     * listeners, and completion callbacks) run with the interrupt set.
     */
    @Test
    void theFallbackOfANestedCallerRunsTaskRunsWithoutTheInterrupt() throws Exception {
        orchestrator.close();
        AtomicReference<Boolean> interruptedInListener = new AtomicReference<>();
        orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.executor("direct", Runnable::run))
                .listener(new TaskListener() {
                    @Override
                    public void onFinished(TaskInfo task) {
                        if (task.name().equals("inner")) {
                            interruptedInListener.set(Thread.currentThread().isInterrupted());
                        }
                    }
                }).build();
        CountDownLatch innerRunning = new CountDownLatch(1);
        CountDownLatch outerCancelled = new CountDownLatch(1);
        AtomicReference<Boolean> interruptedInFallback = new AtomicReference<>();
        SpawningTask<String> outer = orchestrator.to(String.class).named("outer").run(() -> orchestrator
                .to(String.class).named("inner").runtime("direct").detached().fallback(error -> {
                    interruptedInFallback.set(Thread.currentThread().isInterrupted());
                    return "fallback";
                }).run(() -> {
                    innerRunning.countDown();
                    Work.awaitIgnoringInterrupts(outerCancelled);
                    throw new IOException("inner fails");
                }).join());
        assertThat(innerRunning.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(outer.cancel()).isTrue();
        outerCancelled.countDown();
        outer.result();
        assertThat(interruptedInFallback.get()).as("interrupted in the fallback").isFalse();
        assertThat(interruptedInListener.get()).as("interrupted in onFinished").isFalse();
    }


    // ---- (a) at most parallelism bodies ------------------------------------------------------------

    /**
     * A managed block whose blocker itself waits for a task (e.g. managedBlock around a library call that
     * joins a task) calls PooledRuntime.block twice on the same thread (carrier.holdsSlot is still true):
     * the one slot is given back twice (running goes to -1), so two queued bodies run at once on SINGLE.
     */
    @Test
    void aNestedManagedBlockGivesTheSlotAwayOnlyOnce() throws Exception {
        CountDownLatch gateRelease = new CountDownLatch(1);
        SpawningTask<String> gate = orchestrator.to(String.class).detached().run(() -> {
            gateRelease.await();
            return "gate";
        });
        CountDownLatch blocking = new CountDownLatch(1);
        SpawningTask<String> waiter = orchestrator.to(String.class).runtime("single").run(() -> {
            TaskRuntime.managedBlock(new ForkJoinPool.ManagedBlocker() {
                @Override
                public boolean block() {
                    blocking.countDown();
                    gate.join(); // a wait the runtime also manages
                    return true;
                }

                @Override
                public boolean isReleasable() {
                    return gate.isDone();
                }
            });
            return "waited";
        });
        assertThat(blocking.await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> orchestrator.runtimes().get("single").snapshot().blocked() >= 1);
        Concurrency bodies = new Concurrency();
        CountDownLatch bothIn = new CountDownLatch(2);
        SpawningTask<Void> b1 = orchestrator.to(Void.class).runtime("single").run(() -> {
            bodies.during(() -> {
                bothIn.countDown();
                bothIn.await(1, TimeUnit.SECONDS);
            });
            return null;
        });
        SpawningTask<Void> b2 = orchestrator.to(Void.class).runtime("single").run(() -> {
            bodies.during(() -> {
                bothIn.countDown();
                bothIn.await(1, TimeUnit.SECONDS);
            });
            return null;
        });
        b1.join();
        b2.join();
        RuntimeSnapshot during = orchestrator.runtimes().get("single").snapshot();
        gateRelease.countDown();
        assertThat(waiter.join()).isEqualTo("waited");
        assertThat(bodies.peak()).as("bodies at once on SINGLE while one body waits (snapshot then: %s)", during)
                .isEqualTo(1);
    }

    /**
     * A pipeline on SINGLE (or started from a SINGLE body: its tasks inherit the runtime). Its coordinator
     * body starts the sender and receiver as children, then loops on signals.poll(TICK) until the sender
     * is done: an unmanaged wait that keeps the only slot, so the queued sender never starts.
     */
    @Test
    void aPipelineOnTheSingleRuntimeFinishes() {
        SpawningTask<Integer> run = orchestrator.to(Integer.class).run(() -> orchestrator.emits(Integer.class)
                .runtime("single").sender(emitter -> emitter.emitAll(java.util.List.of(1, 2, 3)))
                .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent().collected().size());
        await().atMost(Duration.ofSeconds(30)).until(run::isDone);
        assertThat(run.join()).isEqualTo(3);
    }

    // ---- (e) nothing recursive per level -------------------------------------------------------------

    private static final int LONG_CHAIN = 100_000;

    /**
     * A failure passing down chain(): each level's stop runs inside the previous level's
     * outcome.complete() (whenTerminal -> stop -> finish -> outcome.complete -> next whenTerminal ...),
     * one recursion per level. The StackOverflowError is swallowed by CompletableFuture (it completes the
     * unused future returned by whenComplete), so the rest of the chain never ends.
     */
    @Test
    void aCancellationPassesDownAHundredThousandChainedTasks() {
        SpawningTask<String> gate = orchestrator.to(String.class).run(Blocking.untilInterrupted());
        SpawningTask<String> last = gate;
        for (int i = 0; i < LONG_CHAIN; i++) {
            last = last.chain(value -> value);
        }
        assertThat(gate.cancel()).isTrue();
        SpawningTask<String> end = last;
        await().atMost(Duration.ofSeconds(20)).until(end::isDone);
        assertThat(end.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(orchestrator.liveCount()).isZero();
    }

    /** The same through after(...): each dependent is cancelled inside its dependency's completion. */
    @Test
    void aFailurePassesDownAHundredThousandAfterDependents() {
        SpawningTask<String> gate = orchestrator.to(String.class).run(Blocking.untilInterrupted());
        SpawningTask<String> last = gate;
        for (int i = 0; i < LONG_CHAIN; i++) {
            last = orchestrator.to(String.class).after(last).run(() -> "x");
        }
        assertThat(gate.cancel()).isTrue();
        SpawningTask<String> end = last;
        await().atMost(Duration.ofSeconds(20)).until(end::isDone);
        assertThat(end.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    /**
     * The commit made toString() of a TaskInfo flat because "a deep tree's text would be as deep as the
     * tree", but the record's equals/hashCode still recurse once per level through children: the history
     * snapshot of a 100,000-level tree (recent(), roots(), find()) overflows the stack when hashed/compared.
     */
    @Test
    void aDeepTreeSnapshotCanBeHashedAndCompared() {
        orchestrator.close();
        orchestrator = TaskOrchestrator.builder().historySize(1).build();
        SpawningTask<Integer> root = orchestrator.to(Integer.class).run(() -> spawnLevels(1));
        root.join();
        TaskInfo recorded = orchestrator.recent().getFirst();
        assertThatCode(recorded::hashCode).doesNotThrowAnyException();
        assertThatCode(() -> recorded.equals(orchestrator.recent().getFirst())).doesNotThrowAnyException();
    }

    private static int spawnLevels(int level) {
        if (level < LONG_CHAIN) {
            TaskContext.current().orElseThrow().runChild(() -> spawnLevels(level + 1));
        }
        return level;
    }

    // ---- (c) runaways and the tree rules -------------------------------------------------------------

    /**
     * SPEC 1.8 rule 5: children of a finished parent cannot be added (clear IllegalStateException). A
     * runaway's task is finished (TIMED_OUT) but its body still runs with childrenCounted == false, so
     * addChild accepts the child without any check.
     */
    @Test
    void aRunawayBodyCannotAddChildrenToItsFinishedTask() throws Exception {
        CountDownLatch timedOutSeen = new CountDownLatch(1);
        AtomicReference<Throwable> spawnOutcome = new AtomicReference<>();
        AtomicBoolean spawned = new AtomicBoolean();
        CountDownLatch bodyDone = new CountDownLatch(1);
        AtomicBoolean started = new AtomicBoolean();
        // the deadline runs from submission: on a loaded machine it can pass before the body has started (then
        // no body is left to try), so a task whose body never started is run again with a deadline twice as long
        for (Duration timeout = Duration.ofMillis(100); !started.get() && timeout.toSeconds() < 30;
                timeout = timeout.multipliedBy(2)) {
            SpawningTask<String> task = orchestrator.to(String.class).timeout(timeout).run(() -> {
                started.set(true);
                Work.awaitIgnoringInterrupts(timedOutSeen);
                try {
                    TaskContext.current().orElseThrow().runChild(() -> "child of a finished task");
                    spawned.set(true);
                }
                catch (Throwable t) {
                    spawnOutcome.set(t);
                }
                bodyDone.countDown();
                return "late";
            });
            assertThat(task.result().isOk()).isFalse();
            assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
        }
        timedOutSeen.countDown();
        assertThat(bodyDone.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(spawned).as("a child was added to a TIMED_OUT task").isFalse();
        assertThat(spawnOutcome.get()).isInstanceOf(IllegalStateException.class);
    }

}
