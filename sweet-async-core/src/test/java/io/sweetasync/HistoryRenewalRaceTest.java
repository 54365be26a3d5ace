package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A child's sampled figures become final, and are announced (its root's history entry renewed), while its root is
 * being added to the history: the entry must end with the final figures. A renewal that looked at the entries
 * after the root's snapshot was taken but before the entry went in found nothing to renew, and the entry showed
 * the child's figures pending for good (though its listeners were told they were final).
 */
@RunsAlone
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HistoryRenewalRaceTest {

    @Test
    void aRootAddedWhileItsChildsFiguresAreRenewedShowsThemFinal() throws Exception {
        try (TaskOrchestrator sampling = TaskOrchestrator.builder().resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE)
                .build()) {
            int width = 50;
            List<SpawningTask<Integer>> childTasks = new CopyOnWriteArrayList<>();
            SpawningTask<Integer> rootTask = sampling.to(Integer.class).run(() -> {
                TaskContext context = TaskContext.current().orElseThrow();
                for (int i = 0; i < width; i++) {
                    childTasks.add(context.runChild(() -> 1));
                }
                context.joinChildren();
                return width;
            });
            rootTask.join();
            TaskNode<?> root = (TaskNode<?>) rootTask;
            List<TaskNode<?>> children = childTasks.stream().<TaskNode<?>>map(task -> (TaskNode<?>) task).toList();
            await().atMost(Duration.ofSeconds(20)).until(() -> children.stream().noneMatch(TaskNode::resourcesPending));
            List<SampledFigures> figures = children.stream().<SampledFigures>map(TaskNode::sampledOrNull).toList();
            assertThat(figures).doesNotContainNull();

            List<String> stale = new ArrayList<>();
            CyclicBarrier start = new CyclicBarrier(2);
            for (int round = 0; round < 2_000 && stale.isEmpty(); round++) {
                TaskHistory history = new TaskHistory(4);
                figures.forEach(SampledFigures::opened); // pending again, as if a slice of each were still to settle
                int spin = ThreadLocalRandom.current().nextInt(20_000);
                Thread renewer = Thread.ofPlatform().start(() -> {
                    meet(start);
                    for (int i = 0; i < spin; i++) {
                        Thread.onSpinWait();
                    }
                    figures.forEach(SampledFigures::settledOne); // final: the attribution announces the children
                    history.renew(children);
                });
                meet(start);
                history.add(root, null);
                renewer.join();
                TaskInfo shown = history.find(root.id());
                int round0 = round;
                shown.children().stream().filter(child -> child.metrics().bytesRead().isPending()).findFirst()
                        .ifPresent(child -> stale.add("round " + round0 + ": child " + child.id() + " " + child.metrics()));
            }
            assertThat(stale).as("history entries left with the child's figures pending after their renewal").isEmpty();
        }
    }

    private static void meet(CyclicBarrier barrier) {
        try {
            barrier.await();
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
