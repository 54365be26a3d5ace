package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * Hostile timing, input and environment against the streaming pipeline's promises (SPEC 2): the
 * backpressure bound, exactly-once receipt, one final event with the right counts, no hang on any way
 * out, cancellation reaching every worker. Outcomes and counts only; the ceilings only catch hangs.
 */
class PipelineHostileTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    private static AsyncTaskException errorOf(TaskResult<?> result) {
        assertThat(result).isInstanceOf(TaskResult.Err.class);
        return ((TaskResult.Err<?>) result).error();
    }

    private TaskInfo worker(EmittingTask<?, ?> task, String name) {
        return orchestrator.find(task.id()).orElseThrow().children().stream()
                .filter(child -> child.name().equals(name)).findFirst().orElseThrow();
    }

    // ---- stop on the first error, and worker failures, after the senders have returned -----------

    /**
     * The senders return at once; one receiver blocks (until interrupted) on event 0 while the other
     * fails event 1. "Stop on first error" cancels the pipeline: it must not wait for the blocked
     * receiver to finish by itself, which here is never.
     */
    @RepeatedTest(3)
    void stopOnFirstErrorStopsThePipelineAlsoAfterTheSendersReturned() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            AtomicReference<EmittingTask<Integer, Integer>> handle = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("stop-late")
                    .errorStrategy(ErrorStrategy.stopOnFirst())
                    .sender(emitter -> emitter.emitAll(List.of(0, 1)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        if (event.data() == 0) {
                            blocked.countDown();
                            try {
                                new CountDownLatch(1).await();
                            }
                            catch (InterruptedException ex) {
                                interrupted.countDown();
                                throw ex;
                            }
                        }
                        blocked.await();
                        started.await();
                        while (handle.get().progress().senders() > 0) {
                            Thread.onSpinWait(); // fail only once the senders have returned
                        }
                        throw new IllegalStateException("event 1 is poison");
                    })
                    .run();
            handle.set(task);
            started.countDown();
            TaskResult<FinalEvent<Integer, Integer>> result = task.result();
            assertThat(errorOf(result)).isInstanceOf(TaskFailedException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class).hasMessageContaining("poison");
            assertThat(interrupted.await(CEILING.toSeconds(), TimeUnit.SECONDS))
                    .as("the blocked receiver was interrupted").isTrue();
        });
    }

    /**
     * A receiver worker cancelled by id after the senders returned, while its sibling is blocked: the
     * pipeline fails (the cancelled worker's events would be lost) instead of waiting for the sibling.
     */
    @Test
    void aReceiverCancelledAfterTheSendersReturnedFailsThePipelineWithoutWaitingForItsSiblings() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch bothBlocked = new CountDownLatch(2);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("cut-late")
                    .sender(emitter -> emitter.emitAll(List.of(0, 1)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        bothBlocked.countDown();
                        new CountDownLatch(1).await();
                    })
                    .run();
            bothBlocked.await();
            while (task.progress().senders() > 0) {
                Thread.onSpinWait();
            }
            TaskInfo receiver = worker(task, "cut-late.receiver");
            orchestrator.cancel(receiver.id());
            assertThat(errorOf(task.result())).isInstanceOf(TaskFailedException.class)
                    .hasMessageContaining("cut-late.receiver");
        });
    }

    // ---- batched receivers against a smaller buffer ----------------------------------------------

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

    // ---- memory ---------------------------------------------------------------------------------

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

    // ---- exactly once under stress ------------------------------------------------------------

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

    /** Each error strategy counts what happened: emitted, received (finished), one error per failed event. */
    @RepeatedTest(5)
    void finalCountsUnderEachErrorStrategy() {
        assertTimeoutPreemptively(CEILING, () -> {
            int count = 1_000;
            for (ErrorStrategy strategy : List.of(ErrorStrategy.continueOnError(),
                    ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ofNanos(1))))) {
                AtomicInteger attempts = new AtomicInteger();
                FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(3).errorStrategy(strategy)
                        .sequence()
                        .sender(SenderStrategy.parallel(MinMax.of(1, 3)), emitter -> emitter.emitAll(numbers(count)))
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

    // ---- sources that throw, hold nulls, never end ---------------------------------------------------

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

    /** An infinite stream: cancelling the pipeline stops every sender, closes the stream once, and ends CANCELLED. */
    @RepeatedTest(5)
    void anInfiniteStreamStopsOnCancelAndIsClosedOnce() {
        assertTimeoutPreemptively(CEILING, () -> {
            for (SenderStrategy senders : List.of(SenderStrategy.serial(), SenderStrategy.parallel(MinMax.of(2, 4)))) {
                AtomicInteger closed = new AtomicInteger();
                CountDownLatch flowing = new CountDownLatch(100);
                Stream<Integer> source = Stream.iterate(0, i -> i + 1).onClose(closed::incrementAndGet);
                EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(8)
                        .sender(senders, emitter -> emitter.emitAll(source))
                        .receiver(ReceiverStrategy.parallel(2), (event, collector) -> flowing.countDown())
                        .run();
                flowing.await();
                assertThat(task.cancel()).isTrue();
                assertThat(errorOf(task.result())).isInstanceOf(TaskCancelledException.class);
                assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
                assertThat(closed.get()).as("%s: closed once", senders).isEqualTo(1);
            }
        });
    }

    // ---- cancellation reaches blocked workers; nothing hangs -------------------------------------------

    /** A sender blocked in emit() on a full buffer and a receiver blocked in its work are both interrupted. */
    @RepeatedTest(10)
    void cancellationInterruptsASenderBlockedOnAFullBufferAndABlockedReceiver(RepetitionInfo repetition) {
        boolean viaEmitAll = repetition.getCurrentRepetition() % 2 == 0;
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch receiverBlocked = new CountDownLatch(1);
            CountDownLatch senderInterrupted = new CountDownLatch(1);
            CountDownLatch receiverInterrupted = new CountDownLatch(1);
            AtomicInteger emitted = new AtomicInteger();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(1)
                    .sender(emitter -> {
                        try {
                            if (viaEmitAll) {
                                emitter.emitAll(Stream.iterate(0, i -> i + 1).peek(i -> emitted.incrementAndGet()));
                            }
                            for (int i = 0;; i++) {
                                emitter.emit(i);
                                emitted.incrementAndGet();
                            }
                        }
                        catch (InterruptedException ex) {
                            senderInterrupted.countDown();
                            throw ex;
                        }
                    })
                    .receiver((event, collector) -> {
                        receiverBlocked.countDown();
                        try {
                            new CountDownLatch(1).await();
                        }
                        catch (InterruptedException ex) {
                            receiverInterrupted.countDown();
                            throw ex;
                        }
                    })
                    .run();
            receiverBlocked.await();
            while (emitted.get() < 2) { // one in the receiver's hands, one in the buffer: the next emit blocks
                Thread.onSpinWait();
            }
            if (viaEmitAll) {
                while (emitted.get() < 3) { // the stream yields the third before it waits to admit it
                    Thread.onSpinWait();
                }
            }
            assertThat(task.cancel()).isTrue();
            assertThat(errorOf(task.result())).isInstanceOf(TaskCancelledException.class);
            assertThat(senderInterrupted.await(CEILING.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(receiverInterrupted.await(CEILING.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(emitted.get()).as("bufferSize 1: one in the receiver's hands, one buffered (and one pulled)")
                    .isEqualTo(viaEmitAll ? 3 : 2);
        });
    }

    /** A sender blocked for ever and blocked receivers: the pipeline's timeout ends it TIMED_OUT, and nothing hangs. */
    @Test
    void aTimeoutEndsAPipelineWhoseWorkersAllBlock() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).timeout(Duration.ofMillis(300))
                    .sender(emitter -> {
                        emitter.emit(1);
                        new CountDownLatch(1).await();
                    })
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> new CountDownLatch(1).await())
                    .run();
            assertThat(errorOf(task.result())).isInstanceOf(TaskTimeoutException.class);
            assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
        });
    }

    /** A sender that throws at once: the final event comes, with the error and nothing emitted. */
    @Test
    void aSenderThatThrowsAtOnceStillGivesOneFinalEvent() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                    .sender(emitter -> {
                        throw new IOException("no source");
                    })
                    .receiver(ReceiverStrategy.parallel(4), (event, collector) -> collector.collect(1, 1))
                    .awaitFinalEvent();
            assertThat(done.emitted()).isZero();
            assertThat(done.received()).isZero();
            assertThat(done.errors()).singleElement().satisfies(error -> assertThat(error.sequence()).isEqualTo(-1));
            Integer failed = orchestrator.emits(Integer.class).errorStrategy(ErrorStrategy.stopOnFirst())
                    .sender(emitter -> {
                        throw new IOException("no source");
                    })
                    .receiver((event, collector) -> collector.collect(1, 1))
                    .awaitFinalEvent(result -> result.isOk() ? 1 : 0);
            assertThat(failed).isZero();
        });
    }

    /** The orchestrator closed mid-stream: the pipeline ends (not completed) and its waiters are released. */
    @Test
    void closingTheOrchestratorMidStreamReleasesTheWaiters() {
        assertTimeoutPreemptively(CEILING, () -> {
            TaskOrchestrator own = TaskOrchestrator.builder().build();
            CountDownLatch blocked = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = own.emits(Integer.class).bufferSize(2)
                    .sender(SenderStrategy.parallel(MinMax.of(1, 3)), emitter -> emitter.emitAll(Stream.iterate(0, i -> i + 1)))
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 4)), (event, collector) -> {
                        blocked.countDown();
                        new CountDownLatch(1).await();
                    })
                    .run();
            blocked.await();
            own.close();
            assertThat(task.result().isOk()).isFalse();
            assertThat(task.status().isTerminal()).isTrue();
        });
    }

    /** The parent of a pipeline is cancelled: the pipeline (its child) is cancelled too, nothing hangs. */
    @RepeatedTest(5)
    void cancellingTheParentTaskCancelsThePipeline() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<EmittingTask<Integer, Integer>> pipeline = new AtomicReference<>();
            CountDownLatch running = new CountDownLatch(1);
            SpawningTask<Long> parent = orchestrator.to(Long.class).run(() -> {
                EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(4)
                        .sender(emitter -> emitter.emitAll(Stream.iterate(0, i -> i + 1)))
                        .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                            running.countDown();
                            Thread.sleep(1);
                        })
                        .run();
                pipeline.set(task);
                return task.join().received();
            });
            running.await();
            parent.cancel();
            assertThat(errorOf(parent.result())).isInstanceOf(TaskCancelledException.class);
            assertThat(errorOf(pipeline.get().result())).isInstanceOf(TaskCancelledException.class);
        });
    }

    // ---- blocked receivers and their batches ---------------------------------------------------

    /**
     * After cheap events (so receivers take batches), event 1000 waits until event 1001 has been
     * received. With two parallel receivers the second one is free to receive it; it must not be stuck
     * in the blocked receiver's batch.
     */
    @Disabled("""
            Fails: a receiver worker that took a batch of cheap events (up to 64) and blocks on one of them
            holds the rest of its batch hostage while the other receivers idle (here: for ever, since the
            blocked event waits for one in its own batch). Batches shrink to one only after a slow event,
            too late for the batch already taken. A fix needs the taken-but-unstarted events of a busy
            worker to be stealable by idle ones (or handed back), a redesign of PipelineReceivers and
            EventBuffer's accounting, not a local change.""")
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

    // ---- the results publisher -----------------------------------------------------------------------

    /** request(0) and request(-1) end the subscription with IllegalArgumentException (rule 3.9), once. */
    @Test
    void nonPositiveRequestsSignalOnErrorOnce() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emitAll(numbers(100)))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            task.join();
            for (long bad : new long[] { 0, -1, Long.MIN_VALUE }) {
                StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(0,
                        subscription -> subscription.request(bad));
                task.results().subscribe(subscriber);
                assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
                assertThat(subscriber.error()).isInstanceOf(IllegalArgumentException.class);
                assertThat(subscriber.terminals()).isEqualTo(1);
                assertThat(subscriber.count()).isZero();
                assertThat(subscriber.violations()).isEmpty();
            }
        });
    }

    /** Many threads request one at a time at once while the pipeline runs: every result once, then one completion. */
    @RepeatedTest(10)
    void concurrentRequestsGetEveryResultOnceAndOneCompletion() {
        assertTimeoutPreemptively(CEILING, () -> {
            int count = 2_000;
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(4)
                    .sender(emitter -> emitter.emitAll(numbers(count)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(0);
            task.results().subscribe(subscriber);
            while (true) {
                try {
                    subscriber.request(1);
                    break;
                }
                catch (NullPointerException notYetSubscribed) {
                    Thread.onSpinWait();
                }
            }
            List<Thread> requesters = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                requesters.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < count / 4; i++) {
                        subscriber.request(1);
                    }
                }));
            }
            for (Thread requester : requesters) {
                requester.join();
            }
            assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
            assertThat(subscriber.completed()).isTrue();
            assertThat(subscriber.items()).extracting(Map.Entry::getKey).doesNotHaveDuplicates().hasSize(count);
            assertThat(subscriber.violations()).isEmpty();
        });
    }

    /** Cancel from inside onNext, twice, and from another thread: nothing follows it, not even a terminal signal. */
    @RepeatedTest(10)
    void cancelIsIdempotentAndNothingFollowsIt() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emitAll(numbers(1_000)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            CountDownLatch cancelled = new CountDownLatch(1);
            StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE) {
                @Override
                protected void whileReceiving(Map.Entry<Integer, Integer> item) {
                    if (count() == 10) {
                        cancel();
                        cancel();
                        Thread.ofVirtual().start(this::cancel);
                        cancelled.countDown();
                    }
                }
            };
            task.results().subscribe(subscriber);
            assertThat(cancelled.await(CEILING.toSeconds(), TimeUnit.SECONDS)).isTrue();
            task.join();
            StrictSubscriber<Map.Entry<Integer, Integer>> after = new StrictSubscriber<>(Long.MAX_VALUE);
            task.results().subscribe(after);
            assertThat(after.awaitTerminal(CEILING)).isTrue(); // its stream has ended: the cancelled one got all it ever will
            assertThat(subscriber.count()).isEqualTo(10);
            assertThat(subscriber.terminals()).isZero();
            assertThat(subscriber.violations()).isEmpty();
        });
    }

    // ---- deadlines, ordering, hostile publishers --------------------------------------------------

    /**
     * A receiver that ignores interrupts and the pipeline's deadline: waiters (join, result, the results
     * stream) are released at the deadline with TaskTimeoutException, not when the receiver returns.
     */
    @Test
    void aTimeoutReleasesWaitersEvenIfAReceiverIgnoresInterrupts() {
        CountDownLatch release = new CountDownLatch(1);
        try {
            assertTimeoutPreemptively(CEILING, () -> {
                CountDownLatch receiving = new CountDownLatch(1);
                EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).timeout(Duration.ofMillis(300))
                        .sender(emitter -> emitter.emitAll(numbers(10)))
                        .receiver((event, collector) -> {
                            receiving.countDown();
                            while (true) {
                                try {
                                    release.await();
                                    return;
                                }
                                catch (InterruptedException ignored) {
                                    // hostile: swallowed
                                }
                            }
                        })
                        .run();
                StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE);
                task.results().subscribe(subscriber);
                receiving.await();
                assertThat(errorOf(task.result())).isInstanceOf(TaskTimeoutException.class);
                assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
                assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
                assertThat(subscriber.error()).isInstanceOf(TaskTimeoutException.class);
            });
        }
        finally {
            release.countDown();
        }
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

    /**
     * A publisher that subscribes the source and then throws from subscribe (breaking rule 1.9): the
     * sender fails, and the subscription it was handed is cancelled (rule 2.6), not left live.
     */
    @Test
    void aPublisherThatThrowsFromSubscribeHasItsSubscriptionCancelled() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch cancelled = new CountDownLatch(1);
            Flow.Publisher<Integer> hostile = subscriber -> {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                        cancelled.countDown();
                    }
                });
                throw new IllegalStateException("subscribe broke");
            };
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                    .sender(Sources.publisher(hostile))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.errors()).singleElement()
                    .satisfies(error -> assertThat(error.error()).hasMessageContaining("subscribe broke"));
            assertThat(cancelled.getCount()).as("the subscription was cancelled").isZero();
        });
    }

    /** A publisher that never calls onSubscribe: cancelling the pipeline still ends it, nothing hangs. */
    @Test
    void aPublisherThatNeverSubscribesDoesNotHangCancellation() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch subscribed = new CountDownLatch(1);
            Flow.Publisher<Integer> silent = subscriber -> subscribed.countDown();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(Sources.publisher(silent))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            subscribed.await();
            assertThat(task.cancel()).isTrue();
            assertThat(errorOf(task.result())).isInstanceOf(TaskCancelledException.class);
        });
    }

    // ---- bounds under every strategy, and a stuck subscriber ---------------------------------------

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

    /** A subscriber of the results that never returns from onNext slows only itself, not the pipeline. */
    @Test
    void aResultsSubscriberStuckInOnNextDoesNotHoldThePipeline() {
        CountDownLatch release = new CountDownLatch(1);
        try {
            assertTimeoutPreemptively(CEILING, () -> {
                EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(2)
                        .sender(emitter -> emitter.emitAll(numbers(1_000)))
                        .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                        .run();
                StrictSubscriber<Map.Entry<Integer, Integer>> stuck = new StrictSubscriber<>(Long.MAX_VALUE) {
                    @Override
                    protected void whileReceiving(Map.Entry<Integer, Integer> item) {
                        try {
                            release.await();
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                };
                task.results().subscribe(stuck);
                assertThat(task.join().collected()).hasSize(1_000);
                assertThat(stuck.count()).isLessThanOrEqualTo(1);
            });
        }
        finally {
            release.countDown();
        }
    }

    /**
     * The same list instance emitted three times by one sender worker is three times the events,
     * whatever the sender strategy: emitAll emits every element. Under parallel senders the second and
     * third calls emit nothing, silently: the instance is taken for one shared with other workers, and
     * already drained.
     */
    @Disabled("""
            Fails: under SenderStrategy.parallel, emitAll on an Iterable or Stream instance already drained
            emits nothing, also when the same worker passes it again on purpose (a constant list each round):
            30 events with serial senders, 10 with parallel(1, 1), and no error. The sharing rule cannot tell
            another worker running the same body from one worker re-emitting; deciding which calls share
            (say, per worker and call count, or an explicit Emitter.emitAllShared) is an API choice for the
            owner, not a local fix.""")
    @Test
    void reEmittingTheSameListIsEveryElementAgainUnderParallelSenders() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<Integer> constant = numbers(10);
            for (SenderStrategy senders : List.of(SenderStrategy.serial(), SenderStrategy.parallel(MinMax.of(1, 1)))) {
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

    /**
     * A graceful shutdown mid-stream lets a running pipeline finish, growing its workers as it goes
     * (new roots are refused, children of running tasks are not): it completes and shutdown says so.
     */
    @Test
    void aGracefulShutdownMidStreamLetsThePipelineFinish() {
        assertTimeoutPreemptively(CEILING, () -> {
            TaskOrchestrator own = TaskOrchestrator.builder().build();
            try {
                CountDownLatch flowing = new CountDownLatch(1);
                List<Integer> source = numbers(3_000);
                EmittingTask<Integer, Integer> task = own.emits(Integer.class).bufferSize(4)
                        .sender(SenderStrategy.parallel(MinMax.of(1, 3)), emitter -> emitter.emitAll(source))
                        .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 4)), (event, collector) -> {
                            flowing.countDown();
                            if (event.data() % 100 == 0) {
                                Thread.sleep(5);
                            }
                            collector.collect(event.data(), event.data());
                        })
                        .run();
                flowing.await();
                assertThat(own.shutdown(Duration.ofSeconds(25))).isTrue();
                assertThat(task.join().collected()).hasSize(3_000);
            }
            finally {
                own.close();
            }
        });
    }
}
