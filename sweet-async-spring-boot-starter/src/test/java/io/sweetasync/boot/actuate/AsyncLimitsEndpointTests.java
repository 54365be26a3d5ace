package io.sweetasync.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;

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
