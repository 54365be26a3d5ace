package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Hostile timing and input against exactly-once delivery (SPEC 2): tiny buffers, several senders,
 * retried and failing receivers, an adaptive pool, sources that throw midway or hold nulls, several
 * threads of one sender; the final counts under each error strategy, and the ordering promises. Racy
 * scenarios are repeated to meet more interleavings.
 */
class PipelineHostileDeliveryTest extends PipelineHostileSupport {

    /**
     * Buffer of one, parallel senders sharing one source, parallel receivers that fail at random and
     * are retried: every event is received (successfully) exactly once, counts add up.
     */
    @RepeatedTest(20)
    void everyEventOnceWithATinyBufferParallelSendersAndRetriedFlakyReceivers() {
        assertTimeoutPreemptively(CEILING, () -> {
            int count = 3_000;
            AtomicIntegerArray succeeded = new AtomicIntegerArray(count);
            AtomicIntegerArray sequences = new AtomicIntegerArray(count);
            List<Integer> source = numbers(count);
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(1)
                    .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(50, Duration.ofNanos(1))))
                    .sender(SenderStrategy.parallel(MinMax.of(2, 4)), emitter -> emitter.emitAll(source))
                    .receiver(ReceiverStrategy.parallel(4), (event, collector) -> {
                        if (ThreadLocalRandom.current().nextInt(10) == 0) {
                            throw new IllegalStateException("flaky");
                        }
                        succeeded.incrementAndGet(event.data());
                        sequences.incrementAndGet((int) event.sequence());
                        collector.collect(event.data(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(done.emitted()).isEqualTo(count);
            assertThat(done.received()).isEqualTo(count);
            assertThat(done.errors()).isEmpty();
            assertThat(done.collected()).hasSize(count);
            for (int i = 0; i < count; i++) {
                assertThat(succeeded.get(i)).as("element %d", i).isEqualTo(1);
                assertThat(sequences.get(i)).as("sequence %d", i).isEqualTo(1);
            }
        });
    }

    /** The adaptive pool grows and retires workers while events come in bursts: none lost, none twice. */
    @RepeatedTest(5)
    void adaptiveReceiversRetiringAndGrowingLoseAndRepeatNothing() {
        assertTimeoutPreemptively(CEILING, () -> {
            int count = 2_000;
            AtomicIntegerArray seen = new AtomicIntegerArray(count);
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(8)
                    .sender(emitter -> {
                        for (int i = 0; i < count; i++) {
                            emitter.emit(i);
                            if (i % 500 == 499) {
                                Thread.sleep(150); // a pause: the pool may retire workers
                            }
                        }
                    })
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 6)), (event, collector) -> {
                        seen.incrementAndGet(event.data());
                        if (event.data() % 7 == 0) {
                            Thread.sleep(1);
                        }
                    })
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(count);
            for (int i = 0; i < count; i++) {
                assertThat(seen.get(i)).as("element %d", i).isEqualTo(1);
            }
        });
    }

    /** Threads of the sender's own emit and emitAll into one emitter at once: every element exactly once. */
    @RepeatedTest(5)
    void threadsOfOneSenderEmittingAtOnceLoseAndRepeatNothing() {
        assertTimeoutPreemptively(CEILING, () -> {
            int perThread = 2_000;
            int threads = 4;
            AtomicIntegerArray seen = new AtomicIntegerArray(perThread * threads);
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(3)
                    .sender(emitter -> {
                        List<Thread> running = new ArrayList<>();
                        for (int t = 0; t < threads; t++) {
                            int base = t * perThread;
                            running.add(Thread.ofVirtual().start(() -> {
                                try {
                                    if (base % 2 == 0) {
                                        emitter.emitAll(IntStream.range(base, base + perThread).boxed());
                                    }
                                    else {
                                        for (int i = base; i < base + perThread; i++) {
                                            emitter.emit(i);
                                        }
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
                    })
                    .receiver(ReceiverStrategy.parallel(3), (event, collector) -> seen.incrementAndGet(event.data()))
                    .awaitFinalEvent();
            assertThat(done.emitted()).isEqualTo(perThread * threads);
            assertThat(done.received()).isEqualTo(perThread * threads);
            for (int i = 0; i < perThread * threads; i++) {
                assertThat(seen.get(i)).as("element %d", i).isEqualTo(1);
            }
        });
    }

    /** Each error strategy counts what happened: emitted, received (finished), one error per failed event. */
    @RepeatedTest(5)
    void finalCountsUnderEachErrorStrategy() {
        assertTimeoutPreemptively(CEILING, () -> {
            int count = 1_000;
            // One list for every sender worker: workers share an emitAll source only when it is the same instance
            // (a list made per call is emitted by each worker, as the Emitter javadoc says).
            List<Integer> source = numbers(count);
            for (ErrorStrategy strategy : List.of(ErrorStrategy.continueOnError(),
                    ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ofNanos(1))))) {
                AtomicInteger attempts = new AtomicInteger();
                FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(3).errorStrategy(strategy)
                        .sequence()
                        .sender(SenderStrategy.parallel(MinMax.of(1, 3)), emitter -> emitter.emitAll(source))
                        .receiver(ReceiverStrategy.parallel(3), (event, collector) -> {
                            if (event.data() % 10 == 0) {
                                attempts.incrementAndGet();
                                throw new IllegalArgumentException("bad " + event.data());
                            }
                            collector.collect(event.data(), event.data());
                        })
                        .awaitFinalEvent();
                assertThat(done.emitted()).isEqualTo(count);
                assertThat(done.received()).isEqualTo(count);
                assertThat(done.errors()).hasSize(count / 10);
                assertThat(done.collected()).hasSize(count - count / 10);
                assertThat(attempts.get()).isEqualTo(count / 10 * (strategy.retry().equals(RetryPolicy.none()) ? 1 : 3));
                assertThat(done.errors()).extracting(EventError::sequence).isSorted();
            }
        });
    }

    /** A stream that throws midway: what it yielded before is emitted once, the error is the sender's, it is closed once. */
    @RepeatedTest(5)
    void aStreamThatThrowsMidwayKeepsWhatItYieldedAndIsClosedOnce() {
        assertTimeoutPreemptively(CEILING, () -> {
            for (SenderStrategy senders : List.of(SenderStrategy.serial(), SenderStrategy.parallel(MinMax.of(2, 3)))) {
                AtomicInteger closed = new AtomicInteger();
                AtomicIntegerArray seen = new AtomicIntegerArray(500);
                Stream<Integer> source = IntStream.range(0, 1_000).boxed().map(i -> {
                    if (i == 500) {
                        throw new IllegalStateException("source broke at 500");
                    }
                    return i;
                }).onClose(closed::incrementAndGet);
                FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(7)
                        .sender(senders, emitter -> emitter.emitAll(source))
                        .receiver(ReceiverStrategy.parallel(3), (event, collector) -> seen.incrementAndGet(event.data()))
                        .awaitFinalEvent();
                assertThat(done.emitted()).as("%s", senders).isEqualTo(500);
                assertThat(done.received()).as("%s", senders).isEqualTo(500);
                assertThat(done.errors()).as("%s", senders).singleElement()
                        .satisfies(error -> assertThat(error.sequence()).isEqualTo(-1))
                        .satisfies(error -> assertThat(error.error()).hasMessageContaining("broke at 500"));
                assertThat(closed.get()).as("%s: closed once", senders).isEqualTo(1);
                for (int i = 0; i < 500; i++) {
                    assertThat(seen.get(i)).as("%s: element %d", senders, i).isEqualTo(1);
                }
            }
        });
    }

    /** Null elements in an iterable and a stream are events like any other, under parallel senders too. */
    @Test
    void nullElementsAreEventsUnderParallelSenders() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<String> source = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                source.add(i % 3 == 0 ? null : "e" + i);
            }
            AtomicInteger nulls = new AtomicInteger();
            FinalEvent<Long, String> done = orchestrator.emits(String.class).bufferSize(5)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> emitter.emitAll(source))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        if (event.data() == null) {
                            nulls.incrementAndGet();
                        }
                        collector.collect(event.sequence(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(done.emitted()).isEqualTo(1_000);
            assertThat(nulls.get()).isEqualTo(334);
            assertThat(done.collected().values().stream().filter(value -> value == null).count()).isEqualTo(334);
        });
    }

    /**
     * The same list instance emitted three times by the sender body is three times the events, whatever
     * the sender strategy: with parallel senders each worker's n-th call shares the n-th pass (the second
     * and third calls emitted nothing before, silently: the instance was taken for one already drained).
     */
    @Test
    void reEmittingTheSameListIsEveryElementAgainUnderParallelSenders() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<Integer> constant = numbers(10);
            for (SenderStrategy senders : List.of(SenderStrategy.serial(), SenderStrategy.parallel(MinMax.of(1, 1)),
                    SenderStrategy.parallel(MinMax.of(3, 3)))) {
                FinalEvent<Long, Integer> done = orchestrator.emits(Integer.class)
                        .sender(senders, emitter -> {
                            for (int round = 0; round < 3; round++) {
                                emitter.emitAll(constant);
                            }
                        })
                        .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                        .awaitFinalEvent();
                assertThat(done.emitted()).as("%s", senders).isEqualTo(30);
            }
        });
    }

    /** A serial receiver gets events one at a time in emission order, whatever the senders. */
    @RepeatedTest(5)
    void aSerialReceiverGetsEventsInEmissionOrderUnderParallelSenders() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<Long> order = new ArrayList<>();
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            List<Integer> source = numbers(5_000);
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(3)
                    .sender(SenderStrategy.parallel(MinMax.of(3, 3)), emitter -> emitter.emitAll(source))
                    .receiver((event, collector) -> {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        order.add(event.sequence());
                        inside.decrementAndGet();
                    })
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(5_000);
            assertThat(overlaps.get()).isZero();
            assertThat(order).containsExactlyElementsOf(IntStream.range(0, 5_000).mapToObj(i -> (long) i).toList());
        });
    }

    /** Under sequence(), a key collected by several events keeps the value of the last one emitted. */
    @RepeatedTest(5)
    void underSequenceTheLastEmittedValueOfAKeyWins() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Long> done = orchestrator.emits(Integer.class).bufferSize(5).sequence()
                    .sender(emitter -> emitter.emitAll(numbers(2_000)))
                    .receiver(ReceiverStrategy.parallel(4), (event, collector) -> {
                        if (ThreadLocalRandom.current().nextInt(20) == 0) {
                            Thread.sleep(1); // later events overtake this one
                        }
                        collector.collect(event.data() % 10, event.sequence());
                    })
                    .awaitFinalEvent();
            assertThat(done.collected()).hasSize(10);
            for (int key = 0; key < 10; key++) {
                assertThat(done.collected().get(key)).as("key %d", key).isEqualTo(1_990L + key);
            }
            assertThat(done.collected().keySet()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        });
    }
}
