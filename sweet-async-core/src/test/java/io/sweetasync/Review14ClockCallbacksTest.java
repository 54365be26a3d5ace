package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * User callbacks run as timed-out tasks end (fallbacks, {@code onFinished} listeners) must not hold up other
 * tasks' deadlines: a queued task that times out ends on the clock's action thread, which runs its fallback and
 * its listeners there. Eight that block hold every action thread; a later deadline waited for one, and after
 * {@code SystemClock.ACTION_WAIT} went to a virtual thread, which never ran while virtual bodies computed on every
 * carrier: a neighbour's 100 ms deadline did not fire.
 *
 * <p>The hogs compute until released (or a hard stop far beyond the awaits, so a broken version still ends):
 * what is asserted is that the deadline fired while they still computed, not how fast.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review14ClockCallbacksTest {

    private static final long HARD_STOP_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final AtomicBoolean releaseHogs = new AtomicBoolean();
    private final AtomicBoolean releaseBusy = new AtomicBoolean();
    private final CountDownLatch releaseCallbacks = new CountDownLatch(1);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.single("one"))
            .runtime(TaskRuntime.platform("pool", 2)).build();

    @AfterEach
    void release() {
        releaseCallbacks.countDown();
        releaseBusy.set(true);
        releaseHogs.set(true);
        orchestrator.close();
    }

    private static int carriers() {
        return Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
    }

    private static boolean compute(AtomicBoolean until) {
        TaskContext context = TaskContext.current().orElseThrow();
        long start = System.nanoTime();
        long sink = 0;
        while (!context.isCancellationRequested() && !until.get() && System.nanoTime() - start < HARD_STOP_NANOS) {
            for (int i = 0; i < 10_000; i++) {
                sink += i * 31L ^ sink;
            }
        }
        return sink != 42;
    }

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

    private void blockUntilReleased(CountDownLatch running) {
        running.countDown();
        try {
            releaseCallbacks.await(120, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void blockingFallbacksOfTimedOutQueuedTasksDoNotHoldAnotherTasksDeadline() throws Exception {
        int slow = SystemClock.ACTION_THREADS + 2;
        CountDownLatch running = new CountDownLatch(SystemClock.ACTION_THREADS);
        assertDeadlineFiresWhileCallbacksBlock(running, slow, builder -> builder.fallback(error -> {
            blockUntilReleased(running);
            return "fallback";
        }));
    }

    @Test
    void blockingOnFinishedListenersOfTimedOutQueuedTasksDoNotHoldAnotherTasksDeadline() throws Exception {
        int slow = SystemClock.ACTION_THREADS + 2;
        CountDownLatch running = new CountDownLatch(SystemClock.ACTION_THREADS);
        orchestrator.addListener(new TaskListener() {
            @Override
            public void onFinished(TaskInfo task) {
                if (task.name().startsWith("held-")) {
                    blockUntilReleased(running);
                }
            }
        });
        assertDeadlineFiresWhileCallbacksBlock(running, slow, builder -> builder);
    }

    private void assertDeadlineFiresWhileCallbacksBlock(CountDownLatch running, int slow,
            UnaryOperator<SpawningTaskBuilder<String>> configure) throws Exception {
        SpawningTask<Boolean> busy = orchestrator.to(Boolean.class).named("busy").runtime("one").run(() -> {
            while (!releaseBusy.get()) {
                Thread.sleep(5);
            }
            return true;
        });
        List<SpawningTask<String>> held = new ArrayList<>();
        for (int i = 0; i < slow; i++) {
            held.add(configure.apply(orchestrator.to(String.class).named("held-" + i).runtime("one")
                    .timeout(Duration.ofMillis(50))).run(() -> "ran"));
        }
        assertThat(running.await(60, TimeUnit.SECONDS)).as("every action thread held by a callback").isTrue();
        holdEveryCarrier();
        SpawningTask<Integer> neighbour = orchestrator.to(Integer.class).named("neighbour").runtime("pool")
                .timeout(Duration.ofMillis(100)).run(() -> {
                    Thread.sleep(Long.MAX_VALUE);
                    return 1;
                });
        // the hogs compute for 60 s at most: the neighbour must time out well before they let a carrier go
        await().atMost(Duration.ofSeconds(30)).until(neighbour::isDone);
        assertThat(releaseHogs.get()).isFalse();
        assertThat(neighbour.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(neighbour.status()).isEqualTo(TaskStatus.TIMED_OUT);
        releaseHogs.set(true);
        releaseCallbacks.countDown();
        for (SpawningTask<String> task : held) {
            assertThat(task.result()).as("%s ended once its callback returned", task.name()).isNotNull();
        }
        releaseBusy.set(true);
        assertThat(busy.join()).isTrue();
    }
}
