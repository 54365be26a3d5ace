package io.sweetasync.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.ClusterHost;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteInvocation;
import io.sweetasync.spi.TaskCluster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class AsyncLimitsEndpointTests {

    /**
     * A group whose tasks may wait "practically for ever" ({@code max-wait=9999999999999d}, which start-up
     * accepts and the limiter honours by scheduling nothing) is answered with the longest wait in milliseconds:
     * converting it threw ArithmeticException, so {@code asynclimits} (and the dashboard reading it) answered 500
     * for every group.
     */
    @Test
    void aGroupThatWaitsPracticallyForEverIsAnsweredWithTheLongestWait() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("batch", LimiterConfig.defaults().withMaxWait(Duration.ofDays(9_999_999_999_999L)))
                .group("pricing", LimiterConfig.defaults().withMaxWait(Duration.ofSeconds(2))).build()) {
            AsyncLimitsEndpoint endpoint = new AsyncLimitsEndpoint(orchestrator);
            AsyncLimitsEndpoint.LimitsDescriptor limits = endpoint.limits(false);
            assertThat(limits.groups().get("batch").maxWaitMs()).isEqualTo(Long.MAX_VALUE);
            assertThat(limits.groups().get("pricing").maxWaitMs()).isEqualTo(2_000);
            assertThat(endpoint.group("batch").maxWaitMs()).isEqualTo(Long.MAX_VALUE);
        }
    }

    /**
     * In a cluster the endpoint (which the dashboard reads every second) takes every member's groups from
     * {@code memberLimiters()}, never from {@code members()}, which gathers every member's live trees as well.
     */
    @Test
    void inAClusterTheMembersGroupsComeWithoutTheirTrees() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("pricing", LimiterConfig.defaults().withLimits(7, 1, 7)).build()) {
            List<LimiterSnapshot> here = orchestrator.limiters();
            TaskCluster cluster = cluster(List.of(new MemberSnapshot("a", true, List.of(), here),
                    new MemberSnapshot("b", false, List.of(), List.of())), null);

            AsyncLimitsEndpoint.LimitsDescriptor limits = new AsyncLimitsEndpoint(orchestrator, null, cluster)
                    .limits(false);

            assertThat(limits.members()).containsOnlyKeys("a", "b");
            assertThat(limits.members().get("a").get("pricing").limit()).isEqualTo(7);
            assertThat(limits.members().get("b")).isEmpty();
        }
    }

    /**
     * In a cluster {@code asynctasks/{id}} (the dashboard asks every second for the task it shows) takes a task of
     * another member from {@code find(id)}, never from {@code members()}, which gathers every member's live trees.
     */
    @Test
    void inAClusterATaskOfAnotherMemberIsLookedUpAlone() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            TaskInfo remote = orchestrator.to(String.class).named("remote").run(() -> "done").info();
            TaskCluster cluster = cluster(null, remote);

            TaskDescriptor found = new AsyncTasksEndpoint(orchestrator, cluster).task(TaskId.of(999, remote.id().sequence()).toString());

            assertThat(found).isNotNull();
            assertThat(found.name()).isEqualTo("remote");
        }
    }

    /**
     * With a limit (what the dashboard asks for) a saturated group is listed whatever its name: the saturated
     * groups come first, then the rest by name; the answer lists them by name and counts every group.
     */
    @Test
    @Timeout(60)
    void aLimitListsTheSaturatedGroupsFirstAndCountsEveryGroup() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("zz-busy", LimiterConfig.defaults().withLimits(1, 1, 1)).build()) {
            for (int i = 0; i < 300; i++) {
                orchestrator.to(Integer.class).named("bill").group("tenant-" + i).await(() -> 1);
            }
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            SpawningTask<Integer> holder = orchestrator.to(Integer.class).named("hold").group("zz-busy").run(() -> {
                running.countDown();
                release.await();
                return 1;
            });
            running.await();
            SpawningTask<Integer> waiting = orchestrator.to(Integer.class).named("wait").group("zz-busy").run(() -> 2);
            try {
                while (!orchestrator.limiter("zz-busy").snapshot().isSaturated()) {
                    Thread.onSpinWait();
                }
                AsyncLimitsEndpoint.LimitsDescriptor limits = new AsyncLimitsEndpoint(orchestrator).limits(false, "10");
                assertThat(limits.groups()).hasSize(10).containsKey("zz-busy");
                assertThat(limits.groupCount()).isEqualTo(301);
                assertThat(new AsyncLimitsEndpoint(orchestrator).limits(false).groups()).hasSize(301);
            }
            finally {
                release.countDown();
            }
            holder.join();
            waiting.join();
        }
    }

    /** A cluster that answers only {@code memberLimiters()} and {@code find(id)}; {@code members()} fails. */
    private static TaskCluster cluster(List<MemberSnapshot> limiters, TaskInfo found) {
        return new TaskCluster() {
            @Override
            public List<MemberSnapshot> members() {
                throw new AssertionError("asked for every member's trees");
            }

            @Override
            public List<MemberSnapshot> memberLimiters() {
                return limiters;
            }

            @Override
            public Optional<TaskInfo> find(TaskId id) {
                return Optional.ofNullable(found).map(task -> new TaskInfo(id, task.parentId(), task.name(),
                        task.path(), task.status(), task.priority(), task.group(), task.runtime(), task.tags(),
                        task.createdAt(), task.startedAt(), task.completedAt(), task.attempts(), task.dependencies(),
                        task.failure(), task.metrics(), task.progress(), task.childCount(), task.runaway(),
                        task.children()));
            }

            @Override
            public void attach(ClusterHost host) {
            }

            @Override
            public long incarnation() {
                return 1;
            }

            @Override
            public String memberName() {
                return "a";
            }

            @Override
            public PlacedTask place(RemoteInvocation invocation) {
                return null;
            }

            @Override
            public boolean cancel(TaskId id) {
                return false;
            }

            @Override
            public void detach() {
            }
        };
    }
}
