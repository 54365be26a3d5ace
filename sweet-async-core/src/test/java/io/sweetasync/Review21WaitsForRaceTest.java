package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Review of issue #19's {@link TaskOutcome#waitsFor} ({@code after}/{@code chain} tasks let go of by their upstreams
 * from their own followers, not a completion of their own outcome): the registration, the task's first follower, its
 * end and its upstream's end raced, many times; no timing asserted.
 */
class Review21WaitsForRaceTest {

    /**
     * Outcome level: an upstream holds the task's action; the task registers its removal, gets its first follower and
     * completes, all at once, while the upstream itself may complete too. The follower runs once, the task's action
     * runs at most once, and an upstream that has not ended never keeps the ended task.
     */
    @Test
    void registrationFirstFollowerAndBothEndsRacedNeverKeepNorLoseAnything() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                for (int round = 0; round < 20_000; round++) {
                    TaskOutcome<Integer> upstream = new TaskOutcome<>();
                    TaskOutcome<Integer> task = new TaskOutcome<>();
                    AtomicInteger actionRuns = new AtomicInteger();
                    AtomicInteger followerRuns = new AtomicInteger();
                    Runnable action = actionRuns::incrementAndGet;
                    assertThat(upstream.addDependent(null, action)).isTrue();
                    boolean upstreamEnds = round % 2 == 0;
                    CyclicBarrier go = new CyclicBarrier(3);
                    Future<?> registrar = pool.submit(() -> {
                        go.await();
                        task.waitsFor(upstream, action);
                        return null;
                    });
                    Future<?> follower = pool.submit(() -> {
                        go.await();
                        task.addDependent(null, followerRuns::incrementAndGet);
                        return null;
                    });
                    Future<?> completer = pool.submit(() -> {
                        go.await();
                        task.completeAndRunFollowers(TaskResult.ok(1));
                        if (upstreamEnds) {
                            upstream.completeAndRunFollowers(TaskResult.ok(2));
                        }
                        return null;
                    });
                    registrar.get();
                    follower.get();
                    completer.get();
                    assertThat(followerRuns).as("round " + round).hasValue(1);
                    assertThat(actionRuns.get()).as("round " + round).isLessThanOrEqualTo(1);
                    if (!upstreamEnds) {
                        assertThat(upstream.hasDependents()).as("round " + round + ": upstream keeps an ended task")
                                .isFalse();
                        assertThat(actionRuns).as("round " + round).hasValue(0);
                    }
                }
            }
            finally {
                pool.shutdownNow();
            }
        });
    }

    /**
     * Engine level: four threads make {@code after} and {@code chain} tasks on one gate and cancel each at once,
     * while the gate ends half way through. No cancelled task's body ever runs; every task not cancelled runs once;
     * a gate that has not ended holds none of those that gave up on it.
     */
    @Test
    void dependentsCancelledFromManyThreadsAsTheirGateEndsAreNeitherRunNorKept() {
        assertTimeoutPreemptively(Duration.ofSeconds(180), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                for (int round = 0; round < 20; round++) {
                    CountDownLatch open = new CountDownLatch(1);
                    SpawningTask<String> gate = orchestrator.to(String.class).named("gate").run(() -> {
                        open.await();
                        return "g";
                    });
                    TaskOutcome<?> gateOutcome = ((TaskNode<?>) gate).outcome;
                    AtomicInteger bodiesOfCancelled = new AtomicInteger();
                    List<SpawningTask<String>> kept = new ArrayList<>();
                    int threads = 4;
                    int each = 500;
                    CyclicBarrier go = new CyclicBarrier(threads);
                    List<Thread> makers = new ArrayList<>();
                    List<List<SpawningTask<String>>> keptBy = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        int id = t;
                        List<SpawningTask<String>> mine = new ArrayList<>();
                        keptBy.add(mine);
                        makers.add(Thread.ofPlatform().start(() -> {
                            try {
                                go.await();
                            }
                            catch (Exception ex) {
                                throw new IllegalStateException(ex);
                            }
                            for (int i = 0; i < each; i++) {
                                if (id == 0 && i == each / 2) {
                                    open.countDown();
                                }
                                java.util.concurrent.atomic.AtomicReference<SpawningTask<String>> self =
                                        new java.util.concurrent.atomic.AtomicReference<>();
                                Runnable check = () -> { // a body that starts in a task already ended
                                    SpawningTask<String> me = self.get();
                                    if (me != null && me.status().isTerminal()) {
                                        bodiesOfCancelled.incrementAndGet();
                                    }
                                };
                                SpawningTask<String> dependent = i % 2 == 0
                                        ? orchestrator.to(String.class).after(gate).run(() -> {
                                            check.run();
                                            return "a";
                                        })
                                        : gate.chain(value -> {
                                            check.run();
                                            return value + "!";
                                        });
                                self.set(dependent);
                                if (i % 3 != 0 && dependent.cancel()) {
                                    dependent.result();
                                }
                                else {
                                    mine.add(dependent);
                                }
                            }
                        }));
                    }
                    for (Thread maker : makers) {
                        maker.join();
                    }
                    keptBy.forEach(kept::addAll);
                    for (SpawningTask<String> dependent : kept) {
                        dependent.result();
                    }
                    gate.join();
                    assertThat(bodiesOfCancelled).as("round " + round).hasValue(0);
                    assertThat(gateOutcome.hasDependents()).as("round " + round).isFalse();
                    for (SpawningTask<String> dependent : kept) {
                        assertThat(dependent.status()).as("round " + round)
                                .isIn(TaskStatus.COMPLETED, TaskStatus.CANCELLED);
                    }
                }
            }
        });
    }

    /**
     * Before the gate ends: many threads make and cancel dependents on a gate that runs on; once they are all ended,
     * the gate holds none of them (each cancelled one let go of as it ended, whichever thread ended it).
     */
    @Test
    void aGateThatRunsOnKeepsNoneOfTheDependentsCancelledFromManyThreads() {
        assertTimeoutPreemptively(Duration.ofSeconds(180), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                CountDownLatch open = new CountDownLatch(1);
                SpawningTask<String> gate = orchestrator.to(String.class).named("gate").run(() -> {
                    open.await();
                    return "g";
                });
                SpawningTask<String> other = orchestrator.to(String.class).named("other").run(() -> {
                    open.await();
                    return "o";
                });
                TaskOutcome<?> gateOutcome = ((TaskNode<?>) gate).outcome;
                TaskOutcome<?> otherOutcome = ((TaskNode<?>) other).outcome;
                int threads = 4;
                CyclicBarrier go = new CyclicBarrier(threads * 2);
                List<Thread> all = new ArrayList<>();
                List<SpawningTask<String>> made = java.util.Collections.synchronizedList(new ArrayList<>());
                List<SpawningTask<String>> everyOne = java.util.Collections.synchronizedList(new ArrayList<>());
                for (int t = 0; t < threads; t++) {
                    all.add(Thread.ofPlatform().start(() -> {
                        await(go);
                        for (int i = 0; i < 2_000; i++) {
                            SpawningTask<String> dependent = i % 3 == 0 ? gate.chain(value -> value + "!")
                                    : orchestrator.to(String.class).after(gate, other).run(() -> "a");
                            everyOne.add(dependent);
                            made.add(dependent);
                        }
                    }));
                    all.add(Thread.ofPlatform().start(() -> { // cancels what the makers made, as they make it
                        await(go);
                        int done = 0;
                        while (done < 2_000) {
                            SpawningTask<String> next;
                            synchronized (made) {
                                next = made.isEmpty() ? null : made.removeFirst();
                            }
                            if (next == null) {
                                Thread.onSpinWait();
                                continue;
                            }
                            next.cancel();
                            done++;
                        }
                    }));
                }
                for (Thread thread : all) {
                    thread.join();
                }
                for (SpawningTask<String> dependent : everyOne) {
                    assertThat(dependent.result().isOk()).isFalse();
                }
                assertThat(gate.status()).isEqualTo(TaskStatus.RUNNING);
                assertThat(gateOutcome.dependentTasks()).as("gate keeps ended dependents").isEmpty();
                assertThat(otherOutcome.dependentTasks()).as("other keeps ended dependents").isEmpty();
                open.countDown();
                gate.join();
                other.join();
            }
        });
    }

    /**
     * An {@code after} task that runs long, its upstream ended (and let go of by everything else): the ended upstream,
     * and its value, can be collected while the task runs. The task's removal from the upstream's dependents (kept with
     * its followers until it ends) is of no use once the upstream has ended.
     */
    @Test
    void aLongRunningAfterTaskDoesNotPinItsEndedUpstream() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
                CountDownLatch release = new CountDownLatch(1);
                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch open = new CountDownLatch(1);
                SpawningTask<byte[]> upstream = orchestrator.to(byte[].class).named("big").run(() -> {
                    open.await();
                    return new byte[1 << 20];
                });
                SpawningTask<String> after = orchestrator.to(String.class).named("long").after(upstream).run(() -> {
                    started.countDown();
                    release.await();
                    return "a";
                });
                assertThat(((TaskNode<?>) upstream).outcome.hasDependents()).isTrue();
                open.countDown();
                started.await();
                java.lang.ref.WeakReference<Object> ref = new java.lang.ref.WeakReference<>(upstream);
                upstream = null;
                for (int i = 0; i < 50 && ref.get() != null; i++) {
                    System.gc();
                    Thread.sleep(10);
                }
                assertThat(ref.get()).as("the ended upstream, pinned by the running after() task").isNull();
                release.countDown();
                assertThat(after.join()).isEqualTo("a");
            }
        });
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
