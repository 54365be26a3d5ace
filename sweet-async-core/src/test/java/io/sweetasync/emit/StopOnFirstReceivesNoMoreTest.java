package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ErrorStrategy#stopOnFirst()}: "cancel the pipeline at the first error". The coordinator stopped the
 * workers on its own thread, at its next poll of their signals: meanwhile the workers went on receiving, the one
 * whose receive had just failed included (46 to 246 receives after the failing one; a {@code batched(50, ...)}
 * receiver 239, past its own batch), so their side effects happened for events of a pipeline that had failed. Now
 * no receive starts once the first error is recorded: with one receiving worker, none after the failing one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StopOnFirstReceivesNoMoreTest extends PipelineHostileSupport {

    @Test
    void aSingleReceivingWorkerStartsNoReceiveAfterTheFailingOne() {
        for (ReceiverStrategy strategy : List.of(ReceiverStrategy.serial(),
                ReceiverStrategy.batched(50, Duration.ofMillis(10)))) {
            for (int round = 0; round < 20; round++) {
                AtomicBoolean failed = new AtomicBoolean();
                AtomicInteger after = new AtomicInteger();
                EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("strict")
                        .errorStrategy(ErrorStrategy.stopOnFirst())
                        .sender(emitter -> emitter.emitAll(numbers(100_000)))
                        .receiver(strategy, (event, collector) -> {
                            if (failed.get()) {
                                after.incrementAndGet();
                            }
                            if (event.data() == 10) {
                                failed.set(true);
                                throw new IOException("event 10 fails");
                            }
                            collector.collect(event.data(), event.data());
                        })
                        .run();
                TaskResult<FinalEvent<Integer, Integer>> result = task.result();
                assertThat(result).isInstanceOf(TaskResult.Err.class);
                assertThat(((TaskResult.Err<?>) result).error()).as("%s: fails with the first error", strategy)
                        .isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class);
                assertThat(after.get()).as("%s, round %d: receives started after the failing one", strategy, round)
                        .isZero();
            }
        }
    }

    @Test
    void parallelReceiversFailWithTheFirstErrorNotAWorkersEnd() {
        for (int round = 0; round < 50; round++) {
            // every event fits in the buffer: the senders are done, and the coordinator checks the workers' ends
            // and the first error side by side, as the workers that saw the error end because of it
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("strict-parallel")
                    .errorStrategy(ErrorStrategy.stopOnFirst()).bufferSize(1_000)
                    .sender(emitter -> emitter.emitAll(numbers(400)))
                    .receiver(ReceiverStrategy.parallel(4), (event, collector) -> {
                        Thread.sleep(0, 100_000);
                        if (event.data() == 200) {
                            throw new IOException("event " + event.data() + " fails");
                        }
                        collector.collect(event.data(), event.data());
                    })
                    .run();
            TaskResult<FinalEvent<Integer, Integer>> result = task.result();
            assertThat(result).isInstanceOf(TaskResult.Err.class);
            assertThat(((TaskResult.Err<?>) result).error()).as("round %d", round)
                    .isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class);
            // the workers were stopped, not failed: a dashboard or a metric shows no failed worker
            assertThat(orchestrator.find(task.id()).orElseThrow().children()).as("round %d", round)
                    .allSatisfy(worker -> assertThat(worker.status()).isNotEqualTo(TaskStatus.FAILED));
        }
    }
}
