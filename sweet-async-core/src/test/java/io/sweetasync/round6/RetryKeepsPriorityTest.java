package io.sweetasync.round6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskRuntime;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC 1.2: priority "orders admission wherever tasks wait". A HIGH task whose attempt failed and is retried
 * at once ({@code Duration.ZERO}) waits for a slot again: its retry must be queued before the slot it gave up
 * goes to a LOW task that queued meanwhile. It went through the clock's thread first, so the freed slot went to
 * the LOW task, and the HIGH retry waited for that whole LOW body.
 */
class RetryKeepsPriorityTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1)).build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"one", "single"})
    void anImmediateRetryOfAHighTaskRunsBeforeALowTaskQueuedBehindIt(String runtime) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 20; round++) {
                List<String> order = new CopyOnWriteArrayList<>();
                CountDownLatch lowQueued = new CountDownLatch(1);
                AtomicInteger attempts = new AtomicInteger();
                SpawningTask<Integer> high = orchestrator.to(Integer.class).runtime(runtime).priority(TaskPriority.HIGH)
                        .retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
                            int attempt = attempts.incrementAndGet();
                            order.add("high#" + attempt);
                            if (attempt == 1) {
                                lowQueued.await(); // the LOW task waits for this slot
                                throw new IOException("transient");
                            }
                            return attempt;
                        });
                SpawningTask<Integer> low = orchestrator.to(Integer.class).runtime(runtime).priority(TaskPriority.LOW)
                        .run(() -> {
                            order.add("low");
                            return 0;
                        });
                lowQueued.countDown();
                assertThat(high.join()).isEqualTo(2);
                low.join();
                assertThat(order).as("round " + round).containsExactly("high#1", "high#2", "low");
            }
        });
    }
}
