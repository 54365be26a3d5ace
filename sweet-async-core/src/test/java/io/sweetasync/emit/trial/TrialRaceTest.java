package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.Emitter;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Trial (SPEC 2): races between late sender workers, kept emitters and the end; counts that must add up. */
class TrialRaceTest {

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
     * Parallel senders from 1 to 6 workers (more start while receivers starve) over a slow shared iterable
     * the body emits twice: "each worker's second emitAll of an instance shares the second pass", so
     * however many workers start, and however late, each element is emitted exactly twice.
     */
    @RepeatedTest(15)
    void lateSenderWorkersEmitEachPassOnce() {
        assertTimeoutPreemptively(CEILING, () -> {
            int n = 60;
            Iterable<Integer> slow = () -> new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < n;
                }

                @Override
                public Integer next() {
                    LockSupport.parkNanos(200_000);
                    return next++;
                }
            };
            Map<Integer, AtomicInteger> seen = new ConcurrentHashMap<>();
            AtomicInteger workers = new AtomicInteger();
            FinalEvent<Long, Integer> done = orchestrator.emits(Integer.class).bufferSize(2)
                    .sender(SenderStrategy.parallel(MinMax.of(1, 6)), emitter -> {
                        workers.incrementAndGet();
                        emitter.emitAll(slow);
                        emitter.emitAll(slow);
                    })
                    .receiver(ReceiverStrategy.parallel(4), (event, collector) -> {
                        seen.computeIfAbsent(event.data(), k -> new AtomicInteger()).incrementAndGet();
                        collector.collect(event.sequence(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(done.errors()).isEmpty();
            assertThat(done.emitted()).as("workers " + workers.get()).isEqualTo(2L * n);
            assertThat(seen).hasSize(n);
            assertThat(seen.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(2));
        });
    }

    /**
     * A plain thread emitting through the emitter of the first of two parallel sender workers while the other
     * worker still runs and then returns: whatever emit() accepted is received, and the final counts agree.
     */
    @RepeatedTest(30)
    void aKeptEmitterOfAFinishedWorkerRacingTheLastWorkersEndLosesNothing() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicLong accepted = new AtomicLong();
            AtomicReference<Thread> helper = new AtomicReference<>();
            CountDownLatch helping = new CountDownLatch(1);
            FinalEvent<Long, Integer> done = orchestrator.emits(Integer.class).bufferSize(3)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> {
                        if (emitter.senderIndex() == 0) {
                            helper.set(Thread.ofPlatform().start(() -> {
                                helping.countDown();
                                for (int k = 0; ; k++) {
                                    try {
                                        emitter.emit(k);
                                        accepted.incrementAndGet();
                                    }
                                    catch (IllegalStateException | InterruptedException refused) {
                                        return;
                                    }
                                }
                            }));
                            return;
                        }
                        helping.await();
                        for (int i = 0; i < 20; i++) {
                            emitter.emit(-i - 1);
                            accepted.incrementAndGet();
                        }
                    })
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.sequence(), event.data()))
                    .awaitFinalEvent();
            helper.get().join();
            assertThat(done.emitted()).isEqualTo(accepted.get());
            assertThat(done.received()).isEqualTo(accepted.get());
            assertThat(done.collected()).hasSize((int) accepted.get());
        });
    }

    /**
     * Progress per worker "adds up to the pipeline's", also when a sender hands emitting to a child task, a
     * receiver emits through the sender's emitter, and events are retried in batches.
     */
    @Test
    void workerCountsAddUpWithChildEmitsReceiverEmitsAndRetries() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<Emitter<Integer>> shared = new AtomicReference<>();
            CountDownLatch drained = new CountDownLatch(1);
            AtomicInteger pending = new AtomicInteger(1);
            Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
            EmittingTask<Long, Integer> task = orchestrator.emits(Integer.class).named("adds").bufferSize(500)
                    .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(1, Duration.ZERO)))
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> {
                        if (emitter.senderIndex() == 1) {
                            TaskContext.current().orElseThrow().runChild(() -> {
                                for (int i = 1000; i < 1050; i++) {
                                    emitter.emit(i);
                                }
                                return null;
                            });
                            return;
                        }
                        shared.set(emitter);
                        emitter.emit(1);
                        drained.await();
                    })
                    .receiver(ReceiverStrategy.batched(8, Duration.ofMillis(1)), (event, collector) -> {
                        int n = event.data();
                        if (attempts.computeIfAbsent(event.sequence(), k -> new AtomicInteger()).incrementAndGet() == 1
                                && n % 3 == 0) {
                            throw new IllegalStateException("first attempt of " + n);
                        }
                        if (n < 64) {
                            pending.addAndGet(2);
                            shared.get().emit(2 * n);
                            shared.get().emit(2 * n + 1);
                        }
                        collector.collect(event.sequence(), n);
                        if (n < 1000 && pending.decrementAndGet() == 0) {
                            drained.countDown();
                        }
                    })
                    .run();
            FinalEvent<Long, Integer> done = task.join();
            assertThat(done.emitted()).isEqualTo(127 + 50);
            assertThat(done.received()).isEqualTo(127 + 50);
            assertThat(done.errors()).isEmpty();
            TaskInfo info = orchestrator.find(task.id()).orElseThrow();
            long emitted = info.children().stream().filter(c -> c.name().equals("adds.sender"))
                    .mapToLong(c -> c.progress().getOrDefault("emitted", 0L)).sum();
            long received = info.children().stream().filter(c -> c.name().equals("adds.receiver"))
                    .mapToLong(c -> c.progress().getOrDefault("received", 0L)).sum();
            assertThat(emitted).as("senders' emitted").isEqualTo(done.emitted());
            assertThat(received).as("receivers' received").isEqualTo(done.received());
            assertThat(info.progress().get("emitted")).isEqualTo(done.emitted());
            assertThat(info.progress().get("received")).isEqualTo(done.received());
        });
    }

    /** FinalEvent.duration: from the pipeline's start to its end, so at least what a receive visibly took and at most the wall time around it. */
    @Test
    void theDurationSpansTheWork() {
        assertTimeoutPreemptively(CEILING, () -> {
            long before = System.nanoTime();
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emit(1))
                    .receiver((event, collector) -> Thread.sleep(30))
                    .awaitFinalEvent();
            long wall = System.nanoTime() - before;
            assertThat(done.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(30));
            assertThat(done.duration().toNanos()).isLessThanOrEqualTo(wall);
        });
    }
}
