package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.ManualClock;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An {@link Emitter} kept beyond its pipeline's life refuses events, saying which pipeline and why; an
 * {@link EventCollector} kept beyond its receive refuses results the same way.
 */
class KeptEmitterTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /** A pipeline whose sender hands its emitter out, then waits until it is interrupted. */
    private EmittingTask<Integer, Integer> keeping(String name, AtomicReference<Emitter<Integer>> kept,
            EmittingTaskBuilder<Integer> builder) throws InterruptedException {
        CountDownLatch handedOut = new CountDownLatch(1);
        EmittingTask<Integer, Integer> task = builder.named(name).bufferSize(4)
                .sender(emitter -> {
                    kept.set(emitter);
                    handedOut.countDown();
                    new CountDownLatch(1).await();
                })
                .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                .run();
        handedOut.await();
        return task;
    }

    @Test
    void emittingAfterCancellationThrowsNamingThePipelineAndWhy() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<Emitter<Integer>> kept = new AtomicReference<>();
            EmittingTask<Integer, Integer> task = keeping("kept", kept, orchestrator.emits(Integer.class));
            task.cancel();
            assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
            for (int i = 0; i < 10; i++) { // more than the buffer holds: none may vanish, none may block
                int event = i;
                assertThatThrownBy(() -> kept.get().emit(event)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("pipeline kept#" + task.id())
                        .hasMessageContaining("cancelled")
                        .hasCauseInstanceOf(TaskCancelledException.class);
            }
            assertThatThrownBy(() -> kept.get().emitAll(java.util.List.of(1, 2, 3)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cancelled");
            // nothing to emit is refused too: every method throws once the pipeline takes no more events
            assertThatThrownBy(() -> kept.get().emitAll(java.util.List.of()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cancelled");
            assertThatThrownBy(() -> kept.get().emitAll(java.util.stream.Stream.empty()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cancelled");
        });
    }

    @Test
    void emittingAfterATimeoutThrowsSayingItTimedOut() {
        assertTimeoutPreemptively(CEILING, () -> {
            ManualClock clock = new ManualClock();
            try (TaskOrchestrator manual = TaskOrchestrator.builder().clock(clock).build()) {
                AtomicReference<Emitter<Integer>> kept = new AtomicReference<>();
                EmittingTask<Integer, Integer> task = keeping("late", kept,
                        manual.emits(Integer.class).timeout(Duration.ofSeconds(5)));
                clock.advance(Duration.ofSeconds(6));
                assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
                assertThatThrownBy(() -> kept.get().emit(1)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("pipeline late#" + task.id()).hasMessageContaining("timed out");
            }
        });
    }

    @Test
    void anEmitBlockedOnAFullBufferOutsideTheSenderIsReleasedByCancellation() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<Emitter<Integer>> kept = new AtomicReference<>();
            CountDownLatch stalled = new CountDownLatch(1);
            CountDownLatch handedOut = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("stalled").bufferSize(2)
                    .sender(emitter -> {
                        kept.set(emitter);
                        handedOut.countDown();
                        new CountDownLatch(1).await();
                    })
                    .receiver((event, collector) -> stalled.await())
                    .run();
            handedOut.await();
            CompletableFuture<Void> outside = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0;; i++) {
                        kept.get().emit(i);
                    }
                }
                catch (InterruptedException ex) {
                    throw new AssertionError("not interrupted: another thread", ex);
                }
            });
            await().atMost(CEILING).until(() -> task.progress().emitted() >= 3); // the buffer is full
            task.cancel();
            assertThatThrownBy(() -> outside.get(CEILING.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("pipeline stalled#" + task.id());
            assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
        });
    }

    @Test
    void emittingAfterTheSendersReturnedThrowsInsteadOfLosingTheEvent() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<Emitter<Integer>> kept = new AtomicReference<>();
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).named("over")
                    .sender(emitter -> {
                        kept.set(emitter);
                        emitter.emit(1);
                    })
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.emitted()).isEqualTo(1);
            assertThatThrownBy(() -> kept.get().emit(2)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("pipeline over#").hasMessageContaining("senders have returned");
        });
    }

    @Test
    void aCollectorKeptBeyondItsReceiveRefusesResultsNamingThePipelineAndTheEvent() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<EventCollector<Integer, Integer>> kept = new AtomicReference<>();
            AtomicReference<Long> keptEvent = new AtomicReference<>();
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).named("collecting")
                    .sender(emitter -> emitter.emitAll(java.util.List.of(1, 2, 3)))
                    .receiver((Event<Integer> event, EventCollector<Integer, Integer> collector) -> {
                        // another thread may collect while the receive lasts
                        Thread helper = Thread.ofVirtual().start(() -> collector.collect(event.data(), 10 * event.data()));
                        helper.join();
                        if (event.data() == 2) {
                            kept.set(collector);
                            keptEvent.set(event.sequence());
                        }
                    })
                    .awaitFinalEvent();
            assertThat(done.collected()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(1, 10, 2, 20, 3, 30));
            // before, both were taken silently into a log nobody would read again
            assertThatThrownBy(() -> kept.get().collect(4, 40)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("pipeline collecting#").hasMessageContaining("event " + keptEvent.get() + " ")
                    .hasMessageContaining("Receiver.receive");
            assertThatThrownBy(() -> kept.get().collectError(4, new RuntimeException("late")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("event " + keptEvent.get() + " ");
            assertThat(done.collected()).doesNotContainKey(4);
        });
    }
}
