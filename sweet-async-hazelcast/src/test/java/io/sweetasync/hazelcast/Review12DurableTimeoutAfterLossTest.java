package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * README "Durable tasks": a placed durable task's timeout also bounds the handle's wait, and a handle that ends while
 * it waits for the next run ends the work in the store, so that no member runs it later. Its member is killed; the
 * handle times out before the lease lapses: it ends, and the invocation is ended in the store, never run again.
 */
@Timeout(150)
class Review12DurableTimeoutAfterLossTest {

    private DurableMembers test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void aPlacedDurableHandleWhoseMemberIsKilledTimesOutAndTheWorkIsNotRunAgain() {
        test = DurableMembers.start(3, Duration.ofSeconds(20)); // a lease far longer than the timeout
        TestCluster.Member a = test.cluster.busyFirst();
        SpawningTask<String> handle = a.orchestrator.to(String.class).timeout(Duration.ofSeconds(3))
                .durable("first-holds", "bounded").run();
        await().atMost(Duration.ofSeconds(30)).until(() -> test.holding.get() == 1);
        String ranOn = test.runs.get("bounded").get(0);
        int index = test.cluster.members.indexOf(test.cluster.members.stream().filter(m -> m.name.equals(ranOn))
                .findFirst().orElseThrow());
        assertThat(index).isNotZero();
        test.kill(index);

        await().alias("the handle ends by its timeout").atMost(Duration.ofSeconds(15))
                .until(() -> handle.status().isTerminal());
        assertThat(handle.status()).isEqualTo(TaskStatus.TIMED_OUT);
        await().alias("the invocation is ended in the store").atMost(Duration.ofSeconds(30))
                .until(() -> test.store.durable(handle.id()).map(r -> !r.status().equals("PENDING")).orElse(false));
        assertThat(test.runs.get("bounded")).as("runs").hasSize(1);
    }
}
