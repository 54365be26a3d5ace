package io.sweetasync.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class TaskDescriptorTests {

    @Test
    void aLimitBoundsEveryListButTheCountsCountAll() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator);
            CountDownLatch running = new CountDownLatch(120);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> parent = orchestrator.to(Integer.class).named("fan-out").run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                for (int i = 0; i < 120; i++) {
                    context.child(Integer.class).named("part").run(() -> {
                        running.countDown();
                        release.await();
                        return 1;
                    });
                }
                context.joinChildren();
                return 0;
            });
            List<SpawningTask<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 14; i++) {
                others.add(orchestrator.to(Integer.class).named("other").run(() -> {
                    release.await();
                    return 1;
                }));
            }
            running.await();

            AsyncTasksEndpoint.TasksDescriptor bounded = endpoint.tasks(10);
            assertThat(bounded.live()).hasSize(10);
            assertThat(bounded.liveRoots()).isEqualTo(15);
            assertThat(bounded.liveTasks()).isEqualTo(135);
            TaskDescriptor root = bounded.live().getFirst();
            assertThat(root.name()).isEqualTo("fan-out");
            assertThat(root.children()).hasSize(10);
            assertThat(root.childCount()).isEqualTo(120);
            assertThat(root.childStatuses()).isEqualTo(Map.of("RUNNING", 120));
            assertThat(root.runaway()).isFalse();

            assertThat(endpoint.tasks(null).live().getFirst().children()).as("without a limit: 100 per node")
                    .hasSize(AsyncTasksEndpoint.DEFAULT_LIMIT);
            assertThat(endpoint.tasks(1000).live().getFirst().children()).hasSize(120);
            TaskDescriptor alone = endpoint.task(parent.id().toString(), 0);
            assertThat(alone.children()).isEmpty();
            assertThat(alone.childCount()).isEqualTo(120);
            release.countDown();
            parent.join();
            others.forEach(SpawningTask::join);
        }
    }

    @Test
    void failedTasksComeFromTheRecentRootsWithoutAStore() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            orchestrator.to(Integer.class).named("ok").awaitResult(() -> 1, result -> result);
            orchestrator.to(Integer.class).named("broken").awaitResult(() -> {
                throw new IllegalStateException("no price for o-7");
            }, result -> result);
            AsyncTasksEndpoint.TasksDescriptor tasks = new AsyncTasksEndpoint(orchestrator).tasks(5);
            assertThat(tasks.recent()).extracting(TaskDescriptor::name).containsExactly("broken", "ok");
            assertThat(tasks.failed()).singleElement().satisfies(failed -> {
                assertThat(failed.name()).isEqualTo("broken");
                assertThat(failed.failure().message()).contains("no price for o-7");
            });
            assertThat(new AsyncTasksEndpoint(orchestrator).tasks(0).failed()).isEmpty();
        }
    }

    @Test
    void aDeepTreeConvertsWithoutRecursionToABoundedDepth() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            TaskInfo leaf = orchestrator.to(Integer.class).named("level").run(() -> 1).info();
            TaskInfo top = leaf;
            for (int i = 0; i < 100_000; i++) {
                top = new TaskInfo(leaf.id(), null, "level", "level", leaf.status(), leaf.priority(), null,
                        leaf.runtime(), Map.of(), leaf.createdAt(), null, null, 0, List.of(), null, leaf.metrics(),
                        Map.of(), 1, false, List.of(top));
            }
            TaskDescriptor descriptor = TaskDescriptor.of(top, 1);
            int depth = 0;
            for (TaskDescriptor node = descriptor; !node.children().isEmpty(); node = node.children().getFirst()) {
                depth++;
            }
            // Shown to a bounded depth: a JSON answer 100,000 levels deep is refused by any JSON library.
            assertThat(depth).isEqualTo(TaskDescriptor.MAX_DEPTH);
            assertThat(tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(descriptor))
                    .contains("\"name\":\"level\"");
        }
    }

    /**
     * A task placed on another member carries its handle's tags and then {@code placed-from}, which is what the
     * cluster's tree and the page read to show where it came from: a listed descriptor keeps it among its first
     * tags, whatever the keys of the others, and the one-task answer carries every tag.
     */
    @Test
    void aListedTaskKeepsItsPlacedFromTagAmongItsFirstTags() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            TaskInfo task = orchestrator.to(Integer.class).named("placed").run(() -> 1).info();
            Map<String, String> tags = new java.util.HashMap<>();
            for (int i = 0; i < 30; i++) {
                tags.put("a-" + i, "x");
            }
            tags.put(io.sweetasync.spi.ClusterTask.PLACED_FROM, "127.0.0.1:5701/1-13");
            TaskInfo placed = new TaskInfo(task.id(), null, "placed", "placed", task.status(), task.priority(), null,
                    task.runtime(), tags, task.createdAt(), null, null, 0, List.of(), null, task.metrics(), Map.of(), 0,
                    false, List.of());
            TaskDescriptor listed = TaskDescriptor.flat(placed);
            assertThat(listed.tags()).hasSize(TaskDescriptor.MAX_LISTED_TAGS)
                    .containsEntry("placed-from", "127.0.0.1:5701/1-13").containsKey("a-0");
            assertThat(listed.tagCount()).isEqualTo(31);
            assertThat(TaskDescriptor.of(placed).tags()).as("asked for by id").hasSize(31);
        }
    }
}
