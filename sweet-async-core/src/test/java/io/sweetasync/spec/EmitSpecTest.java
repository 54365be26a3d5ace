package io.sweetasync.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.EmittingTaskBuilder;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Black-box checks of SPEC section 2, through the public API only. */
@Timeout(60)
class EmitSpecTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void builderIsImmutable() {
        EmittingTaskBuilder<Integer> base = orchestrator.emits(Integer.class);
        EmittingTaskBuilder<Integer> named = base.named("other").bufferSize(2).sequence();
        assertThat(named).isNotSameAs(base);
        EmittingTask<Integer, Integer> task = base.sender(e -> e.emit(1))
                .receiver((event, c) -> c.collect(event.data(), event.data())).run();
        task.join();
        assertThat(task.name()).isEqualTo("pipeline");
    }

    @Test
    void invalidSettingsAreRejectedNamingThem() {
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).bufferSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bufferSize");
        assertThatThrownBy(() -> orchestrator.emits(Integer.class).timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> MinMax.of(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MinMax.of(3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReceiverStrategy.parallel(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReceiverStrategy.batched(1, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
    }

    @Test
    void hugeDurationsArePracticallyNever() {
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                .timeout(Duration.ofSeconds(Long.MAX_VALUE))
                .sender(e -> e.emitAll(List.of(1, 2, 3)))
                .receiver(ReceiverStrategy.batched(100, Duration.ofSeconds(Long.MAX_VALUE)),
                        (event, c) -> c.collect(event.data(), event.data() * 2))
                .awaitFinalEvent();
        assertThat(done.collected()).containsEntry(3, 6).hasSize(3);
        assertThat(done.emitted()).isEqualTo(3);
        assertThat(done.received()).isEqualTo(3);
    }

    @Test
    void sequenceKeepsEmissionOrderAndEventSequenceIsZeroBased() {
        // One stream instance: workers share it (Emitter); a stream made per call is emitted per worker.
        java.util.stream.Stream<Integer> source = IntStream.range(0, 200).boxed();
        FinalEvent<Long, Integer> done = orchestrator.emits(Integer.class).sequence()
                .sender(SenderStrategy.parallel(MinMax.of(1, 2)), e -> e.emitAll(source))
                .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 4)), (event, c) -> c.collect(event.sequence(), event.data()))
                .awaitFinalEvent();
        assertThat(done.collected().keySet()).containsExactlyElementsOf(
                IntStream.range(0, 200).mapToObj(Long::valueOf).toList());
    }

    @Test
    void emptySourceStillGivesAFinalEvent() {
        FinalEvent<String, String> done = orchestrator.emits(String.class).sender(e -> { })
                .receiver((event, c) -> c.collect(event.data(), event.data())).awaitFinalEvent();
        assertThat(done.collected()).isEmpty();
        assertThat(done.emitted()).isZero();
        assertThat(done.received()).isZero();
        assertThat(done.duration()).isNotNull();
    }

    @Test
    void receiverThatThrowsIsCollectedByDefaultAndStopsWhenAsked() {
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                .sender(e -> e.emitAll(List.of(1, 2, 3)))
                .receiver((event, c) -> {
                    if (event.data() == 2) {
                        throw new IllegalStateException("two");
                    }
                    c.collect(event.data(), event.data());
                }).awaitFinalEvent();
        assertThat(done.collected()).containsOnlyKeys(1, 3);
        assertThat(done.errors()).hasSize(1);

        String outcome = orchestrator.emits(Integer.class).errorStrategy(ErrorStrategy.stopOnFirst())
                .sender(e -> e.emitAll(List.of(1, 2, 3)))
                .receiver((event, c) -> {
                    throw new IllegalStateException("bad " + event.data());
                })
                .awaitFinalEvent((TaskResult<FinalEvent<Object, Object>> r) -> r.isOk() ? "ok" : "err");
        assertThat(outcome).isEqualTo("err");
    }

    @Test
    void pipelineTimeoutEndsTimedOut() {
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).timeout(Duration.ofMillis(200))
                .sender(e -> {
                    Thread.sleep(60_000);
                })
                .receiver((event, c) -> c.collect(event.data(), event.data())).run();
        assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
        assertThat(task.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(task.finalEvent()).isCompletedExceptionally();
    }

    @Test
    void cancelledPipelineReportsCancelled() {
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                .sender(e -> {
                    Thread.sleep(60_000);
                })
                .receiver((event, c) -> c.collect(event.data(), event.data())).run();
        assertThat(task.cancel()).isTrue();
        assertThat(task.isCancelled()).isTrue();
        assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThatThrownBy(task::join).isInstanceOf(AsyncTaskException.class);
    }
}
