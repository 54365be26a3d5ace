package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 7 "one view" and "cancel by id works wherever the task runs". Member b drains ({@code shutdown(grace)}: it
 * admits no new work, its running tasks go on); a placement chosen by b's load from before turns away there, and a
 * passes b over until b publishes again (here a minute, the longest interval the cluster takes; 200 ms by default).
 * Meanwhile a's cancel by id of a task b still runs did not even ask b (false, the task ran on), and a's view left
 * b's running tasks out.
 */
@Timeout(120)
class Review12CancelReachesPassedOverMemberTest {

    private final List<HazelcastInstance> instances = new ArrayList<>();
    private final List<TaskOrchestrator> orchestrators = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch holding = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        orchestrators.forEach(TaskOrchestrator::close);
        instances.forEach(instance -> instance.getLifecycleService().terminate());
    }

    @Test
    void aDrainingMemberThatTurnedWorkAwayIsStillAskedToCancelAndShown() throws Exception {
        String name = "sweet-test-" + UUID.randomUUID();
        int base = TestCluster.freeBlock(2);
        TaskOrchestrator a = start(name, base, 0, Duration.ofMillis(50));
        TaskOrchestrator b = start(name, base, 1, Duration.ofMinutes(1));
        HazelcastTaskCluster aCluster = clusterOf(0);
        com.hazelcast.cluster.Member bMember = instances.get(1).getCluster().getLocalMember();
        await().atMost(Duration.ofSeconds(60)).until(() -> aCluster.loads().isCandidate(bMember));
        SpawningTask<String> runningOnB = b.to(String.class).named("on-b").run(() -> {
            holding.countDown();
            release.await();
            return "b";
        });
        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
        a.to(String.class).named("keeps-a-busy").run(() -> {
            release.await();
            return "a";
        });
        Thread.ofPlatform().daemon().start(() -> b.shutdown(Duration.ofMinutes(1)));
        await().atMost(Duration.ofSeconds(30)).until(() -> !b.isAccepting());
        SpawningTask<String> placed = a.to(String.class).anywhere().run("where", "x"); // chosen by b's old load: turned away
        assertThat(placed.get(30, TimeUnit.SECONDS)).isEqualTo(aCluster.memberName());
        assertThat(aCluster.loads().isCandidate(bMember)).as("b passed over").isFalse();

        assertThat(aCluster.members()).as("members in a's view").hasSize(2);
        assertThat(a.cancel(runningOnB.id())).as("a's cancel of b's running task").isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> runningOnB.status().isTerminal());
        assertThat(runningOnB.status()).isEqualTo(TaskStatus.CANCELLED);
    }

    private TaskOrchestrator start(String name, int base, int index, Duration interval) {
        HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(TestCluster.config(name, base, 2, index));
        instances.add(hazelcast);
        HazelcastTaskCluster cluster = new HazelcastTaskCluster(hazelcast, interval);
        String member = cluster.memberName();
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().cluster(cluster)
                .handler("where", String.class, any -> member).build();
        orchestrators.add(orchestrator);
        return orchestrator;
    }

    private HazelcastTaskCluster clusterOf(int index) {
        return (HazelcastTaskCluster) instances.get(index).getUserContext()
                .get(HazelcastTaskCluster.class.getName());
    }
}
