package io.sweetasync.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Trees of several members stitched into one: placed tasks under the tasks that placed them. */
class ClusterTaskTest {

    private static TaskInfo task(String id, String name, Map<String, String> tags, TaskInfo... children) {
        return new TaskInfo(TaskId.parse(id), null, name, name + "#" + id, TaskStatus.RUNNING, TaskPriority.NORMAL,
                null, "virtual", tags, Instant.EPOCH, Instant.EPOCH, null, 1, List.of(), null,
                TaskMetrics.timesOnly(Duration.ZERO, Duration.ZERO), Map.of(), children.length, false,
                List.of(children));
    }

    private static Map<String, String> placedFrom(String member, String id) {
        return Map.of(ClusterTask.PLACED_FROM, member + "/" + id);
    }

    @Test
    void aPlacedRootGoesUnderItsHandleAfterTheHandlesOwnChildrenWithItsOwnSubtree() {
        MemberSnapshot a = new MemberSnapshot("a:1", true, List.of(
                task("1-1", "order", Map.of(), task("1-2", "validate", Map.of()), task("1-3", "handle", Map.of())),
                task("1-9", "alone", Map.of())), List.of());
        // the same ids on b: ids are looked up with their member
        MemberSnapshot b = new MemberSnapshot("b:2", false, List.of(
                task("1-1", "resize", placedFrom("a:1", "1-3"), task("1-2", "thumbnail", Map.of())),
                task("1-5", "orphan", placedFrom("a:1", "1-77"))), List.of());

        List<ClusterTask> roots = ClusterTask.stitch(List.of(a, b));

        assertThat(roots).extracting(root -> root.member() + " " + root.task().name())
                .containsExactly("a:1 order", "a:1 alone", "b:2 orphan");
        ClusterTask handle = roots.getFirst().children().get(1);
        assertThat(handle.task().name()).isEqualTo("handle");
        assertThat(handle.children()).singleElement().satisfies(placed -> {
            assertThat(placed.member()).isEqualTo("b:2");
            assertThat(placed.task().name()).isEqualTo("resize");
            assertThat(placed.task().children()).isEmpty();
            assertThat(placed.children()).extracting(child -> child.member() + " " + child.task().name())
                    .containsExactly("b:2 thumbnail");
        });
    }

    @Test
    void placedFromTagsThatWouldCloseALoopLeaveTheTreesApart() {
        MemberSnapshot a = new MemberSnapshot("a", true, List.of(task("1-1", "x", placedFrom("b", "1-1"))), List.of());
        MemberSnapshot b = new MemberSnapshot("b", false, List.of(task("1-1", "y", placedFrom("a", "1-1"))), List.of());

        List<ClusterTask> roots = ClusterTask.stitch(List.of(a, b));

        assertThat(roots).hasSize(1);
        assertThat(roots.getFirst().children()).singleElement()
                .satisfies(child -> assertThat(child.children()).isEmpty());
    }

    @Test
    void aDeepTreeIsStitchedWithoutRecursion() {
        TaskInfo deep = task("1-100000", "leaf", Map.of());
        for (int i = 99_999; i >= 1; i--) {
            deep = task("1-" + i, "level", Map.of(), deep);
        }
        MemberSnapshot a = new MemberSnapshot("a", true, List.of(deep), List.of());
        MemberSnapshot b = new MemberSnapshot("b", false, List.of(task("2-1", "placed", placedFrom("a", "1-100000"))),
                List.of());

        List<ClusterTask> roots = ClusterTask.stitch(List.of(a, b));

        assertThat(roots).hasSize(1);
        ClusterTask at = roots.getFirst();
        int depth = 0;
        while (!at.children().isEmpty()) {
            at = at.children().getFirst();
            depth++;
        }
        assertThat(depth).isEqualTo(100_000);
        assertThat(at.member()).isEqualTo("b");
        assertThat(at.task().name()).isEqualTo("placed");
    }
}
