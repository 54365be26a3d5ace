package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.SpawningTask;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint;
import io.sweetasync.boot.actuate.TaskDescriptor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bounds per list and per node multiply over a bushy tree's levels: without a limit (100 children per node, 64
 * levels) one root of 100 children of 100 children each was listed whole, 10,101 tasks and 7 MB of JSON, and 100 such
 * roots would be a million tasks in one answer, against the endpoint's "bounded with 100,000 tasks live". Each list
 * (and one task's subtree) now describes at most {@link 10_000} tasks, breadth-first: the upper
 * levels stay whole, a tree listed after the budget is spent shows its top alone, {@code childCount} counting what was
 * left out. Found by a review helper; fails on 4ceabf1e (10,101 + 2 listed).
 */
class Review21ActBudgetTests {

    @Test
    @Timeout(180)
    void aBushyTreeIsListedUpperLevelsFirstWithinTheBudgetAndATreeAfterItShowsItsTopAlone() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(100 * 100 + 1);
            SpawningTask<Integer> bushy = orchestrator.to(Integer.class).named("bushy").run(() -> {
                TaskContext task = TaskContext.current().orElseThrow();
                for (int i = 0; i < 100; i++) {
                    task.child(Integer.class).named("child").run(() -> {
                        TaskContext child = TaskContext.current().orElseThrow();
                        for (int j = 0; j < 100; j++) {
                            child.child(Integer.class).named("grandchild").run(() -> {
                                running.countDown();
                                release.await();
                                return 1;
                            });
                        }
                        child.joinChildren();
                        return 1;
                    });
                }
                task.joinChildren();
                return 0;
            });
            SpawningTask<Integer> after = orchestrator.to(Integer.class).named("after").run(() -> {
                TaskContext.current().orElseThrow().runChild(() -> {
                    running.countDown();
                    release.await();
                    return 1;
                });
                return 0;
            });
            try {
                assertThat(running.await(120, TimeUnit.SECONDS)).isTrue();
                AsyncTasksEndpoint endpoint = new AsyncTasksEndpoint(orchestrator, null);

                List<TaskDescriptor> live = endpoint.tasks().live();
                assertThat(live).extracting(TaskDescriptor::name).containsExactly("bushy", "after");
                assertThat(count(live.get(0))).as("the bushy tree").isEqualTo(TaskDescriptor.MAX_TASKS);
                assertThat(live.get(0).children()).as("its upper level whole").hasSize(100)
                        .allSatisfy(child -> assertThat(child.childCount()).isEqualTo(100));
                assertThat(live.get(1).children()).as("a tree after the budget is spent: its top alone").isEmpty();
                assertThat(live.get(1).childCount()).isEqualTo(1);

                assertThat(count(endpoint.tasks(1000).live().get(0))).as("with a limit too")
                        .isEqualTo(TaskDescriptor.MAX_TASKS);
                TaskDescriptor byId = endpoint.task(bushy.id().toString());
                assertThat(count(byId)).as("one task's subtree").isEqualTo(TaskDescriptor.MAX_TASKS);
                assertThat(byId.children()).hasSize(100);
                assertThat(endpoint.task(after.id().toString()).children()).as("a budget of its own").hasSize(1);
            }
            finally {
                release.countDown();
            }
            bushy.join();
            after.join();
        }
    }

    private static int count(TaskDescriptor top) {
        int listed = 0;
        Deque<TaskDescriptor> todo = new ArrayDeque<>(List.of(top));
        while (!todo.isEmpty()) {
            TaskDescriptor next = todo.pop();
            listed++;
            todo.addAll(next.children());
        }
        return listed;
    }
}
