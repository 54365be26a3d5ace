package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskContext;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An adaptive pipeline's receivers retire when the buffer stays empty and start anew when events queue up, for as
 * long as the pipeline runs. The pipeline kept every worker it ever started (in its task's children and its own
 * list of workers): about 250 bytes each, without bound for a pipeline that runs for good. It keeps those running
 * and its newest few ended ones now.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipelineWorkerRetentionTest extends PipelineHostileSupport {

    private static final int MAX_RECEIVERS = 4;

    @Test
    void aPipelineWhoseReceiversRetireAndStartAgainKeepsABoundedTree() throws Exception {
        Set<TaskId> receivers = ConcurrentHashMap.newKeySet();
        int wanted = PipelineWorkers.ENDED_WORKERS_KEPT + 2 * MAX_RECEIVERS;
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("bursts").bufferSize(1_000)
                .sender(emitter -> {
                    // bursts that queue up (receivers start, one a tick), then quiet (they retire, one per four ticks)
                    for (int burst = 0; burst < 200 && receivers.size() < wanted; burst++) {
                        emitter.emitAll(numbers(60));
                        Thread.sleep(Pipeline.TICK.toMillis() * 4 * MAX_RECEIVERS);
                    }
                })
                .receiver(ReceiverStrategy.adaptive(MinMax.of(1, MAX_RECEIVERS)), (event, collector) -> {
                    receivers.add(TaskContext.current().orElseThrow().id());
                    Thread.sleep(1);
                    collector.collect(event.data(), event.data());
                })
                .run();
        // meanwhile, snapshots of its tree never list more workers than they count (a drop between a snapshot's
        // read of the list and of the count listed 20 workers against 19 counted)
        long reads = 0;
        while (!task.isDone()) {
            TaskInfo live = orchestrator.find(task.id()).orElseThrow();
            assertThat(live.children().size()).as("read %d", reads).isLessThanOrEqualTo(live.childCount());
            reads++;
        }
        FinalEvent<Integer, Integer> done = task.join();
        assertThat(receivers).as("receivers started over the run").hasSizeGreaterThanOrEqualTo(wanted);
        assertThat(done.received()).isEqualTo(done.emitted());

        TaskInfo tree = orchestrator.find(task.id()).orElseThrow();
        List<TaskInfo> kept = tree.children().stream().filter(child -> child.name().equals("bursts.receiver")).toList();
        // the newest ended ones, and those that ended after the last worker started (at most as many as run at once)
        assertThat(kept).hasSizeLessThanOrEqualTo(PipelineWorkers.ENDED_WORKERS_KEPT + MAX_RECEIVERS);
        // its count still says how many workers it started: every receiver seen, and the sender
        assertThat(tree.childCount()).isGreaterThanOrEqualTo(receivers.size() + 1)
                .isGreaterThan(tree.children().size());
    }
}
