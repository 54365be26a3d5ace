package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.ManualClock;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pipeline's results stream ({@link EmittingTask#results()}) ends exactly once, last, with the
 * pipeline's outcome, and keeps the Flow rules whatever its subscribers do.
 */
class ResultsStreamTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private EmittingTask<Integer, Integer> collecting(int count) {
        return orchestrator.emits(Integer.class).named("results")
                .sender(emitter -> emitter.emitAll(IntStream.range(0, count).boxed()))
                .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), event.data()))
                .run();
    }

    @Test
    void aCompletedPipelineCompletesItsStreamAfterEveryResult() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = collecting(500);
            StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE);
            task.results().subscribe(subscriber);
            assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
            assertThat(subscriber.completed()).isTrue();
            assertThat(subscriber.items()).hasSize(500);
            assertThat(subscriber.violations()).isEmpty();
            assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        });
    }

    @Test
    void aTimedOutPipelineSignalsItsTimeoutNotCompletion() {
        assertTimeoutPreemptively(CEILING, () -> {
            ManualClock clock = new ManualClock();
            try (TaskOrchestrator manual = TaskOrchestrator.builder().clock(clock).build()) {
                CountDownLatch receiving = new CountDownLatch(1);
                EmittingTask<Integer, Integer> task = manual.emits(Integer.class).timeout(Duration.ofSeconds(5))
                        .sender(emitter -> emitter.emitAll(IntStream.range(0, 10).boxed()))
                        .receiver((event, collector) -> {
                            collector.collect(event.data(), event.data());
                            receiving.countDown();
                            new CountDownLatch(1).await();
                        })
                        .run();
                StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE);
                task.results().subscribe(subscriber);
                receiving.await();
                clock.advance(Duration.ofSeconds(6));
                assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
                assertThat(subscriber.error()).isInstanceOf(TaskTimeoutException.class);
                assertThat(subscriber.items()).hasSize(1);
                assertThat(subscriber.violations()).isEmpty();
            }
        });
    }

    @Test
    void aCancelledPipelineSignalsItsCancellationAndNothingAfterIt() {
        assertTimeoutPreemptively(CEILING.multipliedBy(2), () -> {
            for (int round = 0; round < 30; round++) {
                EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("endless")
                        .sender(emitter -> {
                            for (int i = 0;; i++) {
                                emitter.emit(i);
                            }
                        })
                        .receiver(ReceiverStrategy.parallel(4), (event, collector) -> collector.collect(event.data(), 1))
                        .run();
                StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE);
                task.results().subscribe(subscriber);
                await().atMost(CEILING).until(() -> subscriber.count() > 100);
                task.cancel();
                assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
                assertThat(task.result()).isInstanceOf(TaskResult.Err.class);
                assertThat(subscriber.error()).isInstanceOf(TaskCancelledException.class);
                int seen = subscriber.count();
                assertThat(orchestrator.liveCount()).as("every worker has ended").isZero();
                assertThat(subscriber.count()).isEqualTo(seen);
                assertThat(subscriber.terminals()).isEqualTo(1);
                assertThat(subscriber.violations()).as("round %d", round).isEmpty();
            }
        });
    }

    @Test
    void aPipelineThatStoppedOnAnErrorSignalsTheTasksException() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .errorStrategy(ErrorStrategy.stopOnFirst())
                    .sender(emitter -> emitter.emitAll(IntStream.range(0, 10).boxed()))
                    .receiver((event, collector) -> {
                        throw new IOException("bad " + event.data());
                    })
                    .run();
            StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE);
            task.results().subscribe(subscriber);
            assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
            assertThat(subscriber.error()).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class);
            assertThat(subscriber.violations()).isEmpty();
        });
    }

    @Test
    void aPipelineRejectedAtShutdownStillEndsItsStream() {
        assertTimeoutPreemptively(CEILING, () -> {
            orchestrator.shutdown(Duration.ZERO);
            EmittingTask<Integer, Integer> task = collecting(10);
            StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE);
            task.results().subscribe(subscriber);
            assertThat(subscriber.awaitTerminal(CEILING)).as("terminated, though it never ran").isTrue();
            assertThat(subscriber.error()).isInstanceOf(TaskRejectedException.class);
            assertThat(subscriber.violations()).isEmpty();
        });
    }

    @Test
    void anInvalidRequestAfterCompletionSignalsNothing() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = collecting(5);
            StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE);
            task.results().subscribe(subscriber);
            assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
            subscriber.request(0);
            subscriber.request(-1);
            assertThat(subscriber.completed()).isTrue();
            assertThat(subscriber.violations()).isEmpty();
        });
    }

    @Test
    void anInvalidRequestDuringOnNextIsSignalledAfterItReturnsAndNothingFollowsIt() {
        assertTimeoutPreemptively(CEILING, () -> {
            for (int round = 0; round < 20; round++) {
                CountDownLatch inOnNext = new CountDownLatch(1);
                CountDownLatch requestedInvalid = new CountDownLatch(1);
                EmittingTask<Integer, Integer> task = collecting(300);
                StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE) {
                    @Override
                    protected void whileReceiving(Map.Entry<Integer, Integer> item) {
                        if (count() == 10) {
                            inOnNext.countDown();
                            try {
                                requestedInvalid.await();
                            }
                            catch (InterruptedException ex) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                };
                task.results().subscribe(subscriber);
                inOnNext.await();
                subscriber.request(-1); // from this thread, while the 10th onNext is in progress
                requestedInvalid.countDown();
                assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
                task.join();
                assertThat(subscriber.error()).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("3.9");
                assertThat(subscriber.terminals()).isEqualTo(1);
                assertThat(subscriber.violations()).as("round %d", round).isEmpty();
            }
        });
    }

    @Test
    void subscribingNullThrowsAndLeavesThePipelineAlone() {
        assertTimeoutPreemptively(CEILING, () -> {
            for (int round = 0; round < 20; round++) {
                EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class) // collects nothing
                        .sender(emitter -> emitter.emitAll(IntStream.range(0, 100).boxed()))
                        .receiver((event, collector) -> { })
                        .run();
                assertThatThrownBy(() -> task.results().subscribe(null)).isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("subscriber");
                StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(Long.MAX_VALUE);
                task.results().subscribe(subscriber);
                assertThat(task.join().received()).isEqualTo(100);
                assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
                assertThat(subscriber.completed()).isTrue();
            }
        });
    }

    @Test
    void aPipelineEndingWhileASubscriberIsInOnSubscribeWaitsForItToReturn() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch release = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emitAll(IntStream.range(0, 10).boxed()))
                    .receiver((event, collector) -> release.await())
                    .run();
            StrictSubscriber<Map.Entry<Integer, Integer>> subscriber = new StrictSubscriber<>(1, subscription -> {
                release.countDown();
                task.result(); // the pipeline ends (and ends its results stream) while this onSubscribe runs
            });
            task.results().subscribe(subscriber);
            assertThat(subscriber.awaitTerminal(CEILING)).isTrue();
            assertThat(subscriber.completed()).isTrue();
            assertThat(subscriber.violations()).isEmpty();
        });
    }

    @Test
    void aSubscriberThatThrowsIsCancelledAndThePipelineIsUnharmed() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = collecting(100);
            task.results().subscribe(new StrictSubscriber<>(Long.MAX_VALUE) {
                @Override
                public void onNext(Map.Entry<Integer, Integer> item) {
                    throw new IllegalStateException("a subscriber breaking rule 2.13");
                }
            });
            StrictSubscriber<Map.Entry<Integer, Integer>> other = new StrictSubscriber<>(Long.MAX_VALUE);
            task.results().subscribe(other);
            assertThat(task.join().collected()).hasSize(100);
            assertThat(other.awaitTerminal(CEILING)).isTrue();
            assertThat(other.completed()).isTrue();
            assertThat(other.items()).hasSize(100);
        });
    }
}
