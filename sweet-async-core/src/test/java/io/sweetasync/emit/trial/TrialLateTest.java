package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.ReceiverStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Trial (SPEC 2): work that outlives a receive's body, and deep demand. */
class TrialLateTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /**
     * "A collector belongs to the receive of one event (all its attempts)": a helper thread that collects
     * between a failed attempt and its retry (the retry delay) is still within the receive, so its result is
     * accepted and in the final event.
     */
    @Test
    void aCollectDuringTheRetryDelayIsAccepted() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicInteger attempts = new AtomicInteger();
            CountDownLatch firstFailed = new CountDownLatch(1);
            CountDownLatch helperDone = new CountDownLatch(1);
            AtomicReference<Throwable> helperError = new AtomicReference<>();
            FinalEvent<String, String> done = orchestrator.emits(Integer.class)
                    .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(1, Duration.ofMillis(500))))
                    .sender(emitter -> emitter.emit(1))
                    .receiver((event, collector) -> {
                        if (attempts.incrementAndGet() == 1) {
                            Thread.ofPlatform().start(() -> {
                                try {
                                    firstFailed.await();
                                    collector.collect("helper", "between attempts");
                                }
                                catch (Throwable t) {
                                    helperError.set(t);
                                }
                                finally {
                                    helperDone.countDown();
                                }
                            });
                            firstFailed.countDown();
                            throw new IllegalStateException("first attempt");
                        }
                        helperDone.await();
                        collector.collect("retry", "ok");
                    })
                    .awaitFinalEvent();
            assertThat(helperError.get()).isNull();
            assertThat(done.collected()).containsEntry("helper", "between attempts").containsEntry("retry", "ok");
            assertThat(done.errors()).isEmpty();
        });
    }

    /**
     * "The FinalEvent comes after every receiver has finished" and a task ends after its children: a receive
     * that starts a child task and returns leaves its worker unfinished until the child ends.
     */
    @Test
    void theFinalEventWaitsForChildTasksAReceiverLeftRunning() {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch childStarted = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean childEnded = new AtomicBoolean();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emit(1))
                    .receiver((event, collector) -> {
                        collector.collect(1, 1);
                        TaskContext.current().orElseThrow().runChild(() -> {
                            childStarted.countDown();
                            release.await();
                            childEnded.set(true);
                            return null;
                        });
                    })
                    .run();
            try {
                childStarted.await();
                await().atMost(CEILING).until(() -> task.progress().received() == 1);
                await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                        .until(() -> !task.finalEvent().isDone());
            }
            finally {
                release.countDown();
            }
            assertThat(task.join().collected()).containsOnlyKeys(1);
            assertThat(childEnded.get()).isTrue();
        });
    }

    /** A results subscriber that requests one more from each onNext, over 100,000 results: no stack overflow (rule 3.3). */
    @Test
    void requestingFromOnNextOverManyResultsIsBounded() {
        assertTimeoutPreemptively(CEILING, () -> {
            int count = 100_000;
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(1024)
                    .sender(emitter -> emitter.emitAll(IntStream.range(0, count).boxed().toList()))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            task.join();
            AtomicInteger got = new AtomicInteger();
            AtomicReference<Throwable> error = new AtomicReference<>();
            CountDownLatch end = new CountDownLatch(1);
            task.results().subscribe(new Flow.Subscriber<Map.Entry<Integer, Integer>>() {
                private Flow.Subscription subscription;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(1);
                }

                @Override
                public void onNext(Map.Entry<Integer, Integer> item) {
                    got.incrementAndGet();
                    subscription.request(1);
                }

                @Override
                public void onError(Throwable throwable) {
                    error.set(throwable);
                    end.countDown();
                }

                @Override
                public void onComplete() {
                    end.countDown();
                }
            });
            end.await();
            assertThat(error.get()).isNull();
            assertThat(got.get()).isEqualTo(count);
        });
    }

    /** Two subscribers, one cancelling half-way and subscribing anew: the new subscription replays from the first. */
    @Test
    void aResubscriptionAfterCancelReplaysFromTheFirst() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emitAll(IntStream.range(0, 100).boxed().toList()))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            CountDownLatch half = new CountDownLatch(1);
            AtomicInteger first = new AtomicInteger();
            task.results().subscribe(new Flow.Subscriber<Map.Entry<Integer, Integer>>() {
                private Flow.Subscription subscription;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    s.request(50);
                }

                @Override
                public void onNext(Map.Entry<Integer, Integer> item) {
                    if (first.incrementAndGet() == 50) {
                        subscription.cancel();
                        half.countDown();
                    }
                }

                @Override
                public void onError(Throwable throwable) {
                }

                @Override
                public void onComplete() {
                }
            });
            half.await();
            TrialRecorder<Map.Entry<Integer, Integer>> again = new TrialRecorder<>();
            task.results().subscribe(again);
            assertThat(again.await()).isTrue();
            assertThat(again.items).hasSize(100);
            assertThat(again.items.stream().map(Map.Entry::getKey).toList())
                    .containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
            assertThat(first.get()).isEqualTo(50);
            assertThat(List.copyOf(task.join().collected().keySet())).hasSize(100);
        });
    }
}
