package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 6 "lost work is visible" in a cluster (README "Member loss": its own tasks are the task store's business): a
 * killed member's plain tasks, one of its own and one placed there, end FAILED with TaskLostException in the shared
 * store once its lease lapses, readable from a survivor; the placing handle ends lost at once.
 */
@Timeout(150)
class Review12KilledMembersTasksMarkedLostTest {

    private DurableMembers test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void aKilledMembersLiveTasksEndLostInTheStore() {
        test = DurableMembers.start(3);
        TestCluster cluster = test.cluster;
        TestCluster.Member a = cluster.busyFirst();
        TestCluster.Member c = test.get(2);
        SpawningTask<String> own = c.orchestrator.to(String.class).named("own").run(() -> cluster.hold(c.name));
        SpawningTask<String> placed = a.orchestrator.to(String.class).anywhere().run("hold", "there");
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.heldCount() == 3);
        TestCluster.Member ranIt = test.cluster.members.stream()
                .filter(m -> m != a && m.orchestrator.roots().stream().anyMatch(r -> "hold".equals(r.name())))
                .findFirst().orElseThrow();
        TaskId remote = ranIt.orchestrator.roots().stream().filter(r -> "hold".equals(r.name())).findFirst()
                .orElseThrow().id();
        await().alias("their records are stored").atMost(Duration.ofSeconds(30))
                .until(() -> a.orchestrator.find(own.id()).isPresent() && a.orchestrator.find(remote).isPresent());
        int index = test.cluster.members.indexOf(ranIt);
        test.kill(index);
        if (ranIt != c) {
            test.kill(2);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> placed.status().isTerminal());
        assertThat(placed.status()).isEqualTo(TaskStatus.FAILED);
        for (TaskId id : new TaskId[] { own.id(), remote }) {
            await().alias("task " + id + " ends lost in the store").atMost(Duration.ofSeconds(60)).until(() -> {
                Optional<TaskInfo> stored = a.orchestrator.find(id);
                return stored.isPresent() && stored.get().status().isTerminal();
            });
            TaskInfo stored = a.orchestrator.find(id).orElseThrow();
            assertThat(stored.status()).as("task " + id).isEqualTo(TaskStatus.FAILED);
            assertThat(stored.failure().type()).as("task " + id).isEqualTo("TaskLostException");
        }
    }
}
