package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.AsyncTaskException;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Hostile subscribers and publishers at a pipeline's {@link Flow} edges (SPEC 2):
 * the results publisher keeps the Reactive Streams rules (rule 3.9, idempotent cancel, concurrent
 * requests, a stuck subscriber slows only itself), and a publisher source survives publishers that
 * break theirs.
 */
class PipelineHostileFlowTest extends PipelineHostileSupport {

    private static AsyncTaskException errorOf(TaskResult<?> result) {
        assertThat(result).isInstanceOf(TaskResult.Err.class);
        return ((TaskResult.Err<?>) result).error();
    }

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
}
