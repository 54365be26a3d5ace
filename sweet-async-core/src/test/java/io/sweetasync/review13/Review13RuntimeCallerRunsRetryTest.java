package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * README: "Deadlines and retry delays are kept on the clock's own platform threads, so they fire on time also while
 * virtual bodies that compute without blocking hold every carrier". Found: a retry of a task on a caller-runs executor
 * ({@code TaskRuntime.executor("direct", Runnable::run)}) ran its whole attempt on the clock's action thread that
 * fired the retry delay. Eight such attempts that block (as many as the clock has action threads) held them all: the
 * deadline of any other task then waited 500 ms and went to a virtual thread, which never ran while virtual bodies
 * computed on every carrier: a platform task's 300 ms deadline did not fire in 15 s (it fired only once the computing
 * bodies let a carrier go). A retry of a task on an executor of the user's is now handed to it from a thread of its
 * own, as a task whose permit is handed over is.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review13RuntimeCallerRunsRetryTest {

    private static final long HARD_STOP_NANOS = TimeUnit.SECONDS.toNanos(25);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.executor("direct", Runnable::run))
            .runtime(TaskRuntime.platform("pool", 2))
            .build();
    private final AtomicBoolean releaseHogs = new AtomicBoolean();
    private final CountDownLatch hold = new CountDownLatch(1);

    @AfterEach
    void close() {
        releaseHogs.set(true);
        hold.countDown();
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

    @Test
    void retriedAttemptsOnACallerRunsExecutorDoNotHoldTheClocksThreads() throws Exception {
        int retried = 8; // SystemClock.ACTION_THREADS
        CountDownLatch secondAttempts = new CountDownLatch(retried);
        List<SpawningTask<Integer>> slow = new ArrayList<>();
        for (int i = 0; i < retried; i++) {
            AtomicInteger attempts = new AtomicInteger();
            slow.add(orchestrator.to(Integer.class).named("retried-" + i).runtime("direct")
                    .retry(RetryPolicy.fixed(1, Duration.ofMillis(1))).run(() -> {
                        if (attempts.incrementAndGet() == 1) {
                            throw new IOException("once");
                        }
                        secondAttempts.countDown();
                        hold.await();
                        return 2;
                    }));
        }
        assertThat(secondAttempts.await(30, TimeUnit.SECONDS)).as("every retry started").isTrue();

        AtomicInteger computing = new AtomicInteger();
        for (int i = 0; i < carriers(); i++) {
            orchestrator.to(Boolean.class).named("hog-" + i).run(() -> {
                computing.incrementAndGet();
                return compute(releaseHogs);
            });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> computing.get() == carriers());

        SpawningTask<Integer> sleeper = orchestrator.to(Integer.class).named("sleeper").runtime("pool")
                .timeout(Duration.ofMillis(300)).run(() -> {
                    Thread.sleep(Long.MAX_VALUE);
                    return 1;
                });
        await().atMost(Duration.ofSeconds(15)).until(sleeper::isDone);
        // isDone() is true once the deadline decided the end; the status turns once the interrupted body returned
        // (a moment later; under load, as with the core tests' two JVMs, read before it once: RUNNING)
        await().atMost(Duration.ofSeconds(15)).until(() -> sleeper.status().isTerminal());
        assertThat(sleeper.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(releaseHogs.get()).isFalse();

        releaseHogs.set(true); // the retried attempts now run on threads of their own: virtual ones need a carrier
        hold.countDown();
        for (SpawningTask<Integer> task : slow) {
            assertThat(task.join()).isEqualTo(2);
        }
    }
}
