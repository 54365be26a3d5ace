package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deadlines and retry delays fire while every carrier of the JDK's virtual-thread scheduler is busy with bodies
 * that compute without blocking (the default runtime's tasks doing CPU work: parsing, transforming). The clock
 * handed each due action to a new virtual thread, which waited for a carrier: on a 2-core machine two such bodies
 * ran 10 s past a 300 ms timeout, and a {@code platform} task's 300 ms deadline fired after 2.9 s.
 *
 * <p>Each body computes until it sees its stop, or until a hard stop far beyond its deadline (so the test ends on
 * a broken version too): what is asserted is that the stop came first, not how fast.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeadlinesUnderBusyCarriersTest {

    private static final long HARD_STOP_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("pool", 2)).build();
    private final AtomicBoolean releaseHogs = new AtomicBoolean();

    @AfterEach
    void close() {
        releaseHogs.set(true);
        orchestrator.close();
    }

    /** As many bodies as the virtual scheduler has carriers: none of them ever lets a carrier go. */
    private static int carriers() {
        return Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
    }

    /** Computes until its task is asked to stop or {@code until} says so (or the hard stop); whether it was asked. */
    private static boolean compute(AtomicBoolean until) {
        TaskContext context = TaskContext.current().orElseThrow();
        long start = System.nanoTime();
        long sink = 0;
        while (!context.isCancellationRequested() && !until.get() && System.nanoTime() - start < HARD_STOP_NANOS) {
            for (int i = 0; i < 10_000; i++) {
                sink += i * 31L ^ sink;
            }
        }
        return sink != 42 && context.isCancellationRequested();
    }

    /** Starts a computing virtual body per carrier, without deadlines, and waits until they all compute. */
    private void holdEveryCarrier() {
        AtomicInteger computing = new AtomicInteger();
        for (int i = 0; i < carriers(); i++) {
            orchestrator.to(Boolean.class).named("hog-" + i).run(() -> {
                computing.incrementAndGet();
                return compute(releaseHogs);
            });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> computing.get() == carriers());
    }

    @Test
    void computingVirtualBodiesAreStoppedAtTheirDeadline() {
        List<SpawningTask<Boolean>> hogs = new ArrayList<>();
        for (int i = 0; i < carriers(); i++) {
            hogs.add(orchestrator.to(Boolean.class).named("hog-" + i).timeout(Duration.ofMillis(300))
                    .run(() -> compute(releaseHogs)));
        }
        for (SpawningTask<Boolean> hog : hogs) {
            assertThat(hog.result()).isInstanceOf(TaskResult.Err.class);
            assertThat(hog.status()).as("%s: its deadline fired while it computed", hog.name())
                    .isEqualTo(TaskStatus.TIMED_OUT);
        }
    }

    @Test
    void aPlatformTasksDeadlineFiresWhileVirtualBodiesHoldEveryCarrier() {
        holdEveryCarrier();
        SpawningTask<Integer> sleeper = orchestrator.to(Integer.class).named("sleeper").runtime("pool")
                .timeout(Duration.ofMillis(300)).run(() -> {
                    Thread.sleep(Long.MAX_VALUE);
                    return 1;
                });
        // the hogs compute for 20 s at most: the sleeper must time out well before they let a carrier go
        await().atMost(Duration.ofSeconds(15)).until(sleeper::isDone);
        assertThat(sleeper.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(releaseHogs.get()).isFalse();
    }

    /**
     * Slow actions (fallbacks of queued tasks that time out, run on the deadline's thread) hold every action
     * thread and more: those beyond run on virtual threads (not on the scheduler's thread, which they would hold),
     * so the next deadline still fires.
     */
    @Test
    void deadlinesFireWhileSlowFallbacksHoldEveryActionThread() throws Exception {
        java.util.concurrent.CountDownLatch holdFallbacks = new java.util.concurrent.CountDownLatch(1);
        int slow = SystemClock.ACTION_THREADS + 1; // every action thread, and a virtual one beyond
        java.util.concurrent.CountDownLatch fallbacksRunning = new java.util.concurrent.CountDownLatch(slow);
        AtomicBoolean blocker = new AtomicBoolean();
        try (TaskOrchestrator one = TaskOrchestrator.builder().runtime(TaskRuntime.single("one")).build()) {
            SpawningTask<Boolean> busy = one.to(Boolean.class).runtime("one").run(() -> {
                while (!blocker.get()) {
                    Thread.sleep(5);
                }
                return true;
            });
            List<SpawningTask<String>> held = new ArrayList<>();
            for (int i = 0; i < slow; i++) {
                held.add(one.to(String.class).named("held-" + i).runtime("one").timeout(Duration.ofMillis(50))
                        .fallback(error -> {
                            fallbacksRunning.countDown();
                            try {
                                holdFallbacks.await();
                            }
                            catch (InterruptedException ex) {
                                Thread.currentThread().interrupt();
                            }
                            return Thread.currentThread().isInterrupted() ? "interrupted" : "fallback";
                        })
                        .run(() -> "ran"));
            }
            assertThat(fallbacksRunning.await(30, TimeUnit.SECONDS)).as("every action thread held").isTrue();
            SpawningTask<String> next = one.to(String.class).named("next").runtime("one")
                    .timeout(Duration.ofMillis(50)).run(() -> "ran");
            await().atMost(Duration.ofSeconds(30)).until(next::isDone);
            assertThat(next.status()).isEqualTo(TaskStatus.TIMED_OUT);
            holdFallbacks.countDown();
            for (SpawningTask<String> task : held) {
                assertThat(task.join()).isEqualTo("fallback");
            }
            blocker.set(true);
            assertThat(busy.join()).isTrue();
        }
    }

    @Test
    void aRetryDelayEndsWhileVirtualBodiesHoldEveryCarrier() {
        holdEveryCarrier();
        AtomicInteger attempts = new AtomicInteger();
        SpawningTask<Integer> retried = orchestrator.to(Integer.class).named("retried").runtime("pool")
                .retry(RetryPolicy.fixed(2, Duration.ofMillis(50))).run(() -> {
                    if (attempts.incrementAndGet() == 1) {
                        throw new IllegalStateException("first attempt fails");
                    }
                    return attempts.get();
                });
        await().atMost(Duration.ofSeconds(15)).until(retried::isDone);
        assertThat(retried.join()).isEqualTo(2);
    }

    /**
     * More deadlines due at once than there are action threads (tasks started together with one timeout): those
     * beyond the pool's size went to virtual threads as soon as every pool thread was busy, however short the
     * actions, and never ran while virtual bodies held every carrier. Now they wait for a pool thread.
     */
    @Test
    void moreDeadlinesAtOnceThanActionThreadsFireWhileVirtualBodiesHoldEveryCarrier() {
        holdEveryCarrier();
        assertEveryStubbornTaskTimesOut(SystemClock.ACTION_THREADS + 4);
    }

    /**
     * The deadline's own action waited {@link TaskDeadline#RUNAWAY_GRACE} for a body that ignores its interrupt
     * before it ended the task: a pool thread held that long per such deadline, so many due at once kept the
     * later ones waiting past {@link SystemClock#ACTION_WAIT}, then on virtual threads that never ran while virtual
     * bodies held every carrier. The grace is now an action of its own.
     */
    @Test
    void manyDeadlinesOfBodiesThatIgnoreTheirInterruptFireWhileVirtualBodiesHoldEveryCarrier() {
        holdEveryCarrier();
        assertEveryStubbornTaskTimesOut(SystemClock.ACTION_THREADS * 10);
    }

    /**
     * Starts {@code count} platform tasks at once, each with a 300 ms timeout and a body that ignores its
     * interrupt (as a blocking call the JDK cannot interrupt would: a driver's socket read), and asserts that
     * every one ends {@code TIMED_OUT} while the hogs still compute.
     */
    private void assertEveryStubbornTaskTimesOut(int count) {
        AtomicBoolean releaseStubborn = new AtomicBoolean();
        try (TaskOrchestrator many = TaskOrchestrator.builder().runtime(TaskRuntime.platform("many", count))
                .build()) {
            List<SpawningTask<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                tasks.add(many.to(Integer.class).named("stubborn-" + i).runtime("many")
                        .timeout(Duration.ofMillis(300)).run(() -> {
                            long start = System.nanoTime();
                            while (!releaseStubborn.get() && System.nanoTime() - start < HARD_STOP_NANOS) {
                                try {
                                    Thread.sleep(5);
                                }
                                catch (InterruptedException ex) {
                                    // ignores its stop
                                }
                            }
                            return 1;
                        }));
            }
            try {
                // the hogs compute for 20 s at most: every deadline must have ended its task well before that
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> tasks.stream().allMatch(task -> task.status().isTerminal()));
                for (SpawningTask<Integer> task : tasks) {
                    assertThat(task.status()).as(task.name()).isEqualTo(TaskStatus.TIMED_OUT);
                }
                assertThat(releaseHogs.get()).isFalse();
            }
            finally {
                releaseStubborn.set(true);
            }
        }
    }
}
