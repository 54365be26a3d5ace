package io.sweetasync.boot.actuate;

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
import tools.jackson.databind.json.JsonMapper;

class TaskDescriptorTests {

    /** A tree 100,000 levels deep (the engine allows it) answers with its top levels, as JSON, not an overflow. */
    @Test
    void aDeepTreeIsShownToABoundedDepth() {
        int levels = 100_000;
        TaskInfo node = null;
        for (int level = levels; level >= 1; level--) { // built bottom-up, without recursion
            node = new TaskInfo(TaskId.of(1, level), level == 1 ? null : TaskId.of(1, level - 1), "level", "level",
                    TaskStatus.RUNNING, TaskPriority.NORMAL, null, "virtual", Map.of(), Instant.EPOCH, Instant.EPOCH,
                    null, 1, List.of(), null, TaskMetrics.timesOnly(Duration.ZERO, Duration.ZERO), Map.of(),
                    node == null ? 0 : 1, false, node == null ? List.of() : List.of(node));
        }
        TaskDescriptor root = TaskDescriptor.of(node);
        int depth = 0;
        TaskDescriptor deepest = root;
        while (!deepest.children().isEmpty()) {
            deepest = deepest.children().getFirst();
            depth++;
        }
        assertThat(depth).isEqualTo(TaskDescriptor.MAX_DEPTH);
        assertThat(deepest.childCount()).as("what was left out is counted").isEqualTo(1);
        assertThat(JsonMapper.builder().build().writeValueAsString(root)).contains("\"id\":\"1-1\"");
    }
}
