package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Review 11, pipelines under hostile timing and input. */
class Review11PipeTest extends PipelineHostileSupport {

    /** Emitter is thread-safe: many threads of one sender emitting at once lose and duplicate nothing. */
    @RepeatedTest(10)
    void manyThreadsOfOneSenderEmitEachEventOnceWithDenseSequences() {
        assertTimeoutPreemptively(CEILING, () -> {
            int threads = 8;
            int each = 2_000;
            Set<Long> sequences = ConcurrentHashMap.newKeySet();
            FinalEvent<Integer, Long> done = orchestrator.emits(Integer.class).bufferSize(3)
                    .sender(emitter -> {
                        List<Thread> all = new ArrayList<>();
                        for (int t = 0; t < threads; t++) {
                            int base = t * each;
                            boolean bulk = t % 2 == 0;
                            all.add(Thread.ofPlatform().start(() -> {
                                try {
                                    if (bulk) {
                                        List<Integer> mine = new ArrayList<>();
                                        for (int i = 0; i < each; i++) {
                                            mine.add(base + i);
                                        }
                                        emitter.emitAll(mine);
                                    }
                                    else {
                                        for (int i = 0; i < each; i++) {
                                            emitter.emit(base + i);
                                        }
                                    }
                                }
                                catch (InterruptedException ex) {
                                    Thread.currentThread().interrupt();
                                }
                            }));
                        }
                        for (Thread thread : all) {
                            thread.join();
                        }
                    })
                    .receiver(ReceiverStrategy.parallel(3), (event, collector) -> {
                        assertThat(sequences.add(event.sequence())).isTrue();
                        collector.collect(event.data(), event.sequence());
                    })
                    .awaitFinalEvent();
            assertThat(done.errors()).isEmpty();
            assertThat(done.emitted()).isEqualTo(threads * each);
            assertThat(done.received()).isEqualTo(threads * each);
            assertThat(done.collected()).hasSize(threads * each);
            assertThat(sequences).hasSize(threads * each);
            assertThat(sequences.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(threads * each - 1);
        });
    }

    /**
     * README: memory stays within bufferSize plus one per receiver plus a Sources.publisher source's prefetch. A
     * publisher that honours demand, a sender blocked by stuck receivers: what the publisher has handed over and
     * the receivers have not finished stays within that.
     */
    @Test
    void aPublisherSourceHoldsAtMostTheBufferThePrefetchAndOnePerReceiver() {
        assertTimeoutPreemptively(CEILING, () -> {
            int bufferSize = 4;
            int prefetch = 8;
            int receivers = 2;
            AtomicLong sent = new AtomicLong();
            AtomicInteger finished = new AtomicInteger();
            AtomicInteger worst = new AtomicInteger();
            CountDownLatch stuck = new CountDownLatch(receivers);
            CountDownLatch release = new CountDownLatch(1);
            Flow.Publisher<Integer> publisher = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
                private final AtomicLong demand = new AtomicLong();
                private final AtomicInteger wip = new AtomicInteger();
                private int next;
                private volatile boolean cancelled;

                @Override
                public void request(long n) {
                    demand.addAndGet(n);
                    if (wip.getAndIncrement() != 0) {
                        return;
                    }
                    do {
                        while (!cancelled && demand.get() > 0 && next < 2_000) {
                            demand.decrementAndGet();
                            sent.incrementAndGet();
                            subscriber.onNext(next++);
                        }
                        if (next == 2_000 && !cancelled) {
                            cancelled = true;
                            subscriber.onComplete();
                        }
                    }
                    while (wip.decrementAndGet() != 0);
                }

                @Override
                public void cancel() {
                    cancelled = true;
                }
            });
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(bufferSize)
                    .sender(Sources.publisher(publisher, prefetch))
                    .receiver(ReceiverStrategy.parallel(receivers), (event, collector) -> {
                        worst.accumulateAndGet((int) (sent.get() - finished.get()), Math::max);
                        if (event.data() < receivers) {
                            stuck.countDown();
                            release.await();
                        }
                        finished.incrementAndGet();
                    })
                    .run();
            stuck.await();
            Thread.sleep(300); // a dozen ticks: the sender fills what it can
            long held = sent.get() - finished.get();
            release.countDown();
            task.finalEvent().get(20, TimeUnit.SECONDS);
            assertThat(held).isLessThanOrEqualTo(bufferSize + receivers + prefetch + 1);
            assertThat(worst.get()).isLessThanOrEqualTo(bufferSize + receivers + prefetch + 1);
        });
    }

    /**
     * A publisher (breaking rule 1.9) that hands the same subscription to onSubscribe twice: README says a second
     * onSubscribe is cancelled; cancelling the very subscription in use stops the source for good (the publisher
     * sends nothing after a cancel, not even a terminal signal), so the pipeline would wait for ever.
     */
    @Test
    void theSameSubscriptionHandedOverTwiceDoesNotStallThePipelineForEver() {
        assertTimeoutPreemptively(CEILING, () -> {
            Flow.Publisher<Integer> publisher = subscriber -> {
                Flow.Subscription subscription = new Flow.Subscription() {
                    private int next;
                    private boolean cancelled;
                    private boolean emitting;
                    private long demand;

                    @Override
                    public synchronized void request(long n) {
                        demand += n;
                        if (emitting) {
                            return;
                        }
                        emitting = true;
                        while (!cancelled && demand > 0 && next < 100) {
                            demand--;
                            subscriber.onNext(next++);
                        }
                        if (!cancelled && next == 100) {
                            cancelled = true;
                            subscriber.onComplete();
                        }
                        emitting = false;
                    }

                    @Override
                    public synchronized void cancel() {
                        cancelled = true;
                    }
                };
                subscriber.onSubscribe(subscription);
                subscriber.onSubscribe(subscription);
            };
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).timeout(Duration.ofSeconds(5))
                    .sender(Sources.publisher(publisher, 4))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            FinalEvent<Integer, Integer> done = task.finalEvent().get(20, TimeUnit.SECONDS);
            assertThat(done.received()).isEqualTo(100);
        });
    }

    /**
     * Emitters kept past the sender's return, by threads racing the buffer's close: each emit either throws or its
     * event is received; none is accepted and then lost (README: "no event is accepted and then lost").
     */
    @RepeatedTest(20)
    void emitsRacingTheSendersReturnAreEitherRefusedOrReceived() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicLong accepted = new AtomicLong();
            List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            CountDownLatch going = new CountDownLatch(4);
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(2)
                    .sender(emitter -> {
                        for (int t = 0; t < 4; t++) {
                            threads.add(Thread.ofPlatform().start(() -> {
                                going.countDown();
                                try {
                                    while (true) {
                                        emitter.emit(1);
                                        accepted.incrementAndGet();
                                    }
                                }
                                catch (IllegalStateException refused) {
                                    // past the run
                                }
                                catch (InterruptedException stopped) {
                                    Thread.currentThread().interrupt();
                                }
                            }));
                        }
                        going.await();
                    })
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> { })
                    .awaitFinalEvent();
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(done.received()).isEqualTo(accepted.get());
            assertThat(done.emitted()).isEqualTo(accepted.get());
        });
    }

    /** A receiver that cancels its own pipeline: the cancel returns (no self-wait) and the pipeline ends CANCELLED. */
    @RepeatedTest(5)
    void aReceiverCancellingItsOwnPipelineEndsItCancelled() {
        assertTimeoutPreemptively(CEILING, () -> {
            java.util.concurrent.atomic.AtomicReference<EmittingTask<Integer, Integer>> self =
                    new java.util.concurrent.atomic.AtomicReference<>();
            CountDownLatch attached = new CountDownLatch(1);
            AtomicInteger cancelReturned = new AtomicInteger();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(4)
                    .sender(emitter -> emitter.emitAll(numbers(100)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                        attached.await();
                        if (event.data() == 50) {
                            self.get().cancel(true);
                            cancelReturned.incrementAndGet();
                        }
                        collector.collect(event.data(), event.data());
                    })
                    .run();
            self.set(task);
            attached.countDown();
            assertThat(catchThrowableOf(task.finalEvent()))
                    .isInstanceOf(java.util.concurrent.ExecutionException.class)
                    .hasCauseInstanceOf(io.sweetasync.TaskCancelledException.class);
            assertThat(task.status()).isEqualTo(io.sweetasync.TaskStatus.CANCELLED);
            assertThat(cancelReturned.get()).isEqualTo(1);
        });
    }

    private static Throwable catchThrowableOf(java.util.concurrent.Future<?> future) {
        try {
            future.get(20, TimeUnit.SECONDS);
            return null;
        }
        catch (Exception ex) {
            return ex;
        }
    }

    /** After the orchestrator closed: rejected (README table), promptly, and the results stream says so too. */
    @Test
    void aPipelineRunOnAClosedOrchestratorIsRejectedNotHung() {
        assertTimeoutPreemptively(CEILING, () -> {
            io.sweetasync.TaskOrchestrator closed = io.sweetasync.TaskOrchestrator.builder().build();
            closed.close();
            EmittingTask<Integer, Integer> task = closed.emits(Integer.class)
                    .sender(emitter -> emitter.emitAll(numbers(10)))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            assertThat(catchThrowableOf(task.finalEvent())).hasCauseInstanceOf(io.sweetasync.TaskRejectedException.class);
            java.util.concurrent.CompletableFuture<Throwable> end = new java.util.concurrent.CompletableFuture<>();
            task.results().subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(java.util.Map.Entry<Integer, Integer> item) {
                    end.complete(new AssertionError("a result of a rejected pipeline: " + item));
                }

                @Override
                public void onError(Throwable throwable) {
                    end.complete(throwable);
                }

                @Override
                public void onComplete() {
                    end.complete(null);
                }
            });
            assertThat(end.get(20, TimeUnit.SECONDS)).isInstanceOf(io.sweetasync.TaskRejectedException.class);
        });
    }

    /** Null events taken over from a stuck receiver's batch arrive as null data, each once. */
    @RepeatedTest(5)
    void nullEventsStolenFromAStuckReceiversBatchArriveOnce() {
        assertTimeoutPreemptively(CEILING, () -> {
            Set<Long> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger nulls = new AtomicInteger();
            CountDownLatch rest = new CountDownLatch(1);
            List<Integer> data = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                data.add(i % 3 == 0 ? null : i);
            }
            FinalEvent<Long, Integer> done = orchestrator.emits(Integer.class).bufferSize(256)
                    .sender(emitter -> emitter.emitAll(data))
                    .receiver(ReceiverStrategy.parallel(3), (event, collector) -> {
                        assertThat(seen.add(event.sequence())).isTrue();
                        if (event.data() == null) {
                            nulls.incrementAndGet();
                        }
                        if (event.sequence() == 0) {
                            rest.await(10, TimeUnit.SECONDS); // stuck until the others took its batch over
                        }
                        if (seen.size() == 999) {
                            rest.countDown();
                        }
                        collector.collect(event.sequence(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(1_000);
            assertThat(nulls.get()).isEqualTo(334);
            assertThat(done.collected()).hasSize(1_000);
            assertThat(done.collected().get(0L)).isNull();
        });
    }

    /** Receivers emitting follow-up events through the sender's emitter while it runs: each received once. */
    @RepeatedTest(5)
    void receiversEmittingThroughTheSendersEmitterLoseNothing() {
        assertTimeoutPreemptively(CEILING, () -> {
            java.util.concurrent.atomic.AtomicReference<Emitter<Integer>> kept = new java.util.concurrent.atomic.AtomicReference<>();
            CountDownLatch followUps = new CountDownLatch(100);
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(1_000)
                    .sender(emitter -> {
                        kept.set(emitter);
                        emitter.emitAll(numbers(100));
                        followUps.await();
                    })
                    .receiver(ReceiverStrategy.parallel(4), (event, collector) -> {
                        assertThat(seen.add(event.data())).isTrue();
                        if (event.data() < 100) {
                            kept.get().emit(event.data() + 1_000);
                            followUps.countDown();
                        }
                        collector.collect(event.data(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(200);
            assertThat(done.collected()).hasSize(200);
            assertThat(done.errors()).isEmpty();
        });
    }

    /** A publisher signalling after its end (onNext, onComplete, onError after onComplete): only what came before. */
    @Test
    void signalsAfterAPublishersEndAreIgnored() {
        assertTimeoutPreemptively(CEILING, () -> {
            Flow.Publisher<Integer> publisher = subscriber -> {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                subscriber.onNext(1);
                subscriber.onNext(2);
                subscriber.onComplete();
                subscriber.onNext(3);
                subscriber.onComplete();
                subscriber.onError(new IllegalStateException("after the end"));
            };
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                    .sender(Sources.publisher(publisher, 4))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.collected()).containsOnlyKeys(1, 2);
            assertThat(done.errors()).isEmpty();
        });
    }
}
