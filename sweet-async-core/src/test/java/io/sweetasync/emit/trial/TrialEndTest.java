package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.EventError;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Trial (SPEC 2): how pipelines end when batching, sequence, retries and stops combine. */
class TrialEndTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("two", 2))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    /**
     * batched + sequence + continueOnError + per-event retry: every event received once, errors (those that
     * fail every attempt) in emission order, collected in emission order, the stream gets every collect and
     * one onComplete after them.
     */
    @RepeatedTest(10)
    void batchedSequenceRetryContinueGivesEverythingOnceInOrder() throws Exception {
        assertTimeoutPreemptively(CEILING, () -> {
            Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
            AtomicInteger collects = new AtomicInteger();
            List<Integer> source = numbers(200);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(5).sequence()
                    .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ofMillis(1))))
                    .sender(SenderStrategy.parallel(MinMax.of(3, 3)), emitter -> emitter.emitAll(source))
                    .receiver(ReceiverStrategy.batched(7, Duration.ofMillis(3)), (event, collector) -> {
                        int n = attempts.computeIfAbsent(event.sequence() > Integer.MAX_VALUE ? 0 : (int) event.sequence(),
                                k -> new AtomicInteger()).incrementAndGet();
                        long seq = event.sequence();
                        if (seq % 5 == 0 && n == 1) {
                            throw new IllegalStateException("flaky " + seq);
                        }
                        if (seq % 17 == 0) {
                            throw new IllegalStateException("bad " + seq);
                        }
                        collects.incrementAndGet();
                        collector.collect((int) seq, event.data());
                    })
                    .run();
            TrialRecorder<Map.Entry<Integer, Integer>> recorder = new TrialRecorder<>();
            task.results().subscribe(recorder);
            FinalEvent<Integer, Integer> done = task.join();
            assertThat(done.emitted()).isEqualTo(200);
            assertThat(done.received()).isEqualTo(200);
            List<Integer> bad = numbers(200).stream().filter(i -> i % 17 == 0).toList();
            assertThat(done.errors()).extracting(e -> (int) e.sequence()).containsExactlyElementsOf(bad);
            List<Integer> good = numbers(200).stream().filter(i -> i % 17 != 0).toList();
            assertThat(new ArrayList<>(done.collected().keySet())).containsExactlyElementsOf(good);
            assertThat(recorder.await()).isTrue();
            assertThat(recorder.error.get()).isNull();
            assertThat(recorder.terminals.get()).isEqualTo(1);
            assertThat(recorder.items).hasSize(collects.get()).hasSize(good.size());
            assertThat(attempts.get(17).get()).isEqualTo(3);
            assertThat(attempts.get(5).get()).isEqualTo(2);
        });
    }

    /**
     * batched + sequence + stopOnFirst + retry: the one worker receives in emission order, so once the bad
     * event fails its last attempt, no later event's receive starts; the pipeline fails with that error, the
     * stream ends once with the task's exception.
     */
    @RepeatedTest(10)
    void batchedSequenceStopOnFirstRetryStopsAtTheBadEvent() throws Exception {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicLong highest = new AtomicLong(-1);
            AtomicInteger badAttempts = new AtomicInteger();
            List<Integer> source = numbers(300);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(16).sequence()
                    .errorStrategy(ErrorStrategy.stopOnFirst().withRetry(RetryPolicy.fixed(2, Duration.ofMillis(1))))
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> emitter.emitAll(source))
                    .receiver(ReceiverStrategy.batched(10, Duration.ofMillis(2)), (event, collector) -> {
                        highest.accumulateAndGet(event.sequence(), Math::max);
                        if (event.sequence() == 42) {
                            badAttempts.incrementAndGet();
                            throw new IllegalArgumentException("bad 42");
                        }
                        collector.collect(event.data(), event.data());
                    })
                    .run();
            TrialRecorder<Map.Entry<Integer, Integer>> recorder = new TrialRecorder<>();
            task.results().subscribe(recorder);
            assertThatThrownBy(task::join).isInstanceOf(TaskFailedException.class)
                    .hasRootCauseInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> task.finalEvent().join()).hasRootCauseInstanceOf(IllegalArgumentException.class);
            assertThat(badAttempts.get()).isEqualTo(3);
            assertThat(highest.get()).as("no receive after the stopping event").isEqualTo(42);
            assertThat(recorder.await()).isTrue();
            assertThat(recorder.terminals.get()).isEqualTo(1);
            assertThat(recorder.error.get()).isInstanceOf(TaskFailedException.class);
            assertThat(task.progress().received()).isLessThanOrEqualTo(task.progress().emitted());
        });
    }

    /**
     * Adaptive receivers on a small platform runtime and on single, parallel senders emitting from several
     * threads each, cancelled mid-way: join throws TaskCancelledException, and by then no sender or receiver
     * body is still running (the task ends after its children), a kept emitter refuses events.
     */
    @ParameterizedTest
    @ValueSource(strings = { "single", "two", "platform" })
    void cancelledAdaptiveOnPooledRuntimesLeavesNoBodyRunning(String runtime) {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger received = new AtomicInteger();
            CountDownLatch some = new CountDownLatch(20);
            List<io.sweetasync.emit.Emitter<Integer>> kept = new java.util.concurrent.CopyOnWriteArrayList<>();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).runtime(runtime).bufferSize(4)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 3)), emitter -> {
                        kept.add(emitter);
                        inside.incrementAndGet();
                        try {
                            for (int i = 0; ; i++) {
                                emitter.emit(i);
                            }
                        }
                        finally {
                            inside.decrementAndGet();
                        }
                    })
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 4)), (event, collector) -> {
                        inside.incrementAndGet();
                        try {
                            received.incrementAndGet();
                            some.countDown();
                            Thread.sleep(1);
                        }
                        finally {
                            inside.decrementAndGet();
                        }
                    })
                    .run();
            some.await();
            assertThat(task.cancel()).isTrue();
            assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
            assertThat(inside.get()).as("bodies still running after join").isZero();
            assertThat(task.progress().received()).isLessThanOrEqualTo(task.progress().emitted());
            assertThat(task.progress().received()).isLessThanOrEqualTo(received.get());
            for (var emitter : kept) {
                assertThatThrownBy(() -> emitter.emit(-1)).isInstanceOf(IllegalStateException.class);
            }
        });
    }

    /** Same combination ending by its timeout. */
    @ParameterizedTest
    @ValueSource(strings = { "single", "two" })
    void timedOutAdaptiveOnPooledRuntimesLeavesNoBodyRunning(String runtime) {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicInteger inside = new AtomicInteger();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).runtime(runtime).bufferSize(4)
                    .timeout(Duration.ofMillis(300))
                    .sender(SenderStrategy.parallel(MinMax.of(2, 3)), emitter -> {
                        inside.incrementAndGet();
                        try {
                            emitter.emitAll(java.util.stream.Stream.iterate(0, i -> i + 1));
                        }
                        finally {
                            inside.decrementAndGet();
                        }
                    })
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 4)), (event, collector) -> {
                        inside.incrementAndGet();
                        try {
                            Thread.sleep(1);
                            collector.collect(event.data(), event.data());
                        }
                        finally {
                            inside.decrementAndGet();
                        }
                    })
                    .run();
            TrialRecorder<Map.Entry<Integer, Integer>> recorder = new TrialRecorder<>();
            task.results().subscribe(recorder);
            assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
            assertThat(inside.get()).as("bodies still running after join").isZero();
            assertThat(recorder.await()).isTrue();
            assertThat(recorder.error.get()).isInstanceOf(TaskTimeoutException.class);
            assertThat(recorder.afterTerminal.get()).isZero();
        });
    }

    /**
     * A receiver that never answers interrupts, on the single runtime, under a pipeline timeout: the caller
     * is released at the deadline, and the single runtime still runs other tasks while the runaway spins.
     */
    @Test
    void aRunawayReceiverOnSingleReleasesTheCallerAndTheRuntime() {
        AtomicBoolean release = new AtomicBoolean();
        try {
            assertTimeoutPreemptively(CEILING, () -> {
                // the deadline runs from submission: on a loaded machine it can pass before the receiver got its
                // batch (then there is no runaway, and waiting for the receive would hang), so such a run is let go
                // and repeated with a deadline twice as long
                CountDownLatch receiving = new CountDownLatch(1);
                CountDownLatch returned = null;
                AtomicInteger receives = null;
                EmittingTask<Integer, Integer> task = null;
                TrialRecorder<Map.Entry<Integer, Integer>> recorder = null;
                for (Duration timeout = Duration.ofMillis(200); receiving.getCount() > 0; timeout = timeout.multipliedBy(2)) {
                    assertThat(timeout).as("a deadline the receiver could not reach").isLessThan(Duration.ofSeconds(30));
                    CountDownLatch mineReceiving = new CountDownLatch(1);
                    CountDownLatch mineReturned = new CountDownLatch(1);
                    AtomicInteger mineReceives = new AtomicInteger();
                    AtomicBoolean fellShort = new AtomicBoolean();
                    EmittingTask<Integer, Integer> mine = orchestrator.emits(Integer.class).runtime("single")
                            .timeout(timeout)
                            .sender(emitter -> emitter.emitAll(numbers(5)))
                            .receiver(ReceiverStrategy.batched(5, Duration.ofMillis(1)), (event, collector) -> {
                                mineReceives.incrementAndGet();
                                mineReceiving.countDown();
                                try {
                                    io.sweetasync.Work.ignoringInterruptsUntil(() -> release.get() || fellShort.get());
                                    try {
                                        collector.collect(-1, -1); // after the forced end: dropped, never streamed
                                    }
                                    catch (IllegalStateException refused) {
                                        // refusing is fine too
                                    }
                                }
                                finally {
                                    mineReturned.countDown();
                                }
                            })
                            .run();
                    TrialRecorder<Map.Entry<Integer, Integer>> mineRecorder = new TrialRecorder<>();
                    mine.results().subscribe(mineRecorder);
                    org.awaitility.Awaitility.await().atMost(CEILING).pollInterval(Duration.ofMillis(5))
                            .until(() -> mineReceiving.getCount() == 0 || mine.finalEvent().isDone());
                    if (mineReceiving.getCount() > 0) { // ended before its receiver got the batch: let it go
                        fellShort.set(true);
                        org.awaitility.Awaitility.await().atMost(CEILING).until(() -> orchestrator.runawayCount() == 0);
                        continue;
                    }
                    receiving = mineReceiving;
                    returned = mineReturned;
                    receives = mineReceives;
                    task = mine;
                    recorder = mineRecorder;
                }
                long start = System.nanoTime();
                assertThatThrownBy(task::join).isInstanceOf(TaskTimeoutException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("released near the deadline")
                        .isLessThan(Duration.ofSeconds(5));
                assertThat(task.finalEvent()).isCompletedExceptionally();
                assertThat(recorder.await()).isTrue();
                assertThat(recorder.error.get()).isInstanceOf(TaskTimeoutException.class);
                assertThat(orchestrator.to(Integer.class).runtime("single").run(() -> 7).join()).isEqualTo(7);
                release.set(true);
                returned.await();
                // a late subscriber replays the log: the runaway's late result is not in it, and no further event of
                // the batch was handed to the runaway once its receive returned
                TrialRecorder<Map.Entry<Integer, Integer>> late = new TrialRecorder<>();
                task.results().subscribe(late);
                assertThat(late.await()).isTrue();
                assertThat(late.items).isEmpty();
                assertThat(late.error.get()).isInstanceOf(TaskTimeoutException.class);
                assertThat(recorder.items).isEmpty();
                org.awaitility.Awaitility.await().atMost(CEILING).until(() -> orchestrator.runawayCount() == 0);
                assertThat(receives.get()).isEqualTo(1);
            });
        }
        finally {
            release.set(true);
        }
    }

    /**
     * A pipeline without timeout inside a parent with one, whose receiver ignores interrupts: the parent's
     * waiter is released by its deadline, and the pipeline ends CANCELLED (subtree of a runaway), its stream
     * ends with that.
     */
    @Test
    void aParentTimeoutReleasesAPipelineWithARunawayReceiver() {
        AtomicBoolean release = new AtomicBoolean();
        try {
            assertTimeoutPreemptively(CEILING, () -> {
                java.util.concurrent.atomic.AtomicReference<EmittingTask<Integer, Integer>> inner =
                        new java.util.concurrent.atomic.AtomicReference<>();
                // the deadline runs from submission: on a loaded machine it can pass before the inner receiver got
                // an event (then there is no runaway, and waiting for the receive would hang), so such a run is let
                // go and repeated with a deadline twice as long
                boolean received = false;
                for (Duration timeout = Duration.ofMillis(300); !received; timeout = timeout.multipliedBy(2)) {
                    assertThat(timeout).as("a deadline the receiver could not reach").isLessThan(Duration.ofSeconds(30));
                    CountDownLatch receiving = new CountDownLatch(1);
                    AtomicBoolean fellShort = new AtomicBoolean();
                    java.util.concurrent.atomic.AtomicReference<EmittingTask<Integer, Integer>> mineInner =
                            new java.util.concurrent.atomic.AtomicReference<>();
                    var parent = orchestrator.to(Integer.class).timeout(timeout).run(() -> {
                        EmittingTask<Integer, Integer> pipe = orchestrator.emits(Integer.class)
                                .sender(emitter -> emitter.emitAll(numbers(3)))
                                .receiver((event, collector) -> {
                                    receiving.countDown();
                                    io.sweetasync.Work.ignoringInterruptsUntil(() -> release.get() || fellShort.get());
                                })
                                .run();
                        mineInner.set(pipe);
                        return pipe.join().collected().size();
                    });
                    org.awaitility.Awaitility.await().atMost(CEILING).pollInterval(Duration.ofMillis(5))
                            .until(() -> receiving.getCount() == 0 || parent.toCompletableFuture().isDone());
                    if (receiving.getCount() > 0) { // ended before its inner receiver got an event: let it go
                        fellShort.set(true);
                        org.awaitility.Awaitility.await().atMost(CEILING).until(() -> orchestrator.runawayCount() == 0);
                        continue;
                    }
                    received = true;
                    assertThatThrownBy(parent::join).isInstanceOf(TaskTimeoutException.class);
                    inner.set(mineInner.get());
                }
                TrialRecorder<Map.Entry<Integer, Integer>> recorder = new TrialRecorder<>();
                inner.get().results().subscribe(recorder);
                assertThatThrownBy(() -> inner.get().join()).isInstanceOf(TaskCancelledException.class);
                assertThat(recorder.await()).isTrue();
                assertThat(recorder.error.get()).isInstanceOf(TaskCancelledException.class);
            });
        }
        finally {
            release.set(true);
        }
    }
}
