package io.sweetasync.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of the anywhere() handle's QUEUED (FollowedWork): queuedCount() is "live tasks waiting for a runtime slot
 * or a permit" (the sweet.async.tasks.queued gauge). Without a cluster one work waiting for its group's permit is its
 * child here, QUEUED; the handle's own body runs (it waits for the child), and must not count a second time.
 */
@Timeout(60)
class AnywhereQueuedCountTest {

    @Test
    void oneWorkWaitingForAPermitCountsOnceInQueuedCount() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1))
                .handler("hold", String.class, any -> "done").build()) {
            SpawningTask<String> holder = orchestrator.to(String.class).group("g").run(() -> {
                holding.countDown();
                release.await();
                return "held";
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            SpawningTask<String> handle = orchestrator.to(String.class).group("g").anywhere().run("hold", "x");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.find(handle.id()).orElseThrow()
                    .children().stream().anyMatch(child -> child.status() == TaskStatus.QUEUED));
            assertThat(handle.status()).isEqualTo(TaskStatus.QUEUED); // the handle says so, as SPEC 7 wants
            assertThat(orchestrator.queuedCount()).as("tasks waiting for a slot or a permit: the work, once").isEqualTo(1);
            release.countDown();
            assertThat(holder.join()).isEqualTo("held");
            assertThat(handle.join()).isEqualTo("done");
        }
    }
}
