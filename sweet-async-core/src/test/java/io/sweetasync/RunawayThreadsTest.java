package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * A body that ignores its deadline's interrupt (a runaway) costs its pooled runtime a thread, not a slot:
 * queued work keeps running at the runtime's size, and the slot comes back, once, when the body returns.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RunawayThreadsTest {

    @RepeatedTest(3)
    void runawaysDoNotStarveAPooledRuntimeAndGiveTheirSlotBackOnce() throws Exception {
        for (TaskRuntime runtime : List.of(TaskRuntime.single("one"), TaskRuntime.platform("duo", 2))) {
            int size = runtime.parallelism();
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(runtime).build()) {
                // the deadline runs from submission: on a loaded machine it can pass before a body has started, and
                // a body that never started is no runaway; then the round is run again with twice the deadline
                CountDownLatch release;
                for (Duration timeout = Duration.ofMillis(100); ; timeout = timeout.multipliedBy(2)) {
                    CountDownLatch round = new CountDownLatch(1);
                    CountDownLatch started = new CountDownLatch(size);
                    List<SpawningTask<String>> runaways = new ArrayList<>();
                    for (int i = 0; i < size; i++) {
                        runaways.add(orchestrator.to(String.class).runtime(runtime.name()).timeout(timeout)
                                .run(() -> {
                                    started.countDown();
                                    Work.awaitIgnoringInterrupts(round);
                                    return "late";
                                }));
                    }
                    for (SpawningTask<String> runaway : runaways) {
                        runaway.result();
                        assertThat(runaway.status()).isEqualTo(TaskStatus.TIMED_OUT);
                    }
                    if (started.getCount() == 0 || timeout.toSeconds() >= 10) {
                        release = round;
                        break;
                    }
                    round.countDown(); // a short round leaves no runaway behind
                    await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.runawayCount() == 0);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.runawayCount() == size);

                // Every slot's body is stuck: queued work still runs, and still `size` at a time.
                assertThat(orchestrator.to(String.class).runtime(runtime.name()).run(() -> "next").toCompletableFuture()
                        .get(30, TimeUnit.SECONDS)).as("work queued behind %d runaways on %s", size, runtime.name())
                        .isEqualTo("next");
                assertThat(maxConcurrency(orchestrator, runtime.name(), 3 * size)).isBetween(1, size);

                release.countDown();
                await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.runawayCount() == 0);
                // The runaways' extra capacity is gone again: `size` at a time, not more.
                assertThat(maxConcurrency(orchestrator, runtime.name(), 3 * size)).isBetween(1, size);
                await().atMost(Duration.ofSeconds(10)).until(() -> runtime.snapshot().running() == 0);
            }
        }
    }

    /**
     * Bodies that return right around their deadline race the runaway bookkeeping (declared a runaway
     * vs returned): whichever wins, the runtime ends with its own size — an extra slot left behind would
     * let two bodies run on the single thread's runtime, a slot lost would starve it.
     */
    @RepeatedTest(3)
    void bodiesReturningAtTheirDeadlineLeaveTheCapacityAsItWas() throws Exception {
        TaskRuntime single = TaskRuntime.single("one");
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(single).build()) {
            List<SpawningTask<Integer>> racing = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long spin = TimeUnit.MICROSECONDS.toNanos(500 + (i % 7) * 150);
                racing.add(orchestrator.to(Integer.class).runtime("one").timeout(Duration.ofMillis(1)).run(() -> {
                    long end = System.nanoTime() + spin; // ignores the interrupt, ends near the deadline
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    return 1;
                }));
            }
            for (SpawningTask<Integer> task : racing) {
                task.result();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> orchestrator.runawayCount() == 0);
            assertThat(maxConcurrency(orchestrator, "one", 6)).isEqualTo(1);
        }
    }

    private static int maxConcurrency(TaskOrchestrator orchestrator, String runtime, int tasks) throws Exception {
        AtomicInteger active = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        List<SpawningTask<Integer>> all = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            all.add(orchestrator.to(Integer.class).runtime(runtime).run(() -> {
                max.accumulateAndGet(active.incrementAndGet(), Math::max);
                Thread.sleep(30);
                active.decrementAndGet();
                return 1;
            }));
        }
        for (SpawningTask<Integer> task : all) {
            assertThat(task.toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(1);
        }
        return max.get();
    }
}
