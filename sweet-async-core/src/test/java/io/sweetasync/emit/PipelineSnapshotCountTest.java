package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskInfo;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An adaptive pipeline's task drops its older ended workers as the next starts: several that retired while it was
 * quiet leave at once when a burst starts one. A tree snapshot read the pipeline's workers, then its count: a drop
 * between the two listed more workers than the pipeline counted (the {@code asynctasks} endpoint's child statuses
 * summing to more than its child count, as {@code TreeSnapshotCountTest} guards for every other task).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipelineSnapshotCountTest extends PipelineHostileSupport {

    private static final int MAX_RECEIVERS = 4;

    @Test
    void snapshotsOfAPipelineWhoseWorkersComeAndGoNeverListMoreThanTheyCount() throws Exception {
        AtomicBoolean quit = new AtomicBoolean();
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("bursts").bufferSize(1_000)
                .sender(emitter -> {
                    // bursts that queue up (receivers start, one a tick), then quiet (they retire, one per four ticks)
                    for (int burst = 0; burst < 60 && !quit.get(); burst++) {
                        emitter.emitAll(numbers(60));
                        Thread.sleep(Pipeline.TICK.toMillis() * 4 * MAX_RECEIVERS);
                    }
                })
                .receiver(ReceiverStrategy.adaptive(MinMax.of(1, MAX_RECEIVERS)), (event, collector) -> {
                    Thread.sleep(1);
                    collector.collect(event.data(), event.data());
                })
                .run();
        try {
            long reads = 0;
            while (!task.isDone()) {
                for (TaskInfo tree : orchestrator.roots()) {
                    ArrayDeque<TaskInfo> nodes = new ArrayDeque<>();
                    nodes.push(tree);
                    while (!nodes.isEmpty()) {
                        TaskInfo node = nodes.pop();
                        assertThat(node.children().size()).as("read %d: workers listed under %s", reads, node.name())
                                .isLessThanOrEqualTo(node.childCount());
                        node.children().forEach(nodes::push);
                    }
                }
                reads++;
            }
        }
        finally {
            quit.set(true);
            task.toCompletableFuture().handle((v, e) -> v).get(60, TimeUnit.SECONDS);
        }
    }
}
