package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.spi.MemberSnapshot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 7 "one view" on a member whose own Hazelcast instance stopped (shut down by its application, or by Hazelcast
 * after a split it could not merge) while its orchestrator goes on, as {@link OwnHazelcastStoppedTest}'s does: its
 * view, which the {@code asynctasks} and {@code asynclimits} endpoints and the dashboard read, threw Hazelcast's
 * {@code HazelcastInstanceNotActiveException} instead of showing what this member still runs (the members it cannot
 * reach are left out, as ones that do not answer are).
 */
@Timeout(120)
class Review12OwnHazelcastStoppedViewTest {

    @Test
    void theViewOfAMemberWhoseHazelcastStoppedStillShowsItsOwnTasks() throws Exception {
        try (TestCluster test = TestCluster.start(2)) {
            TestCluster.Member a = test.get(0);
            SpawningTask<String> local = a.orchestrator.to(String.class).named("local").run(() -> test.hold(a.name));
            await().atMost(Duration.ofSeconds(30)).until(() -> test.held.containsKey(a.name));
            a.hazelcast.shutdown();

            List<MemberSnapshot> view = a.cluster.members();

            assertThat(view).singleElement().satisfies(member -> {
                assertThat(member.member()).isEqualTo(a.name);
                assertThat(member.local()).isTrue();
                assertThat(member.roots()).extracting(root -> root.id()).contains(local.id());
            });
            assertThat(a.cluster.cancel(TaskId.parse("999999-1"))).as("an unknown id, answered here").isFalse();
            assertThat(a.cluster.cancel(local.id())).as("its own task, cancelled here").isTrue();
        }
    }
}
