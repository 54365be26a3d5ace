package io.sweetasync.round7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskRuntime;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A group's permit is held per attempt (README, "Concurrency groups"): an attempt that fails gives it back as it
 * ends, and the retry asks for one again, in its priority's place among the tasks waiting then. So a retried
 * task never holds its group through its retry delay, nor through its {@code onRetrying} listeners and its
 * policy (user code that may wait for another task of the group); and a task that was already waiting when the
 * attempt ended takes the permit first, even a LOW one before a HIGH task's immediate retry (decided: as a retry
 * around a bulkhead does, rather than hold the permit across user code).
 */
class GroupPermitPerAttemptTest {

    @ParameterizedTest(name = "retry delay {0} ms")
    @ValueSource(longs = {0, 50})
    void aTaskWaitingForTheGroupRunsBetweenTheAttemptsOfARetriedOne(long delayMillis) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("pool", 2))
                    .group("one", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1))
                    .build()) {
                List<String> order = new CopyOnWriteArrayList<>();
                CountDownLatch lowCreated = new CountDownLatch(1);
                AtomicInteger attempts = new AtomicInteger();
                SpawningTask<Integer> high = orchestrator.to(Integer.class).runtime("pool").group("one")
                        .priority(TaskPriority.HIGH).retry(RetryPolicy.fixed(1, Duration.ofMillis(delayMillis)))
                        .run(() -> {
                            int attempt = attempts.incrementAndGet();
                            order.add("high#" + attempt);
                            if (attempt == 1) {
                                lowCreated.await(); // the LOW task waits for the group's one permit
                                throw new IOException("transient");
                            }
                            return attempt;
                        });
                SpawningTask<Integer> low = orchestrator.to(Integer.class).runtime("pool").group("one")
                        .priority(TaskPriority.LOW).run(() -> {
                            order.add("low");
                            return 0;
                        });
                lowCreated.countDown();
                assertThat(high.join()).isEqualTo(2);
                low.join();
                assertThat(order).containsExactly("high#1", "low", "high#2");
            }
        });
    }
}
