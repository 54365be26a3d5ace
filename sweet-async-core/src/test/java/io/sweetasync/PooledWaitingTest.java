package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Waiting inside a task on the {@code single} and {@code platform} runtimes: any acyclic set of waits
 * finishes, whatever the timing, and a waiter never runs unrelated work on its own stack. Each
 * scenario hung with the earlier "help while waiting" design; a hang fails the test by its timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PooledWaitingTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("duo", 2))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /** Root R starts A and B; A waits for its own child (which fails once and is retried); B joins A. */
    @ParameterizedTest
    @ValueSource(strings = { "single", "duo" })
    void aSiblingJoiningATaskThatWaitsForARetriedChild(String runtime) {
        for (int round = 0; round < 20; round++) {
            AtomicInteger attempts = new AtomicInteger();
            String result = orchestrator.to(String.class).runtime(runtime).await(() -> {
                TaskContext root = TaskContext.current().orElseThrow();
                SpawningTask<String> a = root.runChild(() -> TaskContext.current().orElseThrow().child(String.class)
                        .retry(RetryPolicy.fixed(2, Duration.ofMillis(1)))
                        .run(() -> {
                            if (attempts.incrementAndGet() == 1) {
                                throw new IllegalStateException("first attempt fails");
                            }
                            return "a1";
                        }).join() + "+a");
                SpawningTask<String> b = root.runChild(() -> a.join() + "+b");
                return b.join();
            });
            assertThat(result).isEqualTo("a1+a+b");
        }
    }

    /** A waits for a task on {@code virtual} while another root X joins A. */
    @ParameterizedTest
    @ValueSource(strings = { "single", "duo" })
    void aRootJoiningATaskThatWaitsForAnotherRuntime(String runtime) throws Exception {
        for (int round = 0; round < 20; round++) {
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> a = orchestrator.to(String.class).runtime(runtime).run(() -> orchestrator
                    .to(String.class).runtime("virtual").detached().run(() -> {
                        release.await();
                        return "v";
                    }).join() + "+a");
            SpawningTask<String> x = orchestrator.to(String.class).runtime(runtime).run(() -> a.join() + "+x");
            release.countDown();
            assertThat(x.join()).isEqualTo("v+a+x");
        }
    }

    /** Two roots on the same runtime where Y joins X, X started first or second. */
    @ParameterizedTest
    @ValueSource(strings = { "single", "duo" })
    void oneRootJoiningAnother(String runtime) {
        for (int round = 0; round < 50; round++) {
            AtomicReference<SpawningTask<Integer>> xRef = new AtomicReference<>();
            CountDownLatch xKnown = new CountDownLatch(1);
            SpawningTask<Integer> y = orchestrator.to(Integer.class).runtime(runtime).run(() -> {
                xKnown.await();
                return xRef.get().join() + 1;
            });
            xRef.set(orchestrator.to(Integer.class).runtime(runtime).run(() -> 41));
            xKnown.countDown();
            assertThat(y.join()).isEqualTo(42);
        }
    }

    /** Every task of a full pool joins queued children, several levels deep. */
    @RepeatedTest(5)
    void aFullPoolOfJoinersThreeLevelsDeep() {
        List<SpawningTask<Integer>> roots = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            roots.add(orchestrator.to(Integer.class).runtime("duo").run(() -> {
                TaskContext top = TaskContext.current().orElseThrow();
                List<SpawningTask<Integer>> mid = new ArrayList<>();
                for (int j = 0; j < 3; j++) {
                    mid.add(top.runChild(() -> {
                        TaskContext here = TaskContext.current().orElseThrow();
                        SpawningTask<Integer> leaf = here.runChild(() -> 1);
                        return leaf.join() + here.runChild(() -> 1).join();
                    }));
                }
                return mid.stream().mapToInt(SpawningTask::join).sum();
            }));
        }
        assertThat(roots.stream().mapToInt(SpawningTask::join).sum()).isEqualTo(8 * 6);
    }

    /**
     * A HIGH task that waits is never held up by a LOW task: the LOW task blocks until the HIGH task's
     * waiter has seen it time out. Running the LOW task nested on the waiting HIGH task's stack (the
     * earlier design) makes this hang.
     */
    @Test
    void aWaitingHighTaskDoesNotRunALowTaskOnItsStack() throws Exception {
        // the deadline runs from submission: on a loaded machine it can pass before the HIGH task's body has
        // started (then no LOW task is ever submitted), or before the LOW task got the slot the waiting HIGH task
        // gave away (then it runs on the same thread once HIGH has ended, and proves nothing). Such a run is
        // repeated with a deadline twice as long, after letting its LOW task go.
        for (Duration timeout = Duration.ofMillis(300); ; timeout = timeout.multipliedBy(2)) {
            assertThat(timeout).as("a deadline the bodies could not reach").isLessThan(Duration.ofSeconds(30));
            CountDownLatch lowMayEnd = new CountDownLatch(1);
            CountDownLatch lowRunning = new CountDownLatch(1);
            AtomicReference<String> lowThread = new AtomicReference<>();
            AtomicReference<String> highThread = new AtomicReference<>();
            AtomicBoolean highBodyEnded = new AtomicBoolean();
            AtomicBoolean lowRanWhileHighWaited = new AtomicBoolean();
            SpawningTask<String> high = orchestrator.to(String.class).runtime("single").priority(TaskPriority.HIGH)
                    .timeout(timeout).run(() -> {
                        highThread.set(Thread.currentThread().getName());
                        orchestrator.to(Void.class).runtime("single").detached().priority(TaskPriority.LOW).run(() -> {
                            lowThread.set(Thread.currentThread().getName());
                            lowRanWhileHighWaited.set(!highBodyEnded.get());
                            lowRunning.countDown();
                            lowMayEnd.await();
                            return null;
                        });
                        try {
                            // waits for a task that never ends: only the timeout ends this body
                            return orchestrator.to(String.class).runtime("virtual").detached()
                                    .run(Blocking.<String>untilInterrupted()).join();
                        }
                        finally {
                            highBodyEnded.set(true);
                        }
                    });
            assertThatThrownBy(high::join).isInstanceOf(TaskTimeoutException.class);
            assertThat(high.status()).isEqualTo(TaskStatus.TIMED_OUT);
            if (highThread.get() != null) {
                assertThat(lowRunning.await(30, TimeUnit.SECONDS)).isTrue();
            }
            boolean proves = highThread.get() != null && lowRanWhileHighWaited.get();
            if (proves) {
                assertThat(lowThread.get()).isNotEqualTo(highThread.get());
            }
            lowMayEnd.countDown();
            if (proves) {
                return;
            }
        }
    }

    /** A timed get(...) on the single thread gives the slot away too: a trivial child completes in it. */
    @Test
    void aTimedGetOnTheSingleThreadLetsTheChildRun() {
        String result = orchestrator.to(String.class).runtime("single").await(() -> {
            SpawningTask<String> child = TaskContext.current().orElseThrow().runChild(() -> "child");
            return child.get(30, TimeUnit.SECONDS);
        });
        assertThat(result).isEqualTo("child");
    }

    @Test
    void aTimedGetThatExpiresThrowsTimeoutAndTheChildStillCompletes() {
        CountDownLatch release = new CountDownLatch(1);
        String result = orchestrator.to(String.class).runtime("single").await(() -> {
            SpawningTask<String> child = TaskContext.current().orElseThrow().runChild(() -> {
                release.await();
                return "late";
            });
            try {
                child.get(1, TimeUnit.MILLISECONDS);
                return "not expected";
            }
            catch (java.util.concurrent.TimeoutException expected) {
                release.countDown();
                return child.join();
            }
        });
        assertThat(result).isEqualTo("late");
    }

    @Test
    void hugeWaitTimesMeanPracticallyNever() {
        String result = orchestrator.to(String.class).runtime("single").await(() -> TaskContext.current()
                .orElseThrow().runChild(() -> "x").get(Long.MAX_VALUE, TimeUnit.DAYS));
        assertThat(result).isEqualTo("x");
    }

    /** A body blocked on something the runtime cannot see hands its slot over through managedBlock. */
    @Test
    void managedBlockLetsALaterTaskOnTheSameSingleThreadRun() {
        CountDownLatch ready = new CountDownLatch(1);
        SpawningTask<String> waiter = orchestrator.to(String.class).runtime("single").run(() -> {
            TaskRuntime.managedBlock(new ForkJoinPool.ManagedBlocker() {
                @Override
                public boolean block() throws InterruptedException {
                    ready.await();
                    return true;
                }

                @Override
                public boolean isReleasable() {
                    return ready.getCount() == 0;
                }
            });
            return "released";
        });
        orchestrator.to(Void.class).runtime("single").run(() -> {
            ready.countDown();
            return null;
        });
        assertThat(waiter.join()).isEqualTo("released");
    }

    @Test
    void managedBlockOffAPoolSimplyBlocks() throws Exception {
        AtomicBoolean blocked = new AtomicBoolean();
        TaskRuntime.managedBlock(new ForkJoinPool.ManagedBlocker() {
            @Override
            public boolean block() {
                blocked.set(true);
                return true;
            }

            @Override
            public boolean isReleasable() {
                return blocked.get();
            }
        });
        assertThat(blocked).isTrue();
        assertThatThrownBy(() -> TaskRuntime.managedBlock(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("blocker");
    }

    /** The snapshot shows the wait and the spare thread that covers it; the spare leaves the slot count intact. */
    @Test
    void theSnapshotShowsBlockedBodiesAndTheirSpareThreads() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch childRunning = new CountDownLatch(1);
        SpawningTask<String> parent = orchestrator.to(String.class).runtime("single").run(() -> {
            SpawningTask<String> child = TaskContext.current().orElseThrow().runChild(() -> {
                childRunning.countDown();
                release.await();
                return "done";
            });
            return child.join();
        });
        assertThat(childRunning.await(30, TimeUnit.SECONDS)).isTrue();
        RuntimeSnapshot single = orchestrator.runtimes().get("single").snapshot();
        assertThat(single.kind()).isEqualTo(TaskRuntime.Kind.SINGLE);
        assertThat(single.blocked()).isEqualTo(1);
        assertThat(single.running()).isEqualTo(1);
        assertThat(single.threads()).isEqualTo(2);
        assertThat(single.peakBlocked()).isEqualTo(1);
        release.countDown();
        assertThat(parent.join()).isEqualTo("done");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            RuntimeSnapshot after = orchestrator.runtimes().get("single").snapshot();
            assertThat(after.blocked()).isZero();
            assertThat(after.running()).isZero();
        });
    }

    /** Past the platform spares, waits are covered by virtual threads: a join chain deeper than the pool still ends. */
    @Test
    void waitsBeyondThePlatformSparesAreCoveredByVirtualThreads() {
        try (TaskOrchestrator small = TaskOrchestrator.builder().runtime(TaskRuntime.platform("tiny", 1, 2)).build()) {
            int depth = small.to(Integer.class).runtime("tiny").await(() -> joinChain(50));
            assertThat(depth).isEqualTo(50);
            RuntimeSnapshot tiny = small.runtimes().get("tiny").snapshot();
            assertThat(tiny.peakBlocked()).isGreaterThanOrEqualTo(49);
            assertThat(tiny.virtualSpares()).isPositive();
        }
        assertThatThrownBy(() -> TaskRuntime.platform("bad", 1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSpareThreads").hasMessageContaining("-1");
    }

    private static int joinChain(int levels) {
        if (levels == 1) {
            return 1;
        }
        return TaskContext.current().orElseThrow().child(Integer.class).run(() -> joinChain(levels - 1)).join() + 1;
    }
}
