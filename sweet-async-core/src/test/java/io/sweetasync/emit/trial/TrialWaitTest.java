package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.Emitter;
import io.sweetasync.emit.EventError;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Trial (SPEC 2 with 1.7): pipelines waiting for themselves, for nested pipelines, in small groups. */
class TrialWaitTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1))
            .group("tight", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    /** A receiver that joins its own pipeline waits for an ancestor: refused at once, the event's error. */
    @ParameterizedTest
    @ValueSource(strings = { "join", "finalEvent", "get" })
    void aReceiverWaitingForItsOwnPipelineIsRefusedNotHung(String how) {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<EmittingTask<Integer, Integer>> self = new AtomicReference<>();
            CountDownLatch known = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> {
                        known.await();
                        emitter.emitAll(numbers(3));
                    })
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        switch (how) {
                            case "join" -> self.get().join();
                            case "finalEvent" -> self.get().finalEvent().join();
                            default -> self.get().get();
                        }
                        collector.collect(event.data(), event.data());
                    })
                    .run();
            self.set(task);
            known.countDown();
            FinalEvent<Integer, Integer> done = task.join();
            assertThat(done.collected()).isEmpty();
            assertThat(done.errors()).hasSize(3);
            assertThat(done.errors()).extracting(EventError::error)
                    .allSatisfy(error -> assertThat(error).isInstanceOfAny(IllegalStateException.class,
                            IllegalArgumentException.class));
        });
    }

    /** A sender that joins its own pipeline is refused at once: the sender's error, the final event still comes. */
    @Test
    void aSenderWaitingForItsOwnPipelineIsRefusedNotHung() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<EmittingTask<Integer, Integer>> self = new AtomicReference<>();
            CountDownLatch known = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> {
                        known.await();
                        emitter.emit(1);
                        self.get().join();
                    })
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            self.set(task);
            known.countDown();
            FinalEvent<Integer, Integer> done = task.join();
            assertThat(done.collected()).containsOnlyKeys(1);
            assertThat(done.errors()).singleElement().extracting(EventError::error)
                    .isInstanceOfAny(IllegalStateException.class, IllegalArgumentException.class);
        });
    }

    /** A receiver that cancels its own pipeline: CANCELLED, no hang, the stream ends with it. */
    @ParameterizedTest
    @ValueSource(strings = { "virtual", "single", "one" })
    void aReceiverCancellingItsOwnPipelineEndsItCancelled(String runtime) {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<EmittingTask<Integer, Integer>> self = new AtomicReference<>();
            CountDownLatch known = new CountDownLatch(1);
            AtomicReference<Boolean> cancelled = new AtomicReference<>();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).runtime(runtime).bufferSize(2)
                    .sender(emitter -> {
                        known.await();
                        for (int i = 0; ; i++) {
                            emitter.emit(i);
                        }
                    })
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        if (event.sequence() == 5) {
                            cancelled.set(self.get().cancel());
                        }
                        collector.collect(event.data(), event.data());
                    })
                    .run();
            self.set(task);
            known.countDown();
            TrialRecorder<Map.Entry<Integer, Integer>> recorder = new TrialRecorder<>();
            task.results().subscribe(recorder);
            assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
            assertThat(cancelled.get()).isTrue();
            assertThat(recorder.await()).isTrue();
            assertThat(recorder.error.get()).isInstanceOf(TaskCancelledException.class);
        });
    }

    /** Receivers running pipelines of their own, three deep, on one-thread runtimes: no deadlock. */
    @ParameterizedTest
    @ValueSource(strings = { "single", "one" })
    void nestedPipelinesOnOneThreadRuntimesFinish(String runtime) {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = nested(runtime, 3, null);
            assertThat(done.collected()).hasSize(4).containsEntry(0, 16).containsEntry(3, 16);
            assertThat(done.errors()).isEmpty();
        });
    }

    /** Same, each level's receives in one group with a single permit: the permit is lent while waiting. */
    @Test
    void nestedPipelinesInAOnePermitGroupFinish() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = nested("single", 3, "tight");
            assertThat(done.errors()).isEmpty();
            assertThat(done.collected()).hasSize(4).containsEntry(0, 16);
        });
    }

    private FinalEvent<Integer, Integer> nested(String runtime, int depth, String group) {
        var builder = orchestrator.emits(Integer.class).runtime(runtime);
        if (group != null) {
            builder = builder.group(group);
        }
        return builder
                .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> emitter.emitAll(numbers(4)))
                .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 3)), (event, collector) -> {
                    int value = depth == 1 ? 1 : nested(runtime, depth - 1, group).collected().values().stream()
                            .mapToInt(Integer::intValue).sum();
                    collector.collect(event.data(), value);
                })
                .awaitFinalEvent();
    }

    /**
     * finalEvent() is "as toCompletableFuture()": each call a future of its own, so one caller's complete()
     * touches neither join() nor another caller's future, and cancelling an unfinished one cancels the pipeline.
     */
    @Test
    void aCallersCompletionOfFinalEventTouchesNoOneElse() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch go = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> {
                        go.await();
                        emitter.emitAll(numbers(3));
                    })
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            assertThat(task.finalEvent().complete(null)).isTrue();
            go.countDown();
            assertThat(task.join().collected()).hasSize(3);
            assertThat(task.finalEvent().join().collected()).hasSize(3);
        });
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> {
                        for (int i = 0; ; i++) {
                            emitter.emit(i);
                        }
                    })
                    .receiver((event, collector) -> { })
                    .run();
            task.finalEvent().cancel(true);
            assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
        });
    }

    /**
     * Receivers feeding the pipeline through the sender's emitter (a crawler) while the sender waits for the
     * work to drain: every event received once, the counts agree.
     */
    @Test
    void receiversMayEmitThroughTheSendersEmitterWhileItRuns() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<Emitter<Integer>> shared = new AtomicReference<>();
            AtomicInteger pending = new AtomicInteger(1);
            CountDownLatch drained = new CountDownLatch(1);
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(1000)
                    .sender(emitter -> {
                        shared.set(emitter);
                        emitter.emit(1);
                        drained.await();
                    })
                    .receiver(ReceiverStrategy.parallel(4), (event, collector) -> {
                        int n = event.data();
                        if (n < 256) {
                            pending.addAndGet(2);
                            shared.get().emit(2 * n);
                            shared.get().emit(2 * n + 1);
                        }
                        collector.collect(n, n);
                        if (pending.decrementAndGet() == 0) {
                            drained.countDown();
                        }
                    })
                    .awaitFinalEvent();
            assertThat(done.collected()).hasSize(511);
            assertThat(done.emitted()).isEqualTo(511);
            assertThat(done.received()).isEqualTo(511);
            assertThat(done.errors()).isEmpty();
        });
    }
}
