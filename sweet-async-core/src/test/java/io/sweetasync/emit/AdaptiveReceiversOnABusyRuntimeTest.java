package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Adaptive receivers on a runtime with fewer threads than their maximum: the pool added a worker each tick while
 * events queued up, though the workers it had added were still queued on the runtime behind the running ones (a
 * 2-thread pool grew to 64 receiver workers, 2 of them ever running; 34 here). It adds one only once the last has
 * begun (3 here).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AdaptiveReceiversOnABusyRuntimeTest {

    @Test
    void theAdaptivePoolDoesNotGrowPastWhatTheRuntimeRuns() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(TaskRuntime.platform("two", 2)).build()) {
            AtomicInteger mostWorkers = new AtomicInteger();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("busy").runtime("two")
                    .bufferSize(100)
                    .sender(emitter -> emitter.emitAll(PipelineHostileSupport.numbers(1_500)))
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 64)), (event, collector) -> {
                        Thread.sleep(1);
                        collector.collect(event.data(), event.data());
                    })
                    .run();
            while (!task.isDone()) {
                mostWorkers.accumulateAndGet(task.progress().receivers(), Math::max);
                Thread.onSpinWait();
            }
            assertThat(task.join().received()).isEqualTo(1_500);
            // the pipeline task, its sender and the receivers share two threads (and the spares of waits): a
            // receiver started while none of those it started before has begun would only queue
            assertThat(mostWorkers.get()).as("receiver workers at once").isLessThan(10);
        }
    }
}
