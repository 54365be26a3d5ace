package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.ReceiverStrategy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.AfterEach;

/** Trial (SPEC 2): workers that leave their own interrupt flag set. */
class TrialInterruptTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /** A sender that returns normally with its thread's interrupt flag set: the pipeline completes with everything. */
    @ParameterizedTest
    @ValueSource(strings = { "virtual", "one", "single" })
    void aSenderReturningWithItsInterruptFlagSetStillCompletes(String runtime) {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).runtime(runtime)
                    .sender(emitter -> {
                        emitter.emitAll(List.of(1, 2, 3));
                        Thread.currentThread().interrupt();
                    })
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.collected()).containsOnlyKeys(1, 2, 3);
            assertThat(done.errors()).isEmpty();
            // and the runtime's thread is clean for the next task
            assertThat(orchestrator.to(Boolean.class).runtime(runtime).run(() -> {
                Thread.sleep(1);
                return Thread.currentThread().isInterrupted();
            }).join()).isFalse();
        });
    }

    /** A receiver on a one-thread runtime that returns with the flag set on every event: every event received, no error. */
    @ParameterizedTest
    @ValueSource(strings = { "one", "single" })
    void receiversLeavingTheFlagOnPooledThreadsLoseNothing(String runtime) {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).runtime(runtime).bufferSize(2)
                    .sender(emitter -> emitter.emitAll(java.util.stream.IntStream.range(0, 50).boxed().toList()))
                    .receiver(ReceiverStrategy.batched(4, Duration.ofMillis(1)), (event, collector) -> {
                        collector.collect(event.data(), event.data());
                        Thread.currentThread().interrupt();
                    })
                    .awaitFinalEvent();
            assertThat(done.collected()).hasSize(50);
            assertThat(done.errors()).isEmpty();
            assertThat(orchestrator.to(Boolean.class).runtime(runtime).run(() -> {
                Thread.sleep(1);
                return Thread.currentThread().isInterrupted();
            }).join()).isFalse();
        });
    }
}
