package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against a pipeline's bounds (SPEC 2, backpressure): extreme buffer and batch sizes, the
 * events in memory within the buffer plus one per worker under every strategy, sources not kept alive,
 * the adaptive pool within its range, blocked receivers and their batches.
 */
class PipelineHostileBoundsTest extends PipelineHostileSupport {

    /**
     * A batch can never hold more than the buffer allows (the buffer plus the event in hand), so a
     * batch larger than that can never fill: the receiver must not wait {@code maxDelay} (here a day)
     * for it while the sender waits for room.
     */
    @Test
    void aBatchLargerThanTheBufferDoesNotWaitForRoomThatCanNeverCome() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(4)
                    .sender(emitter -> emitter.emitAll(numbers(100)))
                    .receiver(ReceiverStrategy.batched(10, Duration.ofDays(1)),
                            (event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.emitted()).isEqualTo(100);
            assertThat(done.received()).isEqualTo(100);
            assertThat(done.collected()).hasSize(100);
        });
    }

    /** A huge batch size is a bound, not an allocation: memory stays bounded by the buffer. */
    @Test
    void aHugeBatchSizeIsABoundNotAnAllocation() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(16)
                    .sender(emitter -> emitter.emitAll(numbers(1_000)))
                    .receiver(ReceiverStrategy.batched(Integer.MAX_VALUE, Duration.ofMillis(1)),
                            (event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(1_000);
            assertThat(done.collected()).hasSize(1_000);
        });
    }

    /** Every buffer size from one to the largest int works, with any receiver strategy. */
    @Test
    void extremeBufferSizesWork() {
        assertTimeoutPreemptively(CEILING, () -> {
            for (int size : new int[] { 1, 2, Integer.MAX_VALUE - 1, Integer.MAX_VALUE }) {
                for (ReceiverStrategy strategy : List.of(ReceiverStrategy.serial(), ReceiverStrategy.parallel(3),
                        ReceiverStrategy.batched(7, Duration.ofMillis(1)), ReceiverStrategy.adaptive(MinMax.of(1, 4)))) {
                    FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(size).sequence()
                            .sender(emitter -> emitter.emitAll(numbers(2_000)))
                            .receiver(strategy, (event, collector) -> collector.collect(event.data(), event.data()))
                            .awaitFinalEvent();
                    assertThat(done.received()).as("size %d, %s", size, strategy).isEqualTo(2_000);
                    assertThat(done.collected().keySet()).as("size %d, %s", size, strategy)
                            .containsExactlyElementsOf(numbers(2_000));
                }
            }
            assertThatThrownBy(() -> orchestrator.emits(Integer.class).bufferSize(0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
            assertThatThrownBy(() -> orchestrator.emits(Integer.class).bufferSize(-1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        });
    }

    /**
     * Events pulled from the source and not yet finished never exceed the buffer plus one in hand per
     * receiver worker plus one per sender worker (the element it waits to admit), under any strategy.
     */
    @RepeatedTest(3)
    void eventsInMemoryStayWithinTheBufferPlusOnePerWorker() {
        assertTimeoutPreemptively(CEILING, () -> {
            int bufferSize = 8;
            int senders = 3;
            for (ReceiverStrategy strategy : List.of(ReceiverStrategy.parallel(4),
                    ReceiverStrategy.batched(50, Duration.ofMillis(2)), ReceiverStrategy.adaptive(MinMax.of(1, 4)))) {
                int receivers = strategy instanceof ReceiverStrategy.Batched ? 1 : 4;
                AtomicInteger pulled = new AtomicInteger();
                AtomicInteger finished = new AtomicInteger();
                AtomicInteger worst = new AtomicInteger();
                Stream<Integer> source = IntStream.range(0, 20_000).boxed().peek(i -> pulled.incrementAndGet());
                orchestrator.emits(Integer.class).bufferSize(bufferSize)
                        .sender(SenderStrategy.parallel(MinMax.of(senders, senders)), emitter -> emitter.emitAll(source))
                        .receiver(strategy, (event, collector) -> {
                            int out = pulled.get() - finished.get(); // read in this order: never an overestimate
                            worst.accumulateAndGet(out, Math::max);
                            if (event.data() % 1_000 == 0) {
                                Thread.sleep(2); // let the senders fill everything they can
                            }
                            finished.incrementAndGet();
                        })
                        .awaitFinalEvent();
                assertThat(worst.get()).as("%s", strategy).isLessThanOrEqualTo(bufferSize + receivers + senders);
            }
        });
    }

    /**
     * A sender that emits page after page ({@code emitAll(page)} per page) under parallel senders must
     * not keep every page alive until the pipeline ends: the pipeline holds the buffer, not the source.
     */
    @Test
    void parallelSendersDoNotKeepEveryEmittedIterableAlive() {
        assertTimeoutPreemptively(CEILING, () -> {
            int pages = 20;
            List<WeakReference<List<Integer>>> emitted = new CopyOnWriteArrayList<>();
            CountDownLatch allEmitted = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger received = new AtomicInteger();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(16)
                    .sender(SenderStrategy.parallel(MinMax.of(1, 1)), emitter -> {
                        for (int p = 0; p < pages; p++) {
                            List<Integer> page = new ArrayList<>(numbers(1_000));
                            emitted.add(new WeakReference<>(page));
                            emitter.emitAll(page);
                        }
                        allEmitted.countDown();
                        release.await();
                    })
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> received.incrementAndGet())
                    .run();
            allEmitted.await();
            boolean collected = false;
            for (int i = 0; i < 50 && !collected; i++) {
                System.gc();
                collected = emitted.subList(0, pages - 1).stream().allMatch(ref -> ref.get() == null);
                if (!collected) {
                    Thread.sleep(20);
                }
            }
            release.countDown();
            assertThat(task.join().received()).isEqualTo(pages * 1_000L);
            assertThat(collected).as("pages already emitted can be garbage collected while the pipeline runs")
                    .isTrue();
        });
    }

    /**
     * The adaptive pool never runs more than {@code max} workers, also when it asked a busy worker to
     * retire (the buffer stayed empty) and a burst arrives before that worker could.
     */
    @RepeatedTest(2)
    void theAdaptivePoolNeverExceedsItsMaximumWhenABurstFollowsARetirement() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            CountDownLatch bothBusy = new CountDownLatch(2);
            CountDownLatch gate = new CountDownLatch(1);
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(32)
                    .sender(emitter -> {
                        for (int i = 0; i < 10; i++) {
                            emitter.emit(i);
                        }
                        bothBusy.await(); // two workers inside the last two events, the buffer empty
                        Thread.sleep(400); // several empty ticks: the pool asks one of them to retire
                        for (int i = 10; i < 30; i++) {
                            emitter.emit(i);
                        }
                    })
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 2)), (event, collector) -> {
                        peak.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        try {
                            if (event.data() >= 8 && event.data() < 10) {
                                bothBusy.countDown();
                                gate.await(1, TimeUnit.SECONDS); // a third worker would open it at once
                            }
                            else if (event.data() >= 10) {
                                gate.countDown();
                            }
                            Thread.sleep(5);
                        }
                        finally {
                            inside.decrementAndGet();
                        }
                    })
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(30);
            assertThat(peak.get()).as("receives at once, with adaptive(1, 2)").isLessThanOrEqualTo(2);
        });
    }

    /**
     * After cheap events (so receivers take batches), event 1000 waits until event 1001 has been
     * received. With two parallel receivers the second one is free to receive it; it must not be stuck
     * in the blocked receiver's batch (it was, for ever: the idle receiver now claims the events a stuck
     * one took and has not started).
     */
    @RepeatedTest(3)
    void aBlockedReceiverDoesNotHoldOtherEventsHostageFromAnIdleReceiver() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch next = new CountDownLatch(1);
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                    .timeout(Duration.ofSeconds(20))
                    .sender(emitter -> emitter.emitAll(numbers(3_000)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        if (event.data() == 1_000) {
                            next.await();
                        }
                        if (event.data() == 1_001) {
                            next.countDown();
                        }
                    })
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(3_000);
        });
    }

    /**
     * Stronger: event 500 waits until every other event has been received, with four receivers taking
     * cheap events in batches. Whatever the blocked worker took after it must reach the others.
     */
    @RepeatedTest(3)
    void aReceiverWaitingForEveryOtherEventGetsThemFromItsSiblings() {
        assertTimeoutPreemptively(CEILING, () -> {
            int count = 5_000;
            CountDownLatch others = new CountDownLatch(count - 1);
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                    .timeout(Duration.ofSeconds(20))
                    .sender(emitter -> emitter.emitAll(numbers(count)))
                    .receiver(ReceiverStrategy.parallel(4), (event, collector) -> {
                        if (event.data() == 500) {
                            others.await();
                        }
                        else {
                            others.countDown();
                        }
                        collector.collect(event.data(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(count);
            assertThat(done.collected()).hasSize(count);
        });
    }
}
