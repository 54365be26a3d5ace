package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.threadstate.VirtualThreadStarts;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review of 4ceabf1e..: the virtual runtime throws a thread's start failure as it is. A pipeline whose sender or
 * receiver worker cannot start (the n-th thread the runtime makes: 1 is the pipeline's own) must end, not hang,
 * and leave nothing live.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipelineWorkerThreadStartFailureTest {

    @ParameterizedTest(name = "thread {0} cannot start")
    @ValueSource(ints = {2, 3, 4, 5})
    void aPipelineWhoseWorkerCannotStartEnds(int failing) throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            AtomicInteger calls = VirtualThreadStarts.failWhen(orchestrator, call -> call == failing);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("pipeline")
                    .sender(emitter -> emitter.emitAll(IntStream.range(0, 1_000).boxed()))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), 1))
                    .run();
            TaskResult<FinalEvent<Integer, Integer>> result = task.result();
            if (calls.get() >= failing) {
                assertThat(task.status()).as("%s", result).isEqualTo(TaskStatus.FAILED);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> orchestrator.liveCount() == 0);
        }
    }
}
