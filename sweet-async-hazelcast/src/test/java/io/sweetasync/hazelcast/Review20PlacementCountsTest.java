package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskId;
import io.sweetasync.spi.RemoteOutcome;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The count of placements per member, which placement reads to spread work, keeps an entry only for members with a
 * placement whose end has not arrived. An entry counted down to 0 stayed for good: one for every member a stale
 * view chose after it had left, each restarted member coming back under a new UUID.
 */
@Timeout(150)
class Review20PlacementCountsTest {

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
    void aMembersEntryGoesWithItsLastPlacementAlsoOneMadeAfterItLeft() {
        TestCluster.Member a = test.get(0);
        TestCluster.Member b = test.get(1);
        Placements placements = a.cluster.placements();
        com.hazelcast.cluster.Member bMember = b.hazelcast.getCluster().getLocalMember();
        UUID aUuid = a.hazelcast.getCluster().getLocalMember().getUuid();

        // Placements on a live member (a is busier, so they go to b): counted while they run, the entry gone after
        a.orchestrator.to(String.class).run(() -> test.hold(a.name));
        a.orchestrator.to(String.class).run(() -> test.hold(a.name));
        await().alias("a's two bodies held").atMost(CEILING).until(() -> test.heldCount() == 2);
        var onB = new java.util.ArrayList<io.sweetasync.SpawningTask<String>>();
        for (int i = 0; i < 4; i++) {
            onB.add(a.orchestrator.to(String.class).anywhere().run("hold", "x"));
        }
        await().alias("placed on b and held there").atMost(CEILING).until(() -> test.held.getOrDefault(b.name, 0) > 0);
        assertThat(placements.membersCounted()).isEqualTo(1);
        assertThat(placements.outstanding(bMember)).isPositive();
        test.release.countDown();
        onB.forEach(task -> assertThat(task.result().isOk()).isTrue());
        await().atMost(CEILING).until(() -> placements.membersCounted() == 0);
        assertThat(placements.outstanding(bMember)).isZero();

        b.hazelcast.getLifecycleService().terminate();
        test.left(b);
        // A stale view's choice of the member that left: the placement ends lost at once, and leaves no entry
        Pending placed = placements.startDurable(bMember, TaskId.of(1, 1), aUuid, aUuid);
        RemoteOutcome outcome = placed.outcome.join();
        assertThat(outcome.lost()).as("%s", outcome).isTrue();
        assertThat(placements.membersCounted()).isZero();
        assertThat(placements.outstanding(bMember)).isZero();
    }
}
