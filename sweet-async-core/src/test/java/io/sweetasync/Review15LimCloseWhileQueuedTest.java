package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * close() (or a short shutdown, then close) while a group's queue is long: tasks of every priority waiting for
 * the one permit, some with timeouts, some retrying, some cancelled as the close runs. Every task must end, none
 * stay QUEUED, the queue empty and no permit left counted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review15LimCloseWhileQueuedTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void closingWhileTasksWaitForPermitsEndsThemAllAndLeavesTheGroupClean(boolean graceful) throws Exception {
        for (int round = 0; round < 20; round++) {
            TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                    .runtime(TaskRuntime.platform("p", 4))
                    .group("g", new LimiterConfig(LimitAlgorithm.FIXED, 2, 1, 2, 1_000, Duration.ofSeconds(300)))
                    .build();
            ConcurrencyLimiter limiter = orchestrator.limiter("g");
            CountDownLatch holding = new CountDownLatch(2);
            CountDownLatch never = new CountDownLatch(1);
            List<SpawningTask<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                tasks.add(orchestrator.to(Integer.class).group("g").runtime("p").run(() -> {
                    holding.countDown();
                    never.await();
                    return 0;
                }));
            }
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            AtomicInteger attempts = new AtomicInteger();
            TaskPriority[] priorities = TaskPriority.values();
            for (int i = 0; i < 200; i++) {
                SpawningTaskBuilder<Integer> builder = orchestrator.to(Integer.class).group("g").runtime("p")
                        .priority(priorities[i % priorities.length]);
                if (i % 3 == 0) {
                    builder = builder.timeout(Duration.ofMillis(1 + i % 7));
                }
                if (i % 4 == 0) {
                    builder = builder.retry(RetryPolicy.when(IOException.class, RetryPolicy.fixed(3, Duration.ofMillis(1))));
                }
                int n = i;
                tasks.add(builder.run(() -> {
                    attempts.incrementAndGet();
                    if (n % 4 == 0) {
                        throw new IOException("again");
                    }
                    return n;
                }));
            }
            Thread canceller = Thread.ofPlatform().start(() -> {
                for (int i = 2; i < tasks.size(); i += 5) {
                    tasks.get(i).cancel();
                }
            });
            if (graceful) {
                orchestrator.shutdown(Duration.ofMillis(5));
            }
            orchestrator.close();
            canceller.join(20_000);
            List<String> notDone = new ArrayList<>();
            for (SpawningTask<Integer> task : tasks) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!task.isDone() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                if (!task.isDone()) {
                    notDone.add(task.name() + " " + task.status());
                }
            }
            assertThat(notDone).as("round %d: tasks not ended after close", round).isEmpty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((limiter.inFlight() != 0 || limiter.queued() != 0) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(limiter.queued()).as("round %d: queued", round).isZero();
            assertThat(limiter.inFlight()).as("round %d: in flight", round).isZero();
            never.countDown();
        }
    }
}
