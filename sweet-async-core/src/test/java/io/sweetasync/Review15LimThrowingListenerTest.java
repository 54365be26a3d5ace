package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A group of 2 permits under a listener that throws from every callback (onCreated, onQueued, onStarted,
 * onRetrying, onFinished), with tasks of every priority that time out while queued or running, retry between
 * attempts (re-admitted through the group each time), fail, or are cancelled: bodies never run more than 2 at once,
 * every task ends, and nothing is left in flight or queued.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review15LimThrowingListenerTest {

    @Test
    void aListenerThatThrowsEverywhereNeitherLeaksNorDoublesPermits() throws Exception {
        TaskListener hostile = new TaskListener() {
            @Override
            public void onCreated(TaskInfo task) {
                throw new IllegalStateException("onCreated");
            }

            @Override
            public void onQueued(TaskInfo task) {
                throw new IllegalStateException("onQueued");
            }

            @Override
            public void onStarted(TaskInfo task) {
                throw new IllegalStateException("onStarted");
            }

            @Override
            public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                throw new IllegalStateException("onRetrying");
            }

            @Override
            public void onFinished(TaskInfo task) {
                throw new IllegalStateException("onFinished");
            }
        };
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().listener(hostile)
                .runtime(TaskRuntime.platform("p", 4))
                .group("g", new LimiterConfig(LimitAlgorithm.FIXED, 2, 1, 2, 10_000, Duration.ofSeconds(60)))
                .build();
        try {
            ConcurrencyLimiter limiter = orchestrator.limiter("g");
            AtomicInteger running = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            TaskPriority[] priorities = TaskPriority.values();
            for (int round = 0; round < 10; round++) {
                SplittableRandom random = new SplittableRandom(round);
                List<SpawningTask<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    SpawningTaskBuilder<Integer> builder = orchestrator.to(Integer.class).group("g").runtime("p")
                            .priority(priorities[random.nextInt(priorities.length)]);
                    if (random.nextInt(3) == 0) {
                        builder = builder.timeout(Duration.ofMillis(1 + random.nextInt(5)));
                    }
                    if (random.nextInt(3) == 0) {
                        builder = builder.retry(RetryPolicy.when(IOException.class,
                                RetryPolicy.fixed(2, Duration.ofMillis(random.nextInt(2)))));
                    }
                    int kind = random.nextInt(4);
                    long spin = random.nextInt(200_000);
                    tasks.add(builder.run(() -> {
                        int now = running.incrementAndGet();
                        peak.accumulateAndGet(now, Math::max);
                        try {
                            LockSupport.parkNanos(spin);
                            if (kind == 0) {
                                throw new IOException("retry me");
                            }
                            if (kind == 1) {
                                throw new IllegalArgumentException("fail");
                            }
                            return kind;
                        }
                        finally {
                            running.decrementAndGet();
                        }
                    }));
                    if (random.nextInt(7) == 0) {
                        tasks.get(random.nextInt(tasks.size())).cancel();
                    }
                }
                for (SpawningTask<Integer> task : tasks) {
                    task.result();
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while ((limiter.inFlight() != 0 || limiter.queued() != 0) && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(limiter.inFlight()).as("round %d: permits left counted", round).isZero();
                assertThat(limiter.queued()).as("round %d: requests left queued", round).isZero();
            }
            assertThat(peak.get()).as("bodies running at once in a group of 2").isLessThanOrEqualTo(2);
        }
        finally {
            orchestrator.close();
        }
    }
}
