package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskStatus;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member whose own Hazelcast instance stopped (shut down by its application, or by Hazelcast after a split it could
 * not merge) while its orchestrator goes on: found by a new user's trial, an {@code anywhere()} task ended FAILED with
 * Hazelcast's raw {@code HazelcastInstanceNotActiveException}, thrown as the member was chosen. This member is the only
 * one it can reach: the work runs here, as a durable task's already did when no member could be chosen.
 */
@Timeout(120)
class OwnHazelcastStoppedTest {

    @Test
    void anAnywhereTaskRunsHereOnceThisMembersHazelcastStopped() throws Exception {
        try (TestCluster test = TestCluster.start(2, (index, builder) -> builder.handler("upper", String.class,
                String::toUpperCase))) {
            TestCluster.Member a = test.get(0);
            assertThat(a.orchestrator.to(String.class).anywhere().run("upper", "before").get(30, TimeUnit.SECONDS))
                    .isEqualTo("BEFORE");
            a.hazelcast.shutdown();
            for (int i = 0; i < 3; i++) {
                SpawningTask<String> task = a.orchestrator.to(String.class).anywhere().run("upper", "after" + i);
                assertThat(task.get(30, TimeUnit.SECONDS)).isEqualTo("AFTER" + i);
                assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
                assertThat(a.orchestrator.find(task.id()).orElseThrow().children()).as("run here, as its child")
                        .singleElement().satisfies(child -> assertThat(child.status()).isEqualTo(TaskStatus.COMPLETED));
            }
        }
    }
}
