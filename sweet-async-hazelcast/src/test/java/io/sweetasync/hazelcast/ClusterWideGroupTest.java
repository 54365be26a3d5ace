package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.MemberSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster-wide group on real members in this JVM: its limit is split across the live members, in their
 * join order, and split again when one leaves or joins; work admitted before a share shrank goes on.
 */
@Timeout(180)
class ClusterWideGroupTest {

    private static final Duration CEILING = Duration.ofSeconds(30);
    private static final LimiterConfig PARTNER = LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
            .withLimits(10, 1, 10).withMaxWait(Duration.ofMinutes(5)).withClusterWide(true);
    private static final LimiterConfig LOCAL = PARTNER.withClusterWide(false);
    /** Fewer permits than members. */
    private static final LimiterConfig PAIR = PARTNER.withLimits(2, 1, 2);

    private TestCluster test;

    private void start(int size) {
        test = TestCluster.start(size, (index, builder) -> builder.group("partner", PARTNER).group("local", LOCAL)
                .group("pair", PAIR));
    }

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    /** The members' limits of the group, in the cluster's member order (the order shares are given in). */
    private List<Integer> limitsInClusterOrder(String group) {
        List<Integer> limits = new ArrayList<>();
        for (Member member : test.get(0).hazelcast.getCluster().getMembers()) {
            TestCluster.Member ours = test.members.stream()
                    .filter(m -> m.hazelcast.getCluster().getLocalMember().getUuid().equals(member.getUuid()))
                    .findFirst().orElseThrow();
            limits.add(ours.orchestrator.limiter(group).limit());
        }
        return limits;
    }

    @Test
    void theSharesAddUpToTheLimitAndAreSplitAgainWhenAMemberLeavesOrJoins() {
        start(3);
        await().atMost(CEILING).until(() -> limitsInClusterOrder("partner").equals(List.of(4, 3, 3)));
        assertThat(limitsInClusterOrder("local")).containsExactly(10, 10, 10);
        List<MemberSnapshot> view = test.get(0).cluster.members();
        assertThat(view).hasSize(3).allSatisfy(member -> assertThat(member.limiters())
                .filteredOn(group -> group.group().equals("partner")).singleElement()
                .satisfies(group -> {
                    assertThat(group.clusterLimit()).isEqualTo(10);
                    assertThat(group.members()).isEqualTo(3);
                }));
        assertThat(view.stream().flatMap(member -> member.limiters().stream())
                .filter(group -> group.group().equals("partner")).mapToInt(LimiterSnapshot::limit).sum()).isEqualTo(10);

        TestCluster.Member victim = test.get(1);
        victim.hazelcast.getLifecycleService().terminate();
        test.left(victim);
        await().atMost(CEILING).until(() -> limitsInClusterOrder("partner").equals(List.of(5, 5)));

        test.join();
        await().atMost(CEILING).until(() -> limitsInClusterOrder("partner").equals(List.of(4, 3, 3)));
        assertThat(limitsInClusterOrder("partner").stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    }

    @Test
    void withFewerPermitsThanMembersTheLastMemberAdmitsNothingAndPlacesTheGroupsWorkOnMembersWithAShare() {
        start(3);
        await().atMost(CEILING).until(() -> limitsInClusterOrder("pair").equals(List.of(1, 1, 0)));
        TestCluster.Member last = test.get(2); // joined last: share 0
        assertThat(last.orchestrator.limiter("pair").limit()).isZero();
        // A burst: the members with a share saturate, and still come before the member without one.
        List<SpawningTask<String>> placed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            placed.add(last.orchestrator.to(String.class).named("where").group("pair").anywhere().run("where", "x"));
        }
        await().atMost(CEILING).until(() -> placed.stream().allMatch(task -> task.status() == TaskStatus.COMPLETED));
        assertThat(placed).extracting(SpawningTask::join).containsOnly(test.get(0).name, test.get(1).name);
    }

    @Test
    void workAdmittedAboveAShareThatShrankGoesOnAndNewWorkWaitsForItsShare() {
        start(2);
        await().atMost(CEILING).until(() -> limitsInClusterOrder("partner").equals(List.of(5, 5)));
        TestCluster.Member first = test.get(0); // first in the member order: 4 of 10 once three are in
        List<SpawningTask<String>> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            held.add(first.orchestrator.to(String.class).named("held").group("partner").run(() -> test.hold(first.name)));
        }
        await().atMost(CEILING).until(() -> test.held.getOrDefault(first.name, 0) == 5);

        test.join();
        await().atMost(CEILING).until(() -> first.orchestrator.limiter("partner").limit() == 4);
        SpawningTask<String> later = first.orchestrator.to(String.class).named("later").group("partner")
                .run(() -> "later");
        await().atMost(CEILING).until(() -> first.orchestrator.limiter("partner").queued() == 1);
        assertThat(first.orchestrator.limiter("partner").inFlight()).isEqualTo(5);
        assertThat(held).allSatisfy(task -> assertThat(task.status()).isEqualTo(TaskStatus.RUNNING));

        test.release.countDown();
        for (SpawningTask<String> task : held) {
            assertThat(task.join()).isEqualTo(first.name);
            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        }
        assertThat(later.join()).isEqualTo("later");
        assertThat(test.interrupted.getCount()).as("no held body was interrupted").isEqualTo(1);
    }
}
