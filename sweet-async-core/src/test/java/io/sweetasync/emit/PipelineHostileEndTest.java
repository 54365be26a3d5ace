package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * Hostile timing and environment against a pipeline's ends (SPEC 2): the final event comes exactly once
 * or the pipeline fails, and no waiter hangs, whatever way out it takes (stop on the first error, a
 * worker cancelled by id, cancel, timeout, the orchestrator closed or shut down, the parent cancelled);
 * cancellation reaches blocked senders and receivers. Outcomes only; the ceilings only catch hangs.
 */
class PipelineHostileEndTest extends PipelineHostileSupport {

    private static AsyncTaskException errorOf(TaskResult<?> result) {
        assertThat(result).isInstanceOf(TaskResult.Err.class);
        return ((TaskResult.Err<?>) result).error();
    }

    private TaskInfo worker(EmittingTask<?, ?> task, String name) {
        return orchestrator.find(task.id()).orElseThrow().children().stream()
                .filter(child -> child.name().equals(name)).findFirst().orElseThrow();
    }

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

    /** A sender blocked for ever and blocked receivers: the pipeline's timeout ends it TIMED_OUT, and nothing hangs. */
    /** Repeated: the workers' deadlines must never beat the pipeline's (the pipeline then failed instead). */
    @RepeatedTest(10)
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
}
