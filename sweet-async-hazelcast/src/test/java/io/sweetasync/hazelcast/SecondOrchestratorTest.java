package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 7 with SPEC 6: one orchestrator per Hazelcast member. A second one built on a member that serves one already
 * is refused; that refusal comes after its store's thread started, and it left that thread running, renewing the
 * lease of an incarnation nobody could close, and the first orchestrator must go on serving the cluster.
 */
@Timeout(120)
class SecondOrchestratorTest {

    private DurableMembers test;

    @BeforeEach
    void form() {
        test = DurableMembers.start(1);
    }

    @AfterEach
    void stop() {
        test.close();
    }

    private static long storeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(thread -> thread.getName().startsWith("sweet-async-store")).count();
    }

    @Test
    void aSecondOrchestratorOnAServedMemberIsRefusedAndLeavesNoStoreThreadRunning() {
        TestCluster.Member a = test.get(0);
        long before = storeThreads();

        assertThatThrownBy(() -> TaskOrchestrator.builder().cluster(new HazelcastTaskCluster(a.hazelcast))
                .store(test.store).durableCodec(new TextCodec()).storeLease(DurableMembers.LEASE)
                .storeFlushInterval(Duration.ofMillis(100))
                .handler("first-holds", String.class, argument -> argument).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("one orchestrator per member");

        await().alias("the refused orchestrator's store threads end").atMost(Duration.ofSeconds(30))
                .until(() -> storeThreads() <= before); // another test class's may end meanwhile: not more
        test.release.countDown();
        assertThat(a.orchestrator.to(String.class).durable("first-holds", "after").run().join())
                .as("the first orchestrator still serves its member").isEqualTo(a.name);
    }
}
