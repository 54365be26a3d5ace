package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.EventError;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import io.sweetasync.emit.Sources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Trial (SPEC 2): results streaming while receiving, odd sizes, Errors, shared infinite streams. */
class TrialMoreTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    /**
     * EventCollector: "results reach the results stream as they are collected". A receiver that collects and
     * then waits until a subscriber has seen its result is not held by its own receive's end.
     */
    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void aResultReachesTheStreamWhileItsReceiveStillRuns(boolean sequence) {
        assertTimeoutPreemptively(CEILING, () -> {
            Map<Integer, CountDownLatch> seen = new ConcurrentHashMap<>();
            for (int i = 0; i < 20; i++) {
                seen.put(i, new CountDownLatch(1));
            }
            CountDownLatch subscribed = new CountDownLatch(1);
            AtomicInteger late = new AtomicInteger();
            var builder = orchestrator.emits(Integer.class);
            if (sequence) {
                builder = builder.sequence();
            }
            EmittingTask<Integer, Integer> task = builder
                    .sender(emitter -> {
                        subscribed.await();
                        emitter.emitAll(numbers(20));
                    })
                    .receiver(ReceiverStrategy.parallel(3), (event, collector) -> {
                        collector.collect(event.data(), event.data());
                        if (!seen.get(event.data()).await(5, TimeUnit.SECONDS)) {
                            late.incrementAndGet();
                        }
                    })
                    .run();
            task.results().subscribe(new Flow.Subscriber<Map.Entry<Integer, Integer>>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                    subscribed.countDown();
                }

                @Override
                public void onNext(Map.Entry<Integer, Integer> item) {
                    seen.get(item.getKey()).countDown();
                }

                @Override
                public void onError(Throwable throwable) {
                }

                @Override
                public void onComplete() {
                }
            });
            FinalEvent<Integer, Integer> done = task.join();
            assertThat(done.collected()).hasSize(20);
            assertThat(late.get()).as("receives whose result reached the stream only after they returned").isZero();
        });
    }

    /** bufferSize(1) + batched(1, ZERO) + parallel senders + sequence: every event once, in order. */
    @RepeatedTest(5)
    void theSmallestSizesLoseAndRepeatNothing() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<Integer> source = numbers(500);
            FinalEvent<Long, Integer> done = orchestrator.emits(Integer.class).bufferSize(1).sequence()
                    .sender(SenderStrategy.parallel(MinMax.of(3, 3)), emitter -> emitter.emitAll(source))
                    .receiver(ReceiverStrategy.batched(1, Duration.ZERO),
                            (event, collector) -> collector.collect(event.sequence(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.emitted()).isEqualTo(500);
            assertThat(done.received()).isEqualTo(500);
            assertThat(new ArrayList<>(done.collected().keySet()))
                    .containsExactlyElementsOf(LongStreamHelper.range(500));
            assertThat(new ArrayList<>(done.collected().values())).containsExactlyInAnyOrderElementsOf(source);
        });
    }

    /** A key collected twice without sequence(): the later collection wins; the stream carries both. */
    @Test
    void aKeyCollectedTwiceKeepsTheLaterValueAndStreamsBoth() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<String, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emitAll(List.of(1, 2)))
                    .receiver((event, collector) -> collector.collect("k", event.data()))
                    .run();
            TrialRecorder<Map.Entry<String, Integer>> recorder = new TrialRecorder<>();
            task.results().subscribe(recorder);
            FinalEvent<String, Integer> done = task.join();
            assertThat(done.collected()).containsExactly(Map.entry("k", 2));
            assertThat(recorder.await()).isTrue();
            assertThat(recorder.items).extracting(Map.Entry::getValue).containsExactly(1, 2);
        });
    }

    /** A receiver throwing an Error (not an Exception): that event's error under continueOnError, the rest received. */
    @Test
    void aReceiverThrowingAnErrorDoesNotHangThePipeline() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emitAll(numbers(10)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        if (event.data() == 3) {
                            throw new AssertionError("receiver bug");
                        }
                        collector.collect(event.data(), event.data());
                    })
                    .run();
            FinalEvent<Integer, Integer> done = task.join();
            assertThat(done.received()).isEqualTo(10);
            assertThat(done.collected()).hasSize(9);
            assertThat(done.errors()).singleElement().extracting(EventError::error).isInstanceOf(AssertionError.class);
        });
    }

    /** A sender throwing an Error: the sender's error (sequence -1), what it emitted before received. */
    @Test
    void aSenderThrowingAnErrorDoesNotHangThePipeline() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> {
                        emitter.emit(1);
                        throw new StackOverflowError("sender bug");
                    })
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            FinalEvent<Integer, Integer> done = task.join();
            assertThat(done.collected()).containsOnlyKeys(1);
            assertThat(done.errors()).singleElement().satisfies(e -> {
                assertThat(e.sequence()).isEqualTo(-1);
                assertThat(e.error()).isInstanceOf(StackOverflowError.class);
            });
        });
    }

    /** Parallel senders sharing one infinite Stream under a timeout: TIMED_OUT, the stream closed exactly once. */
    @RepeatedTest(5)
    void aSharedInfiniteStreamUnderATimeoutIsClosedOnce() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicInteger closes = new AtomicInteger();
            Stream<Integer> endless = Stream.iterate(0, i -> i + 1).onClose(closes::incrementAndGet);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(8)
                    .timeout(Duration.ofMillis(200))
                    .sender(SenderStrategy.parallel(MinMax.of(3, 3)), emitter -> emitter.emitAll(endless))
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 3)), (event, collector) -> Thread.sleep(1))
                    .run();
            assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
            assertThat(closes.get()).isEqualTo(1);
        });
    }

    /** A collector handed to a child task during the receive (documented: other threads may use it then). */
    @Test
    void aCollectorUsedByAChildTaskDuringTheReceiveCounts() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emitAll(numbers(50)))
                    .receiver(ReceiverStrategy.parallel(4), (event, collector) -> TaskContext.current().orElseThrow()
                            .runChild(() -> {
                                collector.collect(event.data(), event.data() * 2);
                                return null;
                            }).join())
                    .awaitFinalEvent();
            assertThat(done.collected()).hasSize(50).containsEntry(49, 98);
            assertThat(done.errors()).isEmpty();
        });
    }

    /** A synchronous publisher that answers request() with onNext on the caller's stack (Flowable.range style). */
    @Test
    void aSynchronousPublisherOfManyItemsDoesNotOverflowTheStack() {
        assertTimeoutPreemptively(CEILING, () -> {
            int count = 200_000;
            Flow.Publisher<Integer> range = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
                private long requested;
                private int next;
                private boolean emitting;
                private boolean done;

                @Override
                public synchronized void request(long n) {
                    requested += n;
                    if (emitting) {
                        return;
                    }
                    emitting = true;
                    while (requested > 0 && next < count) {
                        requested--;
                        subscriber.onNext(next++);
                    }
                    if (next == count && !done) {
                        done = true;
                        subscriber.onComplete();
                    }
                    emitting = false;
                }

                @Override
                public void cancel() {
                }
            });
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(64)
                    .sender(Sources.publisher(range, 1))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> { })
                    .awaitFinalEvent();
            assertThat(done.emitted()).isEqualTo(count);
            assertThat(done.errors()).isEmpty();
        });
    }

    private static final class LongStreamHelper {
        static List<Long> range(int n) {
            List<Long> all = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                all.add(i);
            }
            return all;
        }
    }
}
