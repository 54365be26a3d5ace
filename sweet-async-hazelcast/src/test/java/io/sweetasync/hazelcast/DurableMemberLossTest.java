package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskResult;
import io.sweetasync.spi.DurableRecord;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Durable tasks of a member that dies, in a cluster of three sharing one store. */
@Timeout(120)
class DurableMemberLossTest {

    private static final Duration CEILING = Duration.ofSeconds(60);

    private DurableMembers test;

    @BeforeEach
    void form() {
        test = DurableMembers.start(3);
    }

    @AfterEach
    void stop() {
        test.close();
    }

    @Test
    void aDurableTaskRunningOnAKilledMemberIsRunAgainByASurvivor() {
        TestCluster.Member victim = test.get(1);
        SpawningTask<String> task = victim.orchestrator.to(String.class).durable("first-holds", "pinned").run();
        await().atMost(CEILING).until(() -> test.holding.get() == 1);
        assertThat(test.runs.get("pinned")).containsExactly(victim.name); // ties go to the submitting member

        long killed = System.nanoTime();
        test.kill(1);

        TestCluster.Member survivor = test.get(0);
        await().atMost(CEILING).until(() -> survivor.orchestrator.storedResult(task.id(), String.class).isPresent());
        System.out.printf("durable task of a killed member ended elsewhere %d ms after the kill (lease %s)%n",
                Duration.ofNanos(System.nanoTime() - killed).toMillis(), DurableMembers.LEASE);
        Optional<TaskResult<String>> result = survivor.orchestrator.storedResult(task.id(), String.class);
        assertThat(result).get().isInstanceOf(TaskResult.Ok.class);
        String reRanOn = ((TaskResult.Ok<String>) result.get()).value();
        assertThat(reRanOn).isIn(test.get(0).name, test.get(2).name);
        assertThat(test.runs.get("pinned")).containsExactly(victim.name, reRanOn);
        DurableRecord record = test.store.durable(task.id()).orElseThrow();
        assertThat(record.attempts()).isEqualTo(2);
        assertThat(record.status()).isEqualTo("COMPLETED");
    }
}
