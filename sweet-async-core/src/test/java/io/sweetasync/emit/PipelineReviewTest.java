package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Promises of the streaming API under hostile input and timing, found false in review and fixed. */
class PipelineReviewTest extends PipelineHostileSupport {

    /**
     * {@link Sources#chunked}: "the elements of source in lists of size (the last may be shorter)". A size
     * meaning "everything in one list" is a bound, not an allocation: it must not reserve room for
     * {@code size} elements up front. Found: {@code new ArrayList<>(Integer.MAX_VALUE)} threw
     * OutOfMemoryError, recorded as the sender's error, and nothing was emitted.
     */
    @Test
    void aHugeChunkSizeIsABoundNotAnAllocation() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Long, List<Integer>> done = orchestrator.<List<Integer>>emits()
                    .sender(Sources.chunked(numbers(3), Integer.MAX_VALUE))
                    .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.errors()).as("errors").isEmpty();
            assertThat(done.collected()).containsExactly(Map.entry(0L, List.of(0, 1, 2)));
        });
    }

    /**
     * Null elements are events like any other ({@link Emitter}; PipelineHostileDeliveryTest), so a chunk may
     * hold them. Found: each chunk was copied with {@code List.copyOf}, which throws NullPointerException on
     * a null: the sender failed and the chunk with the null, and everything after it, were never emitted.
     */
    @Test
    void chunksMayHoldNullElements() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<Integer> source = Arrays.asList(1, null, 3, 4, null);
            FinalEvent<Long, List<Integer>> done = orchestrator.<List<Integer>>emits().sequence()
                    .sender(Sources.chunked(source, 2))
                    .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.errors()).as("errors").isEmpty();
            assertThat(done.collected().values()).containsExactly(Arrays.asList(1, null), Arrays.asList(3, 4),
                    Arrays.asList((Integer) null));
        });
    }

    /**
     * {@link Emitter}: "Thread-safe". The emitter {@link Sources#chunked(Sender, int)} hands its source is an
     * emitter too, and a source may emit into it from several threads at once, as into any other. Found: it
     * added to a plain ArrayList shared by every thread: elements were lost or repeated, and chunks came out
     * longer or shorter than {@code size}.
     */
    @RepeatedTest(10)
    void theEmitterAChunkedSourceIsGivenIsThreadSafe() {
        assertTimeoutPreemptively(CEILING, () -> {
            int threads = 4;
            int perThread = 5_000;
            int size = 7;
            AtomicIntegerArray seen = new AtomicIntegerArray(threads * perThread);
            Sender<Integer> source = emitter -> {
                List<Thread> running = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int base = t * perThread;
                    running.add(Thread.ofPlatform().start(() -> {
                        try {
                            for (int i = base; i < base + perThread; i++) {
                                emitter.emit(i);
                            }
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }
                for (Thread thread : running) {
                    thread.join();
                }
            };
            List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
            FinalEvent<Long, Integer> done = orchestrator.<List<Integer>>emits().bufferSize(4)
                    .sender(Sources.chunked(source, size))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        sizes.add(event.data().size());
                        event.data().forEach(seen::incrementAndGet);
                        collector.collect(event.sequence(), event.data().size());
                    })
                    .awaitFinalEvent();
            assertThat(done.errors()).as("errors").isEmpty();
            for (int i = 0; i < threads * perThread; i++) {
                assertThat(seen.get(i)).as("element %d", i).isEqualTo(1);
            }
            // 20,000 elements in chunks of 7: 2,857 full ones and a last of 1
            assertThat(sizes.stream().filter(s -> s != size).toList()).as("chunks not of size %d", size)
                    .containsExactly(1);
        });
    }

    /**
     * SPEC 2: by default "errors collected in errors()" and the pipeline goes on. A receiver may throw
     * {@link InterruptedException} of its own ({@code Receiver.receive} throws Exception) while nobody stops
     * the pipeline: that is the event's error like any other. Found: it was taken for the worker being
     * stopped, the worker ended, and the pipeline failed saying "a worker stopped before its work was done,
     * so events would be lost".
     */
    @Test
    void anInterruptedExceptionOfAReceiverWhileNothingStopsThePipelineIsThatEventsError() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Long, Integer> done = orchestrator.<Integer>emits()
                    .sender(emitter -> emitter.emitAll(numbers(10)))
                    .receiver((event, collector) -> {
                        if (event.data() == 3) {
                            throw new InterruptedException("the receiver's own");
                        }
                        collector.collect(event.sequence(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(done.collected()).hasSize(9).doesNotContainKey(3L);
            assertThat(done.received()).isEqualTo(10);
            assertThat(done.errors()).singleElement().satisfies(error -> {
                assertThat(error.sequence()).isEqualTo(3);
                assertThat(error.error()).isInstanceOf(InterruptedException.class).hasMessage("the receiver's own");
            });
        });
    }

    /**
     * {@link Sources#publisher}: "An error of the publisher is the sender's error". A publisher may fail with
     * an {@link InterruptedException} (its own upstream was interrupted); that is a signal it sent, not an
     * interrupt of the sender worker. Found: the sender worker rethrew it as if it were being stopped, and the
     * pipeline failed saying "a worker stopped before its work was done, so events would be lost".
     */
    @Test
    void aPublisherFailingWithAnInterruptedExceptionIsTheSendersError() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Long, Integer> done = orchestrator.<Integer>emits()
                    .sender(Sources.publisher(PublisherSourceTest.synchronous(2,
                            new InterruptedException("upstream was interrupted"))))
                    .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.collected()).containsOnlyKeys(0L, 1L);
            assertThat(done.errors()).singleElement().satisfies(error -> {
                assertThat(error.sequence()).isEqualTo(-1);
                assertThat(error.error()).isInstanceOf(InterruptedException.class)
                        .hasMessage("upstream was interrupted");
            });
        });
    }

    /**
     * {@link EventCollector#collectError} records a failure; a {@code null} failure is no failure to record.
     * It must be refused where it is made, naming the argument (CONVENTIONS: validation names the bad
     * argument), and the event's error is then that refusal. Found: it was kept as an
     * {@code EventError} whose {@code error()} is null (its own javadoc example, {@code e.error().toString()},
     * throws on it), and as the pipeline's "first error" it was null, so a stop on the first error failed the
     * pipeline with {@code ExecutionException(null)}.
     */
    @Test
    void collectingANullErrorIsRefusedNamingTheArgument() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Long, Integer> done = orchestrator.<Integer>emits()
                    .sender(emitter -> emitter.emitAll(numbers(3)))
                    .receiver((event, collector) -> collector.collectError(event.sequence(), null))
                    .awaitFinalEvent();
            assertThat(done.errors()).hasSize(3).allSatisfy(error -> assertThat(error.error())
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("error"));
        });
    }

    /**
     * {@link Emitter}: "An emitter kept after its pipeline stopped taking events refuses them [...] No event
     * is accepted and then lost." The emitter a chunked source is given is kept past the run here. Found: it
     * took the element into a new chunk that nothing would ever emit, and returned as if it had been emitted.
     */
    @Test
    void theEmitterAChunkedSourceIsGivenRefusesElementsOnceTheSourceReturned() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<Emitter<Integer>> kept = new AtomicReference<>();
            FinalEvent<Long, List<Integer>> done = orchestrator.<List<Integer>>emits()
                    .sender(Sources.chunked((Emitter<Integer> emitter) -> {
                        kept.set(emitter);
                        emitter.emitAll(numbers(4));
                    }, 2))
                    .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.collected()).hasSize(2);
            assertThatThrownBy(() -> kept.get().emit(99))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> kept.get().emitAll(List.of())).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> kept.get().emitAll(java.util.stream.Stream.empty()))
                    .isInstanceOf(IllegalStateException.class);
        });
    }

    /**
     * CONVENTIONS: "validation in the canonical constructor". The strategy records are public; their factories
     * refuse a null range, their constructors must too. Found: {@code new ReceiverStrategy.Adaptive(null)} and
     * {@code new SenderStrategy.Parallel(null)} were accepted, and the pipeline built with them failed only
     * when it ran, with a NullPointerException that named nothing.
     */
    @Test
    void strategyRecordsRefuseANullRangeNamingIt() {
        assertThatThrownBy(() -> new ReceiverStrategy.Adaptive(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("workers");
        assertThatThrownBy(() -> new SenderStrategy.Parallel(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("workers");
    }

    /**
     * Workers a strategy starts with the pipeline are tasks made at once: a huge count ran out of memory
     * making them instead of being refused. Refused at configuration, naming the value; adaptive growth to a
     * huge max stays allowed.
     */
    @Test
    void aHugeNumberOfWorkersStartedAtOnceIsRefusedNamingIt() {
        assertThatThrownBy(() -> ReceiverStrategy.parallel(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers").hasMessageContaining("2147483647");
        assertThatThrownBy(() -> ReceiverStrategy.adaptive(MinMax.of(20_000, 30_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers.min").hasMessageContaining("20000");
        assertThatThrownBy(() -> SenderStrategy.parallel(MinMax.of(Integer.MAX_VALUE, Integer.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers.min");
        assertThat(ReceiverStrategy.parallel(10_000)).isEqualTo(new ReceiverStrategy.Parallel(10_000));
        assertThat(ReceiverStrategy.adaptive(MinMax.of(1, Integer.MAX_VALUE))).isNotNull();
        assertThat(SenderStrategy.parallel(MinMax.of(2, Integer.MAX_VALUE))).isNotNull();
    }

    /**
     * {@link EventCollector#collectError}: an error of the pipeline like a thrown one, without throwing. Its
     * javadoc said "without failing the pipeline", which under stop-on-first it does: the promise now says
     * what happens, and this holds it.
     */
    @Test
    void aCollectedErrorStopsAPipelineThatStopsOnTheFirstError() {
        assertTimeoutPreemptively(CEILING, () -> {
            TaskResult<?> result = orchestrator.<Integer>emits()
                    .errorStrategy(ErrorStrategy.stopOnFirst())
                    .sender(emitter -> emitter.emitAll(numbers(100)))
                    .receiver((event, collector) -> {
                        if (event.data() == 3) {
                            collector.collectError(event.sequence(), new IllegalArgumentException("soft"));
                        }
                        else {
                            collector.collect(event.sequence(), event.data());
                        }
                    })
                    .awaitFinalEvent(r -> r);
            assertThat(result.isOk()).isFalse();
            assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class, err -> assertThat(err.error())
                    .hasRootCauseInstanceOf(IllegalArgumentException.class).hasRootCauseMessage("soft"));
        });
    }
}
