package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A tree snapshot taken while children are being started never lists more children under a node than that
 * node's {@link TaskInfo#childCount()} says it has (a child started between the node's snapshot and the read of
 * its children was listed but not counted: the {@code asynctasks} endpoint then showed 4 statuses for 3 children).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TreeSnapshotCountTest {

    @Test
    void aSnapshotNeverListsMoreChildrenThanItCounts() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread churn = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    orchestrator.to(Integer.class).named("grower").run(() -> {
                        TaskContext context = TaskContext.current().orElseThrow();
                        for (int i = 0; i < 50; i++) {
                            context.runChild(() -> 1);
                        }
                        return 0;
                    }).result();
                }
            });
            try {
                for (int read = 0; read < 20_000; read++) {
                    for (TaskInfo tree : orchestrator.roots()) {
                        ArrayDeque<TaskInfo> nodes = new ArrayDeque<>();
                        nodes.push(tree);
                        while (!nodes.isEmpty()) {
                            TaskInfo node = nodes.pop();
                            assertThat(node.children().size()).as("children listed under %s", node.id())
                                    .isLessThanOrEqualTo(node.childCount());
                            node.children().forEach(nodes::push);
                        }
                    }
                }
            }
            finally {
                stop.set(true);
                churn.join();
            }
        }
    }
}
