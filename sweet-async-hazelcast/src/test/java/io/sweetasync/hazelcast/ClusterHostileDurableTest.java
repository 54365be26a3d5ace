package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hostile moments for placed durable tasks (three members sharing one store). */
@Timeout(150)
class ClusterHostileDurableTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private DurableMembers test;

    @BeforeEach
    void form() {
        test = DurableMembers.start(3);
    }

    @AfterEach
    void stop() {
        test.close();
    }

    /** README: "The submitting member stopping ends its handle, not the work placed elsewhere." */
    @Test
    void closingTheSubmittingOrchestratorEndsItsHandleButNotTheWorkPlacedElsewhere() {
        TestCluster.Member caller = test.get(0);
        caller.orchestrator.to(String.class).durable("first-holds", "busy").run();
        await().atMost(CEILING).until(() -> test.holding.get() == 1);
        SpawningTask<String> placed = caller.orchestrator.to(String.class).durable("first-holds", "elsewhere").run();
        await().atMost(CEILING).until(() -> test.holding.get() == 2);
        String ranOn = test.runs.get("elsewhere").getFirst();
        assertThat(ranOn).isNotEqualTo(caller.name);

        caller.orchestrator.close();

        await().atMost(CEILING).until(() -> placed.status().isTerminal());
        assertThat(test.holding.get()).isGreaterThanOrEqualTo(1); // the work there still holds
        test.release.countDown();
        await().atMost(CEILING).until(() -> test.store.durable(placed.id()).orElseThrow().status().equals("COMPLETED"));
        assertThat(test.store.durable(placed.id()).orElseThrow().result()).isEqualTo(ranOn);
        assertThat(test.runs.get("elsewhere")).containsExactly(ranOn);
        assertThat(placed.status()).isNotEqualTo(TaskStatus.COMPLETED);
    }
}
