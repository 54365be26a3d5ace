package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The subscriber behind {@link Sources#publisher}: the rules for subscribers, and publishers that are
 * awkward but legal.
 */
class PublisherSourceTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /** A subscription that records what is asked of it. */
    private static final class RecordingSubscription implements Flow.Subscription {

        final AtomicLong requested = new AtomicLong();
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void request(long n) {
            requested.addAndGet(n);
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }
    }

    /** A publisher whose whole behaviour is {@code script}, run on the subscribing thread. */
    private static <T> Flow.Publisher<T> scripted(Consumer<Flow.Subscriber<? super T>> script) {
        return script::accept;
    }

    private FinalEvent<Integer, Integer> drain(Flow.Publisher<Integer> publisher) {
        return orchestrator.emits(Integer.class).sequence()
                .sender(Sources.publisher(publisher, 8))
                .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent();
    }

    /**
     * A subscription whose {@code request} throws once items flowed (breaking rule 3.16) and whose {@code cancel}
     * throws too (breaking rule 3.15): the source stops on the request's failure and cancels, and the cancel's
     * exception replaced the request's as the sender's error, so the pipeline reported the later, secondary breach
     * and lost the cause. The first failure stays the error, the cancel's is suppressed by it.
     */
    @Test
    void aThrowingCancelDoesNotReplaceTheFailureThatStoppedTheSource() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicLong requests = new AtomicLong();
            FinalEvent<Integer, Integer> done = drain(scripted(subscriber -> {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                        if (requests.incrementAndGet() > 1) {
                            throw new IllegalStateException("request is broken");
                        }
                    }

                    @Override
                    public void cancel() {
                        throw new IllegalStateException("cancel is broken");
                    }
                });
                IntStream.rangeClosed(1, 8).forEach(subscriber::onNext);
            }));
            assertThat(done.collected()).isNotEmpty();
            assertThat(done.errors()).singleElement().satisfies(error -> {
                assertThat(error.error()).hasMessage("request is broken");
                assertThat(error.error().getSuppressed()).singleElement()
                        .satisfies(suppressed -> assertThat(suppressed).hasMessage("cancel is broken"));
            });
        });
    }

    @Test
    void aSecondOnSubscribeIsCancelledAndNeverRequestedFrom() {
        assertTimeoutPreemptively(CEILING, () -> {
            RecordingSubscription first = new RecordingSubscription();
            RecordingSubscription second = new RecordingSubscription();
            FinalEvent<Integer, Integer> done = drain(scripted(subscriber -> {
                subscriber.onSubscribe(first);
                subscriber.onSubscribe(second);
                subscriber.onNext(1);
                subscriber.onComplete();
            }));
            assertThat(second.cancelled).as("rule 2.5").isTrue();
            assertThat(second.requested).hasValue(0);
            assertThat(first.cancelled).isFalse();
            assertThat(first.requested.get()).isPositive();
            assertThat(done.collected()).containsOnlyKeys(1);
        });
    }

    @Test
    void nullArgumentsThrowAndANullErrorEndsTheSourceAsItsFirstFailure() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<Throwable> thrown = new CopyOnWriteArrayList<>();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .errorStrategy(ErrorStrategy.stopOnFirst())
                    .sender(Sources.publisher(scripted(subscriber -> {
                        for (Runnable call : List.<Runnable>of(() -> subscriber.onSubscribe(null),
                                () -> subscriber.onError(null))) {
                            try {
                                call.run();
                            }
                            catch (NullPointerException ex) {
                                thrown.add(ex);
                            }
                        }
                        subscriber.onSubscribe(new RecordingSubscription());
                        try {
                            subscriber.onError(null);
                        }
                        catch (NullPointerException ex) {
                            thrown.add(ex);
                        }
                        subscriber.onError(new IOException("the real failure"));
                    })))
                    .receiver((event, collector) -> { })
                    .run();
            TaskResult<FinalEvent<Integer, Integer>> result = task.result();
            assertThat(thrown).as("rule 2.13").hasSize(3); // a null item: PipelineHostileReviewTest
            assertThat(result).as("onError(null) is not a completion").isInstanceOf(TaskResult.Err.class);
            // rule 2.13: after the first onError(null) the publisher sends nothing more; that breach is the end
            assertThat(((TaskResult.Err<?>) result).error()).isInstanceOf(TaskFailedException.class)
                    .rootCause().isInstanceOf(NullPointerException.class).hasMessageContaining("onError");
        });
    }

    @Test
    void aPublisherSendingMoreThanRequestedFailsTheSourceAndIsCancelled() {
        assertTimeoutPreemptively(CEILING, () -> {
            RecordingSubscription subscription = new RecordingSubscription();
            AtomicReference<Throwable> thrownToPublisher = new AtomicReference<>();
            FinalEvent<Integer, Integer> done = drain(scripted(subscriber -> {
                subscriber.onSubscribe(subscription);
                try {
                    for (int i = 0; i < 100; i++) { // 8 were requested
                        subscriber.onNext(i);
                    }
                }
                catch (RuntimeException ex) {
                    thrownToPublisher.set(ex);
                }
            }));
            assertThat(thrownToPublisher.get()).as("signal methods return normally").isNull();
            assertThat(subscription.cancelled).isTrue();
            assertThat(done.errors()).singleElement().satisfies(error -> assertThat(error.error())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("rule 1.1"));
            assertThat(done.collected()).hasSize(8);
        });
    }

    @Test
    void completionBeforeAnyDemandIsAnEmptySource() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = drain(scripted(subscriber -> {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                subscriber.onComplete();
            }));
            assertThat(done.emitted()).isZero();
            assertThat(done.errors()).isEmpty();

            FinalEvent<Integer, Integer> inside = drain(scripted(subscriber -> subscriber.onSubscribe(
                    new Flow.Subscription() {
                        private boolean completed;

                        @Override
                        public void request(long n) {
                            if (!completed) { // completes from within the first request
                                completed = true;
                                subscriber.onComplete();
                            }
                        }

                        @Override
                        public void cancel() {
                        }
                    })));
            assertThat(inside.emitted()).isZero();
        });
    }

    @Test
    void anErrorAfterSomeItemsKeepsThoseItemsAndIsTheSendersError() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = drain(synchronous(5, new IOException("broke after 5")));
            assertThat(done.collected().keySet()).containsExactly(0, 1, 2, 3, 4);
            assertThat(done.errors()).singleElement().satisfies(error -> {
                assertThat(error.sequence()).isEqualTo(-1);
                assertThat(error.error()).isInstanceOf(IOException.class).hasMessage("broke after 5");
            });
        });
    }

    @Test
    void signalsFromManyThreadsAreTakenInOrderEachOnce() {
        assertTimeoutPreemptively(CEILING, () -> {
            int count = 5_000;
            FinalEvent<Integer, Integer> done = drain(threadPerRequest(count));
            assertThat(done.collected().keySet()).containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
            assertThat(done.errors()).isEmpty();
        });
    }

    /** Emits {@code items} items, as demanded, on the requesting thread, then fails with {@code error}. */
    static Flow.Publisher<Integer> synchronous(int items, Throwable error) {
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private int next;
            private long demand;
            private boolean emitting;
            private boolean done;

            @Override
            public void request(long n) {
                demand += n;
                if (emitting) {
                    return; // re-entered from onNext: the outer call goes on (rule 3.3)
                }
                emitting = true;
                while (demand > 0 && next < items && !done) {
                    demand--;
                    subscriber.onNext(next++);
                }
                if (next == items && !done) {
                    done = true;
                    subscriber.onError(error);
                }
                emitting = false;
            }

            @Override
            public void cancel() {
                done = true;
            }
        });
    }

    /**
     * Serves each request on a new thread: signals come from many threads, never two at once (each
     * thread takes the single permit before signalling), and in order.
     */
    static Flow.Publisher<Integer> threadPerRequest(int count) {
        return subscriber -> {
            Semaphore turn = new Semaphore(1);
            AtomicLong next = new AtomicLong();
            AtomicBoolean cancelled = new AtomicBoolean();
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    Thread.ofPlatform().start(() -> {
                        turn.acquireUninterruptibly();
                        try {
                            for (long i = 0; i < n && next.get() < count && !cancelled.get(); i++) {
                                subscriber.onNext((int) next.getAndIncrement());
                            }
                            if (next.get() == count && !cancelled.getAndSet(true)) {
                                subscriber.onComplete();
                            }
                        }
                        finally {
                            turn.release();
                        }
                    });
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
        };
    }

    @Test
    void cancellingThePipelineCancelsTheSubscription() {
        assertTimeoutPreemptively(CEILING, () -> {
            RecordingSubscription subscription = new RecordingSubscription();
            CountDownLatch subscribed = new CountDownLatch(1);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(Sources.publisher(scripted(s -> {
                        s.onSubscribe(subscription);
                        subscribed.countDown();
                    })))
                    .receiver((event, collector) -> { })
                    .run();
            subscribed.await();
            task.cancel();
            assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
            assertThat(subscription.cancelled).isTrue();
        });
    }
}
