package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.ClusterTask;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The members' views stitched: work placed on another member appears under the task that placed it. */
@Timeout(120)
class ClusterTreesTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private TestCluster test;

    @BeforeEach
    void form() {
        test = TestCluster.start(2);
    }

    @AfterEach
    void stop() {
        test.close();
    }

    @Test
    void aTaskPlacedOnAnotherMemberIsStitchedUnderItsHandle() {
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        SpawningTask<String> busy = a.orchestrator.to(String.class).named("busy").run(() -> test.hold(a.name));
        await().atMost(CEILING).until(() -> test.held.containsKey(a.name)); // a is busier: the next goes to b
        SpawningTask<String> handle = a.orchestrator.to(String.class).named("handle").anywhere().run("hold", "x");
        await().atMost(CEILING).until(() -> test.held.containsKey(b.name));

        List<ClusterTask> trees = ClusterTask.stitch(b.cluster.members());

        assertThat(trees).extracting(tree -> tree.member() + " " + tree.task().name())
                .containsExactly(a.name + " busy", a.name + " handle");
        assertThat(trees.get(1).task().id()).isEqualTo(handle.id());
        assertThat(trees.get(1).children()).singleElement().satisfies(placed -> {
            assertThat(placed.member()).isEqualTo(b.name);
            assertThat(placed.task().tags()).containsEntry(ClusterTask.PLACED_FROM, a.name + "/" + handle.id());
        });

        test.release.countDown();
        await().atMost(CEILING).until(() -> handle.status() == TaskStatus.COMPLETED && busy.status() == TaskStatus.COMPLETED);
    }
}
