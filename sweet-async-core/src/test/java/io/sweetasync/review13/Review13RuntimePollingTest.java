package io.sweetasync.review13;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The single runtime's own thread polling a task's future with short timed waits leaves nothing on the future. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review13RuntimePollingTest {

    @Test
    void pollingWaitsOfTheOwnThreadLeaveNoDependents() throws Exception {
        try (TaskOrchestrator o = TaskOrchestrator.builder().build()) {
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> slow = o.to(Integer.class).run(() -> {
                release.await();
                return 1;
            });
            CompletableFuture<Integer> f = slow.toCompletableFuture();
            CompletableFuture<Integer> derived = f.thenApply(x -> x);
            int[] seen = o.to(int[].class).runtime("single").run(() -> {
                int timeouts = 0;
                for (int i = 0; i < 10_000; i++) {
                    try {
                        (i % 2 == 0 ? f : derived).get(1, TimeUnit.MICROSECONDS);
                    }
                    catch (TimeoutException expected) {
                        timeouts++;
                    }
                }
                return new int[] { timeouts, f.getNumberOfDependents(), derived.getNumberOfDependents() };
            }).join();
            release.countDown();
            assertThat(seen[0]).isEqualTo(10_000);
            assertThat(seen[1]).as("dependents left on the task's future").isLessThan(10);
            assertThat(seen[2]).as("dependents left on the derived future").isLessThan(10);
        }
    }
}
