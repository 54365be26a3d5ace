package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskLostException;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A member terminated while it runs a task placed there is survived: the caller's task ends lost. */
@Timeout(120)
class ClusterMemberLossTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private TestCluster test;

    @BeforeEach
    void form() {
        test = TestCluster.start(3);
    }

    @AfterEach
    void stop() {
        test.close();
    }

    @Test
    void aTaskOnATerminatedMemberEndsLostNamingItAndWorkGoesOnElsewhere() {
        TestCluster.Member a = test.get(0);
        a.orchestrator.to(String.class).anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.held.containsKey(a.name));
        SpawningTask<String> remote = a.orchestrator.to(String.class).named("doomed").anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.heldCount() == 2);
        TestCluster.Member victim = test.members.stream()
                .filter(m -> m != a && test.held.containsKey(m.name)).findFirst().orElseThrow();

        victim.hazelcast.getLifecycleService().terminate();

        assertThatThrownBy(remote::join).isInstanceOf(TaskLostException.class)
                .hasMessageContaining("doomed").hasMessageContaining(victim.name).hasMessageContaining("left the cluster");
        assertThat(remote.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(remote.info().failure().type()).isEqualTo("TaskLostException");

        TestCluster.Member survivor = test.members.stream().filter(m -> m != a && m != victim).findFirst().orElseThrow();
        await().atMost(CEILING).until(() -> a.hazelcast.getCluster().getMembers().size() == 2
                && a.cluster.loads().isCandidate(survivor.hazelcast.getCluster().getLocalMember()));
        assertThat(a.orchestrator.to(String.class).anywhere().await("where", "x")).isEqualTo(survivor.name);
    }
}
