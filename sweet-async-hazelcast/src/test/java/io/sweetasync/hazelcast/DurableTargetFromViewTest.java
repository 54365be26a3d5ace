package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import io.sweetasync.spi.DurableTarget;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A durable placement takes the chosen member's store owner from the load it was chosen by. */
@Timeout(150)
class DurableTargetFromViewTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    /**
     * Placements choose by the view (the loads' entry events), which can be ahead of this member's replica: a
     * publication's event may come before the replica holds it. The durable placement read the chosen member's store
     * owner from the replica, got null there, and ran the task on this member without a word. Here b's load is in a's
     * view but not in a's replica (b publishes nothing; a's view is given b's publication as its event would be).
     */
    @Test
    void aMemberChosenByItsLoadInTheViewIsTheTargetThoughTheReplicaLacksIt() {
        try (TestCluster cluster = TestCluster.start(2)) {
            TestCluster.Member a = cluster.busyFirst(); // a runs one task: an idle member wins the placement
            TestCluster.Member b = cluster.get(1);
            Member bMember = b.hazelcast.getCluster().getLocalMember();
            b.cluster.loads().stop(); // b withdraws its load and publishes no more
            await().alias("a's replica lacks b").atMost(CEILING).until(() -> a.cluster.loads().of(bMember) == null);
            MemberLoad load = new MemberLoad(b.name, 0, Map.of(), Map.of(), Set.of("where"), 7);

            DurableTarget target;
            do { // a's reconcile drops b from the view at its second publication: again until b was seen throughout
                a.cluster.loads().published(bMember.getUuid(), load);
                target = a.cluster.chooseDurable("where", null);
            } while (!a.cluster.loads().isCandidate(bMember));

            assertThat(a.cluster.loads().of(bMember)).as("a's replica still lacks b").isNull();
            assertThat(target).isEqualTo(new DurableTarget(b.name, 7));
        }
    }
}
