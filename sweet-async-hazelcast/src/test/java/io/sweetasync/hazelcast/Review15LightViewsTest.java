package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.MemberSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The views that need less than every member's trees. {@code memberLimiters()}, which the {@code asynclimits} endpoint (and the dashboard, every second) reads in a
 * cluster: every member's groups, as {@code members()} shows them, without gathering any member's trees. The
 * endpoint read {@code members()}, so each refresh of the limits asked every member for all its live trees too.
 * {@code find(id)}, which the {@code asynctasks/{id}} endpoint reads (the dashboard, every second, for the task it
 * shows): the task of that id on whichever member runs it, with its subtree, only that task travelling.
 */
@Timeout(120)
class Review15LightViewsTest {

    @Test
    void everyMembersGroupsComeWithoutTheirTrees() throws Exception {
        try (TestCluster test = TestCluster.start(2,
                (index, builder) -> builder.group("g" + index, LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(3 + index, 1, 3 + index)))) {
            TestCluster.Member a = test.get(0);
            TestCluster.Member b = test.get(1);
            SpawningTask<String> onA = a.orchestrator.to(String.class).named("on-a").run(() -> test.hold(a.name));
            SpawningTask<String> onB = b.orchestrator.to(String.class).named("on-b").run(() -> test.hold(b.name));
            await().atMost(Duration.ofSeconds(30)).until(() -> test.held.containsKey(a.name)
                    && test.held.containsKey(b.name));

            List<MemberSnapshot> full = a.cluster.members();
            List<MemberSnapshot> groups = a.cluster.memberLimiters();

            assertThat(full).as("the trees are there to be gathered").allSatisfy(m -> assertThat(m.roots()).isNotEmpty());
            assertThat(groups).extracting(MemberSnapshot::member).containsExactlyElementsOf(
                    full.stream().map(MemberSnapshot::member).toList());
            assertThat(groups).extracting(MemberSnapshot::local).containsExactlyElementsOf(
                    full.stream().map(MemberSnapshot::local).toList());
            assertThat(groups).allSatisfy(m -> assertThat(m.roots()).as("no trees").isEmpty());
            for (int i = 0; i < groups.size(); i++) {
                assertThat(groups.get(i).limiters()).extracting(g -> g.group() + "=" + g.limit())
                        .containsExactlyInAnyOrderElementsOf(
                                full.get(i).limiters().stream().map(g -> g.group() + "=" + g.limit()).toList());
            }
            assertThat(groups.stream().flatMap(m -> m.limiters().stream()).map(g -> g.group() + "=" + g.limit()))
                    .contains("g0=3", "g1=4");
            test.release.countDown();
            assertThat(onA.get(30, TimeUnit.SECONDS)).isNotNull();
            assertThat(onB.get(30, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void aTaskOnAnotherMemberIsFoundWithItsSubtree() throws Exception {
        try (TestCluster test = TestCluster.start(2)) {
            TestCluster.Member a = test.get(0);
            TestCluster.Member b = test.get(1);
            SpawningTask<String> parent = b.orchestrator.to(String.class).named("parent").run(() -> {
                SpawningTask<String> child = b.orchestrator.to(String.class).named("child").run(() -> test.hold(b.name));
                return child.join();
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> test.held.containsKey(b.name));

            Optional<TaskInfo> found = a.cluster.find(parent.id());

            assertThat(found).hasValueSatisfying(task -> {
                assertThat(task.id()).isEqualTo(parent.id());
                assertThat(task.name()).isEqualTo("parent");
                assertThat(task.children()).extracting(TaskInfo::name).containsExactly("child");
            });
            TaskId childId = found.orElseThrow().children().getFirst().id();
            assertThat(a.cluster.find(childId)).map(TaskInfo::name).hasValue("child");
            assertThat(b.cluster.find(parent.id())).as("its own member's").map(TaskInfo::id).hasValue(parent.id());
            assertThat(a.cluster.find(TaskId.parse("999999-1"))).as("no member runs it").isEmpty();
            test.release.countDown();
            assertThat(parent.get(30, TimeUnit.SECONDS)).isNotNull();
        }
    }
}
