package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskRuntime;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 3 through the orchestrator: a group never runs more bodies than its limit, and never leaks a permit
 * (stuck below its limit) whatever its tasks do: throw, get cancelled while queued or running, time out
 * while queued or running, retry, be rejected after maxWait, with listeners that throw.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LimitsHostileGroupTest {

    private static final int LIMIT = 2;

    @Test
    void aGroupNeverRunsMoreThanItsLimitNorLeaksPermitsUnderChaos() throws Exception {
        LimiterConfig config = new LimiterConfig(LimitAlgorithm.FIXED, LIMIT, 1, 10, 10_000, Duration.ofMillis(20));
        for (String runtime : List.of("platform", "virtual", "single")) {
            TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                    .runtime(TaskRuntime.platform("platform", 8))
                    .group("g", config)
                    .build();
            orchestrator.addListener(new TaskListener() {
                @Override
                public void onStarted(TaskInfo task) {
                    throw new IllegalStateException("listener fails on start");
                }

                @Override
                public void onQueued(TaskInfo task) {
                    throw new IllegalStateException("listener fails on queue");
                }

                @Override
                public void onFinished(TaskInfo task) {
                    throw new IllegalStateException("listener fails on finish");
                }
            });
            try {
                AtomicInteger running = new AtomicInteger();
                AtomicInteger peak = new AtomicInteger();
                List<SpawningTask<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < 600; i++) {
                    int mode = i % 7;
                    AtomicInteger attempt = new AtomicInteger();
                    var builder = orchestrator.to(Integer.class).group("g").runtime(runtime)
                            .priority(TaskPriority.values()[i % 5]);
                    if (mode == 3) {
                        builder = builder.timeout(Duration.ofNanos(ThreadLocalRandom.current().nextLong(1, 3_000_000)));
                    }
                    if (mode == 4) {
                        builder = builder.retry(RetryPolicy.fixed(2, Duration.ZERO));
                    }
                    SpawningTask<Integer> task = builder.run(() -> {
                        int now = running.incrementAndGet();
                        peak.accumulateAndGet(now, Math::max);
                        try {
                            switch (mode) {
                                case 1 -> throw new IllegalStateException("body fails");
                                case 3 -> Thread.sleep(2);
                                case 4 -> {
                                    if (attempt.incrementAndGet() < 3) {
                                        throw new IllegalStateException("attempt fails");
                                    }
                                }
                                case 5 -> throw new Error("body throws an Error");
                                default -> Thread.onSpinWait();
                            }
                            return 1;
                        }
                        finally {
                            running.decrementAndGet();
                        }
                    });
                    if (mode == 2 || (mode == 6 && i % 2 == 0)) {
                        task.cancel();
                    }
                    tasks.add(task);
                }
                for (SpawningTask<Integer> task : tasks) {
                    task.result();
                }
                assertThat(peak.get()).as("%s: bodies running at once in a group of limit %d", runtime, LIMIT)
                        .isLessThanOrEqualTo(LIMIT);
                ConcurrencyLimiter limiter = orchestrator.limiter("g");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (limiter.inFlight() != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(limiter.inFlight()).as("%s: permits still out after every task ended", runtime).isZero();
                assertThat(limiter.queued()).isZero();
                assertLimitStillUsable(orchestrator, runtime);
            }
            finally {
                orchestrator.close();
            }
        }
    }

    /** A task cancelled right after submission, many times: the race between the grant and the stop. */
    @Test
    void cancelRacingTheGrantNeverLeaksAPermit() throws Exception {
        LimiterConfig config = new LimiterConfig(LimitAlgorithm.FIXED, LIMIT, 1, 10, 10_000, Duration.ofSeconds(30));
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("platform", 4))
                .group("g", config).build();
        try {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            for (int round = 0; round < 2_000; round++) {
                List<SpawningTask<Integer>> tasks = new ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    tasks.add(orchestrator.to(Integer.class).group("g").runtime("platform").run(() -> {
                        int now = running.incrementAndGet();
                        peak.accumulateAndGet(now, Math::max);
                        running.decrementAndGet();
                        return 1;
                    }));
                }
                tasks.get(round % 4).cancel();
                tasks.get((round + 1) % 4).cancel();
                for (SpawningTask<Integer> task : tasks) {
                    task.result();
                }
            }
            ConcurrencyLimiter limiter = orchestrator.limiter("g");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (limiter.inFlight() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(limiter.inFlight()).isZero();
            assertThat(peak.get()).isLessThanOrEqualTo(LIMIT);
            assertLimitStillUsable(orchestrator, "platform");
        }
        finally {
            orchestrator.close();
        }
    }

    /**
     * A group of limit 1 whose tasks run on a caller-runs executor: when the holder ends, its release grants
     * the next task, whose body runs inside the grant (on the releasing thread), ends, releases, and so on.
     * Every queued task must run and end; none may stay QUEUED with the permit free. Found: about 580 run,
     * nested one inside another's release, until the stack overflows; the other ~2,400 stay QUEUED with 0 in
     * flight until their maxWait (see LimitsHostileLimiterTest.aLongQueueOfInlineGrantsIsServedWithoutOverflowingTheStack).
     */
    @Test
    void aLongQueueOnACallerRunsExecutorIsServedWholly() throws Exception {
        int queued = 3_000;
        TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .runtime(TaskRuntime.executor("direct", Runnable::run))
                .group("one", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, queued, Duration.ofSeconds(300)))
                .build();
        try {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> holder = orchestrator.to(Integer.class).group("one").runtime("platform").run(() -> {
                holding.countDown();
                release.await();
                return 0;
            });
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
            AtomicInteger ran = new AtomicInteger();
            List<SpawningTask<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < queued; i++) {
                tasks.add(orchestrator.to(Integer.class).group("one").runtime("direct").run(() -> {
                    ran.incrementAndGet();
                    return 1;
                }));
            }
            release.countDown();
            holder.result();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ran.get() < queued && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            ConcurrencyLimiter limiter = orchestrator.limiter("one");
            assertThat("ran " + ran.get() + ", in flight " + limiter.inFlight() + ", queued " + limiter.queued())
                    .isEqualTo("ran " + queued + ", in flight 0, queued 0");
            int ok = 0;
            for (SpawningTask<Integer> task : tasks) {
                ok += task.result().isOk() ? 1 : 0;
            }
            assertThat(ok).isEqualTo(queued);
        }
        finally {
            orchestrator.close();
        }
    }

    /**
     * {@code Permit.suspend}'s javadoc: without suspension "a task holding its group's last permit that waits for
     * another task of the group waits for ever". A parent holding the only permit of its group joins a child of
     * the same group, which joins a grandchild of it, on each runtime: all must end (not after maxWait), and
     * the group must be whole again afterwards.
     */
    @Test
    void aTaskJoiningItsOwnGroupsChildrenAtLimitOneDoesNotWaitForEver() throws Exception {
        for (String runtime : List.of("platform", "single", "virtual", "direct")) {
            TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                    .runtime(TaskRuntime.executor("direct", Runnable::run))
                    .group("one", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 100, Duration.ofSeconds(600)))
                    .build();
            try {
                for (int round = 0; round < 20; round++) {
                    SpawningTask<Integer> parent = orchestrator.to(Integer.class).group("one").runtime(runtime).run(() -> {
                        var ctx = io.sweetasync.TaskContext.current().orElseThrow();
                        SpawningTask<Integer> child = ctx.child(Integer.class).group("one").run(() -> {
                            var inner = io.sweetasync.TaskContext.current().orElseThrow();
                            return inner.child(Integer.class).group("one").run(() -> 1).join() + 1;
                        });
                        return child.join() + 1;
                    });
                    assertThat(parent.result().isOk()).as("%s round %d: %s", runtime, round, parent.result()).isTrue();
                    assertThat(parent.join()).isEqualTo(3);
                }
                ConcurrencyLimiter limiter = orchestrator.limiter("one");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (limiter.inFlight() != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(limiter.inFlight()).as(runtime).isZero();
                assertThat(limiter.tryAcquire()).as(runtime).isPresent();
            }
            finally {
                orchestrator.close();
            }
        }
    }

    /** {@code LIMIT} bodies of the group can run at once: no permit was lost. */
    private static void assertLimitStillUsable(TaskOrchestrator orchestrator, String runtime) throws Exception {
        CountDownLatch all = new CountDownLatch(LIMIT);
        CountDownLatch release = new CountDownLatch(1);
        List<SpawningTask<Integer>> holders = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            holders.add(orchestrator.to(Integer.class).group("g").runtime("platform").run(() -> {
                all.countDown();
                release.await();
                return 1;
            }));
        }
        boolean together = all.await(30, TimeUnit.SECONDS);
        release.countDown();
        holders.forEach(SpawningTask::result);
        assertThat(together).as("%s: %d bodies of the group at once after the chaos", runtime, LIMIT).isTrue();
    }
}
