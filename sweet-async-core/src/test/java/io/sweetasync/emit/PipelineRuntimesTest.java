package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pipeline runs on whatever runtime it, or the task that starts it, is on: its coordinator, sender
 * and receivers wait for each other through managed blocks, so even one thread is enough. Before, a
 * pipeline on {@code single} never started and one started from a {@code platform} task deadlocked the
 * pool (a hang fails these tests by their timeout).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineRuntimesTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("duo", 2))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private FinalEvent<Integer, Integer> squares(String runtime, int events) {
        // One list for every sender worker: parallel workers share the iterator of the same instance (a list
        // made inside the sender would be emitted once per worker, and a second worker starts when receivers
        // find the buffer empty).
        List<Integer> data = IntStream.range(0, events).boxed().toList();
        return orchestrator.emits(Integer.class).runtime(runtime).bufferSize(4).sequence()
                .sender(SenderStrategy.parallel(MinMax.of(1, 3)), emitter -> emitter.emitAll(data))
                .receiver(ReceiverStrategy.parallel(8), (event, collector) -> collector.collect(event.data(),
                        event.data() * event.data()))
                .awaitFinalEvent();
    }

    @ParameterizedTest
    @ValueSource(strings = { "single", "duo", "platform", "virtual" })
    void aPipelineOnAnyRuntimeDeliversEveryEvent(String runtime) {
        for (int round = 0; round < 5; round++) {
            FinalEvent<Integer, Integer> done = squares(runtime, 500);
            assertThat(done.emitted()).isEqualTo(500);
            assertThat(done.received()).isEqualTo(500);
            assertThat(done.collected()).hasSize(500).containsEntry(499, 499 * 499);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "single", "duo" })
    void pipelinesStartedFromTasksOnAPooledRuntimeFinish(String runtime) {
        List<Integer> sizes = IntStream.range(0, 4).mapToObj(i -> orchestrator.to(Integer.class).runtime(runtime)
                .run(() -> squares(runtime, 200).collected().size())).toList().stream()
                .map(io.sweetasync.SpawningTask::join).toList();
        assertThat(sizes).containsOnly(200);
    }

    @ParameterizedTest
    @ValueSource(strings = { "single", "duo" })
    void batchedAndAdaptiveReceiversFinishOnPooledRuntimes(String runtime) {
        FinalEvent<Integer, Integer> batched = orchestrator.emits(Integer.class).runtime(runtime).bufferSize(8)
                .sender(emitter -> emitter.emitAll(IntStream.range(0, 300).boxed().toList()))
                .receiver(ReceiverStrategy.batched(16, java.time.Duration.ofMillis(5)),
                        (event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent();
        assertThat(batched.received()).isEqualTo(300);
        FinalEvent<Integer, Integer> adaptive = orchestrator.emits(Integer.class).runtime(runtime).bufferSize(8)
                .sender(emitter -> emitter.emitAll(IntStream.range(0, 300).boxed().toList()))
                .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 6)),
                        (event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent();
        assertThat(adaptive.received()).isEqualTo(300);
    }
}
