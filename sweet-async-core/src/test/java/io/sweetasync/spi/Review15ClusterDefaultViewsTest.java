package io.sweetasync.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.TaskOrchestrator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The default {@code memberLimiters()} and {@code find(id)} of {@link TaskCluster}, for engines that override only
 * {@code members()}: the same members and groups without trees; the task of an id found at any depth (a loop: a
 * chain of 10,000 levels), on any member; none for an unknown id; a null id refused naming it.
 */
class Review15ClusterDefaultViewsTest {

    private static TaskInfo task(String id, TaskInfo... children) {
        return new TaskInfo(TaskId.parse(id), null, "t" + id, "t#" + id, TaskStatus.RUNNING, TaskPriority.NORMAL,
                null, "virtual", Map.of(), Instant.EPOCH, Instant.EPOCH, null, 1, List.of(), null,
                TaskMetrics.timesOnly(Duration.ZERO, Duration.ZERO), Map.of(), children.length, false,
                List.of(children));
    }

    @Test
    void theDefaultsAnswerFromMembers() {
        TaskInfo chain = task("2-10000");
        for (int i = 9_999; i >= 1; i--) {
            chain = task("2-" + i, chain);
        }
        List<LimiterSnapshot> groups;
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("g", LimiterConfig.defaults().withLimits(4, 1, 4)).build()) {
            groups = orchestrator.limiters();
        }
        List<MemberSnapshot> members = List.of(new MemberSnapshot("a", true, List.of(task("1-1", task("1-2"))), groups),
                new MemberSnapshot("b", false, List.of(chain), List.of()));
        TaskCluster cluster = new TaskCluster() {
            @Override
            public List<MemberSnapshot> members() {
                return members;
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

        assertThat(cluster.memberLimiters()).extracting(m -> m.member() + " " + m.local() + " " + m.roots().size())
                .containsExactly("a true 0", "b false 0");
        assertThat(cluster.memberLimiters().getFirst().limiters()).isEqualTo(groups);
        assertThat(cluster.find(TaskId.parse("1-2"))).map(TaskInfo::name).hasValue("t1-2");
        assertThat(cluster.find(TaskId.parse("2-10000"))).map(TaskInfo::name).hasValue("t2-10000");
        assertThat(cluster.find(TaskId.parse("3-1"))).isEmpty();
        assertThatThrownBy(() -> cluster.find(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("id");
    }
}
