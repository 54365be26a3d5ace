package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * A hostile review of the pipeline's promises (SPEC 2) that the other hostile tests leave out: a stopped
 * pipeline hands no further event (nor retry) to receivers that do not answer the stop's interrupt; a
 * caller interrupted in {@code awaitFinalEvent()} cancels the pipeline it started; a publisher source ends
 * at a null item or error (rule 2.13) instead of waiting for ever; a chunked source keeps its last list
 * when it fails with an {@link InterruptedException} of its own; stopping on such an exception fails the
 * pipeline; a huge batch over a huge buffer is a bound, not an allocation; the memory bound holds under
 * retries; a timeout in any phase ends completed with everything or timed out; and (disabled, for a
 * decision) a publisher source's demand against the buffer. Outcomes only; the ceilings only catch hangs.
 */
class PipelineHostileReviewTest extends PipelineHostileSupport {

    /**
     * Waits for {@code latch} without answering interrupts (counting the first down {@code stopSeen}), then
     * restores the flag, as Guava's {@code awaitUninterruptibly} does (a well-behaved receiver that must not
     * be cut off mid-work), or swallows it.
     */
    private static void awaitUninterruptibly(CountDownLatch latch, boolean restoreFlag, CountDownLatch stopSeen) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            }
            catch (InterruptedException ex) {
                if (!interrupted) {
                    stopSeen.countDown();
                }
                interrupted = true;
            }
        }
        if (interrupted && restoreFlag) {
            Thread.currentThread().interrupt();
        }
    }

    private static void assertCancelled(TaskResult<?> result) {
        assertThat(result).isInstanceOfSatisfying(TaskResult.Err.class,
                err -> assertThat(err.error()).isInstanceOf(TaskCancelledException.class));
    }

    /**
     * A batched receiver took 20 events; the pipeline is cancelled while it finishes the first one in a
     * wait it does not cut short (the interrupt flag restored after, or swallowed). The other 19 must not
     * be received after the stop: the worker stops between events, as it does between takes.
     */
    @Test
    void aCancelledPipelineReceivesNoMoreEventsOfABatchTakenBeforeTheStop() {
        for (boolean restoreFlag : new boolean[] { true, false }) {
            assertTimeoutPreemptively(CEILING, () -> {
                CountDownLatch inFirst = new CountDownLatch(1);
                CountDownLatch finishFirst = new CountDownLatch(1);
                CountDownLatch stopSeen = new CountDownLatch(1);
                AtomicInteger afterFirst = new AtomicInteger();
                EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(64)
                        .sender(emitter -> emitter.emitAll(numbers(20)))
                        .receiver(ReceiverStrategy.batched(20, CEILING), (event, collector) -> {
                            if (event.sequence() == 0) {
                                inFirst.countDown();
                                awaitUninterruptibly(finishFirst, restoreFlag, stopSeen);
                            }
                            else {
                                afterFirst.incrementAndGet();
                            }
                        })
                        .run();
                inFirst.await();
                assertThat(task.cancel()).isTrue();
                stopSeen.await(); // the worker's stop is requested before it is interrupted
                finishFirst.countDown();
                assertCancelled(task.result());
                await().alias("the receiver worker returned").atMost(CEILING)
                        .until(() -> task.progress().receivers() == 0);
                assertThat(afterFirst.get()).as("events received after the stop (flag restored: %s)", restoreFlag)
                        .isZero();
            });
        }
    }

    /**
     * The same with parallel receivers taking events one by one in growing batches: after the stop no
     * receiver is handed another event, whether from its own batch or claimed from a sibling's.
     */
    @Test
    void aCancelledPipelineReceivesNoMoreEventsUnderParallelReceivers() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch inBlocking = new CountDownLatch(2);
            CountDownLatch finish = new CountDownLatch(1);
            CountDownLatch stopSeen = new CountDownLatch(2);
            AtomicBoolean stopped = new AtomicBoolean();
            AtomicInteger afterStop = new AtomicInteger();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(256)
                    .sender(emitter -> emitter.emitAll(numbers(200)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        if (stopped.get()) {
                            afterStop.incrementAndGet();
                        }
                        if (event.data() >= 150) { // the first two of these wait (cheap events before: batches grew)
                            if (inBlocking.getCount() > 0) {
                                inBlocking.countDown();
                                awaitUninterruptibly(finish, true, stopSeen);
                            }
                        }
                    })
                    .run();
            inBlocking.await();
            stopped.set(true);
            assertThat(task.cancel()).isTrue();
            stopSeen.await();
            finish.countDown();
            assertCancelled(task.result());
            await().alias("the receiver workers returned").atMost(CEILING)
                    .until(() -> task.progress().receivers() == 0);
            assertThat(afterStop.get()).as("receives begun after the stop").isZero();
        });
    }

    /**
     * A receiver whose first attempt swallows the stop's interrupt and then fails: the retry policy must
     * not retry it on a stopped pipeline (a retry is a new receive, of a run that no longer counts).
     */
    @Test
    void aCancelledPipelineDoesNotRetryAnEventThatFailedAfterTheStop() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch inFirst = new CountDownLatch(1);
            CountDownLatch finishFirst = new CountDownLatch(1);
            CountDownLatch stopSeen = new CountDownLatch(1);
            AtomicInteger attempts = new AtomicInteger();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(5, Duration.ofMillis(1))))
                    .sender(emitter -> emitter.emit(1))
                    .receiver((event, collector) -> {
                        if (attempts.incrementAndGet() == 1) {
                            inFirst.countDown();
                            awaitUninterruptibly(finishFirst, false, stopSeen);
                        }
                        throw new IOException("fails, attempt " + attempts.get());
                    })
                    .run();
            inFirst.await();
            assertThat(task.cancel()).isTrue();
            stopSeen.await();
            finishFirst.countDown();
            assertCancelled(task.result());
            await().alias("the receiver worker returned").atMost(CEILING)
                    .until(() -> task.progress().receivers() == 0);
            assertThat(attempts.get()).as("attempts of a stopped pipeline's event").isEqualTo(1);
        });
    }

    /**
     * The caller of {@code awaitFinalEvent()} is interrupted: it gets {@link CancellationException} with its
     * interrupt status kept, and the pipeline it started (it holds no handle to it) is cancelled: its
     * blocked receiver is interrupted.
     */
    @Test
    void anInterruptedAwaitFinalEventCancelsThePipelineAndKeepsTheInterrupt() throws Exception {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch receiving = new CountDownLatch(1);
            CountDownLatch receiverInterrupted = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean interruptKept = new AtomicBoolean();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    orchestrator.emits(Integer.class).named("awaited")
                            .sender(emitter -> emitter.emitAll(numbers(10)))
                            .receiver((event, collector) -> {
                                receiving.countDown();
                                try {
                                    new CountDownLatch(1).await();
                                }
                                catch (InterruptedException ex) {
                                    receiverInterrupted.countDown();
                                    throw ex;
                                }
                            })
                            .awaitFinalEvent();
                }
                catch (Throwable t) {
                    thrown.set(t);
                    interruptKept.set(Thread.currentThread().isInterrupted());
                }
            });
            receiving.await();
            caller.interrupt();
            caller.join();
            assertThat(thrown.get()).isInstanceOf(CancellationException.class);
            assertThat(interruptKept).isTrue();
            assertThat(receiverInterrupted.await(CEILING.toSeconds(), TimeUnit.SECONDS)).isTrue();
            await().alias("the pipeline and its workers ended").atMost(CEILING)
                    .until(() -> orchestrator.liveTasks().stream().noneMatch(t -> t.name().startsWith("awaited")));
        });
    }

    /**
     * Rule 2.13: a subscriber throws {@link NullPointerException} for a null item, and the publisher then
     * takes its subscription as cancelled, so it sends nothing more, not even a terminal signal. The
     * source must end there (the null is the sender's error, what came before is received), not wait for
     * ever for a signal that cannot come.
     */
    @Test
    void aPublisherSourceEndsAtANullItemInsteadOfWaitingForSignalsThatCannotCome() {
        AtomicReference<Throwable> thrownToPublisher = new AtomicReference<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        Flow.Publisher<Integer> publisher = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private boolean sent;

            @Override
            public void request(long n) {
                if (sent || cancelled.get()) {
                    return;
                }
                sent = true;
                subscriber.onNext(1);
                try {
                    subscriber.onNext(null);
                }
                catch (NullPointerException ex) {
                    thrownToPublisher.set(ex);
                    cancelled.set(true); // rule 2.13: the subscription is cancelled now; nothing more is sent
                }
            }

            @Override
            public void cancel() {
                cancelled.set(true);
            }
        });
        FinalEvent<Integer, Integer> done = collectAll(publisher);
        assertEndedAtTheBreach(done, thrownToPublisher);
        assertThat(done.received()).isEqualTo(1);
    }

    /** The same for {@code onError(null)}: the publisher meant to fail, then sends nothing more (rule 2.13). */
    @Test
    void aPublisherSourceEndsAtANullErrorInsteadOfWaitingForSignalsThatCannotCome() {
        AtomicReference<Throwable> thrownToPublisher = new AtomicReference<>();
        Flow.Publisher<Integer> publisher = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private boolean sent;

            @Override
            public void request(long n) {
                if (sent) {
                    return;
                }
                sent = true;
                subscriber.onNext(1);
                try {
                    subscriber.onError(null);
                }
                catch (NullPointerException ex) {
                    thrownToPublisher.set(ex); // rule 2.13: the subscription is cancelled now; nothing more is sent
                }
            }

            @Override
            public void cancel() {
            }
        });
        FinalEvent<Integer, Integer> done = collectAll(publisher);
        assertEndedAtTheBreach(done, thrownToPublisher);
    }

    /** Runs a pipeline that collects every item of {@code publisher} (requested 4 at a time). */
    private FinalEvent<Integer, Integer> collectAll(Flow.Publisher<Integer> publisher) {
        return assertTimeoutPreemptively(CEILING, () -> orchestrator.emits(Integer.class)
                .sender(Sources.publisher(publisher, 4))
                .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent());
    }

    /** The first item arrived, then the null signal ended the source with the breach as the sender's error. */
    private static void assertEndedAtTheBreach(FinalEvent<Integer, Integer> done, AtomicReference<Throwable> thrown) {
        assertThat(thrown.get()).as("rule 2.13").isInstanceOf(NullPointerException.class);
        assertThat(done.collected()).containsOnlyKeys(1);
        assertThat(done.errors()).singleElement().satisfies(error -> {
            assertThat(error.sequence()).isEqualTo(-1);
            assertThat(error.error()).isInstanceOf(NullPointerException.class).hasMessageContaining("rule 2.13");
        });
    }

    /**
     * A chunked source that fails with an {@link InterruptedException} of its own (nothing stops the pipeline:
     * it is the sender's error like any other) keeps what it emitted before, as for any other failure: the
     * short last list was dropped, its elements accepted and then lost.
     */
    @Test
    void whatAChunkedSourceEmittedBeforeItsOwnInterruptedExceptionIsReceived() {
        FinalEvent<Long, List<Integer>> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.<List<Integer>>emits()
                .sequence()
                .sender(Sources.chunked((Emitter<Integer> emitter) -> {
                    emitter.emitAll(List.of(1, 2, 3));
                    throw new InterruptedException("the source's own wait, interrupted");
                }, 2))
                .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                .awaitFinalEvent());
        assertThat(done.collected().values()).containsExactly(List.of(1, 2), List.of(3));
        assertThat(done.errors()).singleElement().satisfies(error -> {
            assertThat(error.sequence()).isEqualTo(-1);
            assertThat(error.error()).isInstanceOf(InterruptedException.class);
        });
    }

    /**
     * README: "at most {@code bufferSize} events plus one per receiver, plus a {@code Sources.publisher}
     * source's prefetch" (decided: the prefetch is documented as memory beside the buffer, set with
     * {@link Sources#publisher(Flow.Publisher, int)}; the sender does not know the buffer's size). Fails if the
     * source requests more than its prefetch while nothing is taken.
     */
    @Test
    void aPublisherSourceRequestsNoMoreThanItsPrefetch() {
        for (int prefetch : new int[] { 2, 32 }) {
            AtomicLong requested = new AtomicLong();
            Flow.Publisher<Integer> silent = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    requested.addAndGet(n);
                }

                @Override
                public void cancel() {
                }
            });
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(2)
                    .sender(prefetch == 32 ? Sources.publisher(silent) : Sources.publisher(silent, prefetch))
                    .receiver((event, collector) -> { })
                    .run();
            try {
                await().alias("the source subscribed and requested").atMost(CEILING).until(() -> requested.get() > 0);
                assertThat(requested.get()).as("demand with a prefetch of " + prefetch).isLessThanOrEqualTo(prefetch);
            }
            finally {
                task.cancel();
            }
        }
    }

    /**
     * README's table: a pipeline that stopped on its first error ends {@code FAILED} with
     * {@link TaskFailedException} (cause: the error), also when that error is an {@link InterruptedException}
     * of the receiver's or sender's own (nothing stopped the pipeline): it must not pass for a cancellation.
     */
    @Test
    void stoppingOnAnInterruptedExceptionOfUserCodeFailsThePipelineRatherThanCancellingIt() {
        for (boolean inSender : new boolean[] { false, true }) {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .errorStrategy(ErrorStrategy.stopOnFirst())
                    .sender(emitter -> {
                        emitter.emitAll(numbers(10));
                        if (inSender) {
                            throw new InterruptedException("the sender's own");
                        }
                    })
                    .receiver((event, collector) -> {
                        if (!inSender && event.data() == 3) {
                            throw new InterruptedException("the receiver's own");
                        }
                    })
                    .run();
            TaskResult<FinalEvent<Integer, Integer>> result = assertTimeoutPreemptively(CEILING, task::result);
            assertThat(result).as("in sender: %s", inSender).isInstanceOfSatisfying(TaskResult.Err.class,
                    err -> assertThat(err.error()).isInstanceOf(TaskFailedException.class)
                            .hasCauseInstanceOf(InterruptedException.class));
        }
    }

    /**
     * A batch size is a bound, not an allocation (ReceiverStrategy.batched: "nor allocates for it"), also
     * when the buffer is huge too: a batched receiver of a pipeline with {@code bufferSize(Integer.MAX_VALUE)}
     * and {@code batched(Integer.MAX_VALUE, ...)} took arrays of that size up front, and failed.
     */
    @Test
    void aHugeBatchOverAHugeBufferIsABoundNotAnAllocation() {
        for (int size : new int[] { Integer.MAX_VALUE, Integer.MAX_VALUE - 1 }) {
            FinalEvent<Integer, Integer> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.emits(Integer.class)
                    .bufferSize(size).sequence()
                    .sender(emitter -> emitter.emitAll(numbers(3_000)))
                    .receiver(ReceiverStrategy.batched(size, Duration.ofMillis(1)),
                            (event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent());
            assertThat(done.received()).as("size %d", size).isEqualTo(3_000);
            assertThat(done.collected().keySet()).as("size %d", size).containsExactlyElementsOf(numbers(3_000));
        }
    }

    /**
     * Backpressure under retries: an event being retried stays in its receiver's hands (and a batch's other
     * events in the buffer's count), so events pulled and not yet finished stay within the buffer plus one
     * per receiver worker plus one per sender worker, under each receiver strategy, and each event is
     * received to success once.
     */
    @Test
    void retriedEventsStayWithinTheBufferPlusOnePerWorker() {
        assertTimeoutPreemptively(CEILING, () -> {
            int bufferSize = 6;
            int senders = 2;
            for (ReceiverStrategy strategy : List.of(ReceiverStrategy.parallel(3),
                    ReceiverStrategy.batched(40, Duration.ofMillis(2)), ReceiverStrategy.adaptive(MinMax.of(1, 3)))) {
                int receivers = strategy instanceof ReceiverStrategy.Batched ? 1 : 3;
                AtomicInteger pulled = new AtomicInteger();
                AtomicInteger finished = new AtomicInteger();
                AtomicInteger worst = new AtomicInteger();
                Set<Integer> failedOnce = ConcurrentHashMap.newKeySet();
                Stream<Integer> source = IntStream.range(0, 5_000).boxed().peek(i -> pulled.incrementAndGet());
                FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(bufferSize)
                        .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ZERO)))
                        .sender(SenderStrategy.parallel(MinMax.of(senders, senders)), emitter -> emitter.emitAll(source))
                        .receiver(strategy, (event, collector) -> {
                            int out = pulled.get() - finished.get(); // read in this order: never an overestimate
                            worst.accumulateAndGet(out, Math::max);
                            if (event.data() % 7 == 0 && failedOnce.add(event.data())) {
                                throw new IOException("flaky " + event.data());
                            }
                            collector.collect(event.data(), event.data());
                            finished.incrementAndGet();
                        })
                        .awaitFinalEvent();
                assertThat(done.errors()).as("%s", strategy).isEmpty();
                assertThat(done.collected()).as("%s", strategy).hasSize(5_000);
                assertThat(worst.get()).as("%s", strategy).isLessThanOrEqualTo(bufferSize + receivers + senders);
            }
        });
    }

    /**
     * A timeout falling in every phase (before the workers start, while sending, while draining, as the final
     * event is made): the pipeline ends either {@code COMPLETED} with every event received and collected, or
     * {@code TIMED_OUT}, never failed by a worker or hung, and its results stream ends the same way after
     * exactly the results the final event has.
     */
    @RepeatedTest(3)
    void aTimeoutInAnyPhaseEndsCompletedWithEverythingOrTimedOut() {
        assertTimeoutPreemptively(CEILING, () -> {
            // One list for every sender worker: workers share an emitAll source only when it is the same instance (a
            // list made per call was emitted by each: a second sender started under load made 4,000 of 2,000).
            List<Integer> source = numbers(2_000);
            for (long micros = 1; micros <= 40_000; micros = micros * 3 + 1) {
                for (ReceiverStrategy strategy : List.of(ReceiverStrategy.parallel(3),
                        ReceiverStrategy.batched(16, Duration.ofMillis(1)), ReceiverStrategy.adaptive(MinMax.of(1, 3)))) {
                    EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(8)
                            .timeout(Duration.ofNanos(micros * 1_000))
                            .sender(SenderStrategy.parallel(MinMax.of(1, 2)), emitter -> emitter.emitAll(source))
                            .receiver(strategy, (event, collector) -> collector.collect(event.data(), event.data()))
                            .run();
                    StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE);
                    task.results().subscribe(subscriber);
                    TaskResult<FinalEvent<Integer, Integer>> result = task.result();
                    assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
                    assertThat(subscriber.violations()).as("%d us, %s", micros, strategy).isEmpty();
                    if (result instanceof TaskResult.Ok<FinalEvent<Integer, Integer>>(FinalEvent<Integer, Integer> done)) {
                        assertThat(done.received()).as("%d us, %s", micros, strategy).isEqualTo(2_000);
                        assertThat(done.collected()).as("%d us, %s", micros, strategy).hasSize(2_000);
                        assertThat(subscriber.completed()).isTrue();
                        assertThat(subscriber.items()).hasSize(2_000);
                    }
                    else {
                        assertThat(((TaskResult.Err<?>) result).error()).as("%d us, %s", micros, strategy)
                                .isInstanceOf(TaskTimeoutException.class);
                        assertThat(subscriber.error()).isInstanceOf(TaskTimeoutException.class);
                    }
                }
            }
        });
    }
}
