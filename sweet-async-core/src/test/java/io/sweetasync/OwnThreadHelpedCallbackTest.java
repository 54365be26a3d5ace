package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code single} runtime's own thread woken from a wait, and the awaited future's other dependents: with
 * {@code CompletableFuture}'s {@code get()}/{@code join()} a woken waiter runs the dependents still left on the future
 * on its own stack, and one of them may wait for a task queued on the same runtime; a spare that left that task to the
 * "woken" own thread indefinitely hung here in 5 of 6 runs (a wake mark, reverted). The own thread now waits through
 * the future's {@link OwnWake} (it parks by itself and runs no dependent; the completing thread runs them all), and
 * the spare leaves it the next task only once that wake fired: a dependent run before the wake fires may wait for a
 * queued task, which the spare then runs. Interrupted waits leave one wake on the future, not one each.
 */
@Timeout(30)
class OwnThreadHelpedCallbackTest {

    /** The completing spare runs the older callback that joins b2, after the wake and a sleeping newer one: b2 runs. */
    @RepeatedTest(5)
    void aCallbackRunByTheWokenOwnThreadMayJoinATaskQueuedOnItsRuntime() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            SpawningTask<String> a = o.to(String.class).named("a").runtime("single").run(() -> {
                TaskContext c = TaskContext.current().orElseThrow();
                SpawningTask<String> b1 = c.child(String.class).named("b1").run(() -> {
                    Thread.sleep(50);
                    return "b1";
                });
                SpawningTask<String> b2 = c.child(String.class).named("b2").run(() -> "b2"); // queued behind b1
                CompletableFuture<String> f = b1.toCompletableFuture();
                CompletableFuture<String> older = f.thenApply(v -> v + b2.join()); // run after the waiter's signal
                f.whenComplete((v, e) -> { // newer: the completing spare sleeps in it, the woken own thread pops `older`
                    try {
                        Thread.sleep(300);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                });
                f.get();
                return older.join();
            });
            assertThat(a.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("b1b2");
        }
    }

    /**
     * The own thread's wake is a dependent of the awaited future, and the completing thread runs newer dependents
     * first: one registered while the own thread waits, that joins a task queued on its runtime, runs before the wake
     * fires. The spare must run that task (the own thread is not woken yet), or neither would ever go on.
     */
    @RepeatedTest(3)
    void aNewerDependentRunBeforeTheWakeMayJoinATaskQueuedOnTheRuntime() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<SpawningTask<String>> queued = new AtomicReference<>();
            AtomicReference<CompletableFuture<String>> awaited = new AtomicReference<>();
            AtomicReference<Thread> own = new AtomicReference<>();
            SpawningTask<String> a = o.to(String.class).named("a").runtime("single").run(() -> {
                own.set(Thread.currentThread());
                TaskContext c = TaskContext.current().orElseThrow();
                SpawningTask<String> b1 = c.child(String.class).named("b1").run(() -> {
                    go.await();
                    return "b1";
                });
                queued.set(c.child(String.class).named("b2").run(() -> "b2")); // queued behind b1
                CompletableFuture<String> f = b1.toCompletableFuture();
                awaited.set(f);
                return f.get() + queued.get().join();
            });
            Thread registrar = Thread.ofVirtual().start(() -> {
                while (awaited.get() == null || awaited.get().getNumberOfDependents() == 0
                        || own.get().getState() != Thread.State.WAITING) {
                    Thread.onSpinWait(); // until a waits (its wake is the future's dependent)
                }
                awaited.get().thenRun(() -> queued.get().join()); // newer than the wake: run before it
                go.countDown();
            });
            assertThat(a.toCompletableFuture().get(20, TimeUnit.SECONDS)).isEqualTo("b1b2");
            registrar.join();
        }
    }

    /** So do the own thread's interrupted joins of a task: one wake on the task's outcome, whatever their number. */
    @Test
    void interruptedJoinsOfTheOwnThreadLeaveOneWakeOnTheOutcome() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            CountDownLatch end = new CountDownLatch(1);
            SpawningTask<String> never = o.to(String.class).named("never").run(() -> {
                end.await();
                return "late";
            });
            TaskOutcome<String> outcome = ((TaskNode<String>) never).outcome;
            SpawningTask<int[]> a = o.to(int[].class).named("a").runtime("single").run(() -> {
                int[] dependents = new int[2];
                for (int i = 0; i < 2_000; i++) {
                    Thread.currentThread().interrupt();
                    try {
                        never.join();
                    }
                    catch (java.util.concurrent.CancellationException expected) {
                        // an interrupted join
                    }
                    if (i == 0) {
                        dependents[0] = outcome.getNumberOfDependents();
                    }
                }
                dependents[1] = outcome.getNumberOfDependents();
                return dependents;
            });
            int[] dependents = a.toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(dependents[1]).as("dependents after 2,000 interrupted joins, against after one")
                    .isEqualTo(dependents[0]);
            end.countDown();
            assertThat(never.join()).isEqualTo("late");
        }
    }

    /** Two single runtimes' own threads joining one task through its one wake are both woken, and both go on. */
    @RepeatedTest(3)
    void ownThreadsOfTwoSingleRuntimesJoiningOneTaskBothCarryOn() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().runtime(TaskRuntime.single("other")).build()) {
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> x = o.to(String.class).named("x").run(() -> {
                release.await();
                return "x";
            });
            java.util.Set<Thread> waiters = java.util.concurrent.ConcurrentHashMap.newKeySet();
            SpawningTask<String> a = o.to(String.class).named("a").runtime("single").detached().run(() -> {
                waiters.add(Thread.currentThread());
                return x.join() + "a";
            });
            SpawningTask<String> b = o.to(String.class).named("b").runtime("other").detached().run(() -> {
                waiters.add(Thread.currentThread());
                return x.join() + "b";
            });
            while (waiters.size() < 2 || !waiters.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
                Thread.onSpinWait(); // both parked in their wait for x
            }
            release.countDown();
            assertThat(a.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("xa");
            assertThat(b.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("xb");
        }
    }

    /** A waiter cancelled by an interrupt leaves nothing behind on the future it waited for. */
    @Test
    void interruptedUntimedWaitsOfTheOwnThreadLeaveNothingOnTheAwaitedFuture() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            ManagedFuture<String> never = new ManagedFuture<>();
            int n = 10_000;
            SpawningTask<Integer> a = o.to(Integer.class).named("a").runtime("single").run(() -> {
                for (int i = 0; i < n; i++) {
                    Thread.currentThread().interrupt();
                    try {
                        never.get();
                    }
                    catch (InterruptedException expected) {
                        // as a cancelled waiter's
                    }
                }
                return never.getNumberOfDependents();
            });
            assertThat(a.toCompletableFuture().get(20, TimeUnit.SECONDS)).as("dependents left by interrupted waits")
                    .isLessThanOrEqualTo(1);
        }
    }
}
