package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskLostException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * README "The handle mirrors it": retries place the work again after a failure there, not after the loss of its
 * member, which ends the handle with {@code TaskLostException}: work that may have run part way is not run twice.
 */
@Timeout(150)
class Review12LostIsNotRetriedTest {

    private TestCluster test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void aHandleWithRetriesWhoseMemberIsKilledEndsLostAndIsNotPlacedAgain() {
        test = TestCluster.start(3);
        TestCluster.Member a = test.busyFirst();
        SpawningTask<String> handle = a.orchestrator.to(String.class).retry(RetryPolicy.fixed(3, Duration.ofMillis(10)))
                .anywhere().run("hold", "once");
        await().atMost(Duration.ofSeconds(30)).until(() -> test.heldCount() == 2);
        TestCluster.Member b = test.members.stream().filter(m -> m != a && test.held.containsKey(m.name)).findFirst()
                .orElseThrow();
        b.hazelcast.getLifecycleService().terminate();
        test.left(b);

        await().atMost(Duration.ofSeconds(60)).until(() -> handle.status().isTerminal());
        assertThat(handle.status()).isEqualTo(TaskStatus.FAILED);
        TaskResult.Err<String> err = (TaskResult.Err<String>) handle.result();
        assertThat(err.error()).isInstanceOf(TaskLostException.class).hasMessageContaining(b.name);
        assertThat(test.heldCount()).as("bodies held: the busy one and the lost one, none placed again").isEqualTo(2);
    }
}
