package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.ReceivingStage;
import io.sweetasync.emit.SenderStrategy;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trial (SPEC 2, Emitter.emitAll): "an element never waits more than one coordinator tick (25 ms) for a stalled
 * source to fill its batch" — also for a source shared by parallel senders that waits for its own earlier elements.
 */
class TrialStagingTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("two", 2))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @ParameterizedTest
    @ValueSource(strings = { "virtual", "two" })
    void aSharedSourceWaitingForItsOwnElementsIsNotHeldBackByStaging(String runtime) {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch firstFive = new CountDownLatch(5);
            Iterable<Integer> source = () -> new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    if (next == 5) {
                        try {
                            // the five are staged by the sender workers: they must reach the receivers by themselves
                            if (!firstFive.await(10, TimeUnit.SECONDS)) {
                                throw new IllegalStateException("the first five were never received");
                            }
                        }
                        catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }
                    return next < 10;
                }

                @Override
                public Integer next() {
                    return next++;
                }
            };
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).runtime(runtime).bufferSize(64)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> emitter.emitAll(source))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        collector.collect(event.data(), event.data());
                        firstFive.countDown();
                    })
                    .awaitFinalEvent();
            assertThat(done.errors()).isEmpty();
            assertThat(done.collected()).hasSize(10);
        });
    }

    /** "Reusable: each terminal call starts a new run": two runs of one stage are independent pipelines. */
    @Test
    void aStageRunTwiceGivesTwoIndependentRuns() {
        assertTimeoutPreemptively(CEILING, () -> {
            ReceivingStage<Integer, Object, Object> stage = orchestrator.emits(Integer.class).bufferSize(4)
                    .sender(emitter -> emitter.emitAll(java.util.List.of(1, 2, 3)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), event.sequence()));
            var first = stage.<Integer, Long>run();
            var second = stage.<Integer, Long>run();
            assertThat(first.join().collected()).hasSize(3);
            assertThat(second.join().collected()).hasSize(3);
            assertThat(first.id()).isNotEqualTo(second.id());
            assertThat(first.join().emitted()).isEqualTo(3);
            assertThat(second.join().emitted()).isEqualTo(3);
        });
    }
}
