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
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * The group's permit, as {@code round6.RetryKeepsPriorityTest} has it for a pooled runtime's slot (SPEC 1.2:
 * priority "orders admission wherever tasks wait"): a HIGH task of a group whose attempt failed and is retried
 * at once gives its permit back as the attempt ends ({@code TaskAttempts.afterAttempt}), before its
 * {@code onRetrying} listeners run, and asks for one again only after them; the freed permit goes to a LOW task
 * of the group that waited meanwhile, and the HIGH retry waits for that whole LOW body. Fails when enabled:
 * {@code [high#1, low, high#2]}. Not fixed: keeping the permit for the retry means holding it while the
 * listeners run (a listener that waits for another task of the group would then wait for a permit its own
 * thread holds), or queueing the retry's request before them (its grant could start the attempt before the
 * body is idle again). A decision for the maintainers.
 */
class GroupRetryKeepsPriorityTest {

    @Test
    @Disabled("a reading of SPEC 1.2 the product does not follow for a group's permit; see the class comment")
    void anImmediateRetryOfAHighTaskTakesTheGroupsPermitBeforeALowTaskWaitingForIt() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("pool", 2))
                    .group("one", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1))
                    .build()) {
                List<String> order = new CopyOnWriteArrayList<>();
                CountDownLatch lowCreated = new CountDownLatch(1);
                AtomicInteger attempts = new AtomicInteger();
                SpawningTask<Integer> high = orchestrator.to(Integer.class).runtime("pool").group("one")
                        .priority(TaskPriority.HIGH).retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
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
                assertThat(order).containsExactly("high#1", "high#2", "low");
            }
        });
    }
}
