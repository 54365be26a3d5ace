package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.Emitter;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.Sources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Trial (SPEC 2): stops meeting deaf receivers, kept emitters given streams, publisher subscriptions on stops. */
class TrialEdgeTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /**
     * stopOnFirst (or cancel) while a sibling receiver ignores interrupts, under a pipeline timeout: README,
     * "A timeout also bounds the caller: if the interrupted body has not returned 100 ms after the deadline,
     * the task and its unfinished subtree end at once ... and every waiter is released". Without the timeout a
     * failed or cancelled parent waits for its children (documented); with it, the caller must be released
     * soon after the deadline, whichever way the pipeline had already begun to end.
     */
    @ParameterizedTest
    @ValueSource(strings = { "stopOnFirst", "cancel" })
    void aStopMeetingADeafReceiverIsStillBoundedByTheTimeout(String how) {
        AtomicBoolean release = new AtomicBoolean();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                // the deadline runs from submission: on a loaded machine it can pass before the deaf receiver got
                // event 0 (waiting for it would hang), or, for cancel, before cancel() was called (then the deadline
                // decided the end, and cancel() rightly says false); such a run is let go and repeated with a
                // deadline twice as long
                EmittingTask<Integer, Integer> task = null;
                for (Duration timeout = Duration.ofMillis(500); task == null; timeout = timeout.multipliedBy(2)) {
                    assertThat(timeout).as("a deadline the receivers could not reach").isLessThan(Duration.ofSeconds(30));
                    CountDownLatch deafIn = new CountDownLatch(1);
                    AtomicBoolean fellShort = new AtomicBoolean();
                    long submitted = System.nanoTime();
                    EmittingTask<Integer, Integer> mine = orchestrator.emits(Integer.class)
                            .timeout(timeout)
                            .errorStrategy(ErrorStrategy.stopOnFirst())
                            .sender(emitter -> {
                                emitter.emit(0);
                                deafIn.await();
                                emitter.emit(1);
                            })
                            .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                                if (event.data() == 0) {
                                    deafIn.countDown();
                                    io.sweetasync.Work.ignoringInterruptsUntil(() -> release.get() || fellShort.get());
                                    return;
                                }
                                if (how.equals("stopOnFirst")) {
                                    throw new IllegalStateException("event 1 fails");
                                }
                            })
                            .run();
                    await().atMost(CEILING).pollInterval(Duration.ofMillis(5))
                            .until(() -> deafIn.getCount() == 0 || mine.finalEvent().isDone());
                    if (deafIn.getCount() > 0) { // ended before the deaf receiver got event 0: let it go
                        fellShort.set(true);
                        continue;
                    }
                    if (how.equals("cancel")) {
                        boolean cancelled = mine.cancel();
                        if (!cancelled && System.nanoTime() - submitted >= timeout.toNanos()) {
                            fellShort.set(true); // the deadline came first: it decided the end
                            continue;
                        }
                        assertThat(cancelled).isTrue();
                    }
                    task = mine;
                }
                TrialRecorder<java.util.Map.Entry<Integer, Integer>> recorder = new TrialRecorder<>();
                task.results().subscribe(recorder);
                long start = System.nanoTime();
                // cancel() returned true: "returns true exactly when the task ends CANCELLED"; stopOnFirst: FAILED (README table).
                // (which exception stopOnFirst ends with here is TrialDecidedEndTest's question)
                assertThatThrownBy(task::join).isInstanceOf(how.equals("cancel") ? io.sweetasync.TaskCancelledException.class
                        : io.sweetasync.AsyncTaskException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("released near the deadline")
                        .isLessThan(Duration.ofSeconds(5));
                assertThat(recorder.await()).isTrue();
                assertThat(recorder.error.get()).isInstanceOf(how.equals("cancel") ? io.sweetasync.TaskCancelledException.class
                        : io.sweetasync.AsyncTaskException.class);
                if (how.equals("cancel")) {
                    assertThat(task.status().toString()).isEqualTo("CANCELLED");
                }
            });
        }
        finally {
            release.set(true);
        }
    }

    /** An emitter kept beyond its pipeline refuses emitAll(Stream); the stream it was handed is still closed. */
    @Test
    void aRefusedEmitAllStillClosesItsStream() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<Emitter<Integer>> kept = new AtomicReference<>();
            orchestrator.emits(Integer.class)
                    .sender(emitter -> {
                        kept.set(emitter);
                        emitter.emit(1);
                    })
                    .receiver((event, collector) -> { })
                    .awaitFinalEvent();
            AtomicInteger closes = new AtomicInteger();
            Stream<Integer> stream = Stream.of(1, 2, 3).onClose(closes::incrementAndGet);
            assertThatThrownBy(() -> kept.get().emitAll(stream)).isInstanceOf(IllegalStateException.class);
            assertThat(closes.get()).as("stream closed").isEqualTo(1);
        });
    }

    /** The same through the emitter a chunked source is given, kept after the source returned. */
    @Test
    void aRefusedEmitAllOfAChunkedSourceStillClosesItsStream() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<Emitter<Integer>> kept = new AtomicReference<>();
            orchestrator.emits((Class<List<Integer>>) (Class<?>) List.class)
                    .sender(Sources.chunked((Emitter<Integer> emitter) -> {
                        kept.set(emitter);
                        emitter.emit(1);
                    }, 10))
                    .receiver((event, collector) -> { })
                    .awaitFinalEvent();
            AtomicInteger closes = new AtomicInteger();
            Stream<Integer> stream = Stream.of(1, 2, 3).onClose(closes::incrementAndGet);
            assertThatThrownBy(() -> kept.get().emitAll(stream)).isInstanceOf(IllegalStateException.class);
            assertThat(closes.get()).as("stream closed").isEqualTo(1);
        });
    }

    /** A publisher source's subscription is cancelled when the pipeline stops on a receiver's error or times out. */
    @Test
    void aPublisherSubscriptionIsCancelledOnStopOnFirstAndOnTimeout() {
        assertTimeoutPreemptively(CEILING, () -> {
            for (boolean timeout : new boolean[] { false, true }) {
                // a deadline runs from submission: on a loaded machine it can pass before the sender subscribed to
                // the publisher (then there is no subscription to cancel), so such a run is repeated with a
                // deadline twice as long
                AtomicBoolean subscribed = new AtomicBoolean();
                for (Duration deadline = Duration.ofMillis(200); !subscribed.get(); deadline = deadline.multipliedBy(2)) {
                    assertThat(deadline).as("a deadline the sender could not reach").isLessThan(Duration.ofSeconds(30));
                    AtomicBoolean mineSubscribed = new AtomicBoolean();
                    AtomicBoolean cancelled = new AtomicBoolean();
                    AtomicLong requested = new AtomicLong();
                    Flow.Publisher<Integer> endless = subscriber -> {
                        mineSubscribed.set(true);
                        subscriber.onSubscribe(new Flow.Subscription() {
                            private int next;

                            @Override
                            public synchronized void request(long n) {
                                requested.addAndGet(n);
                                for (long i = 0; i < n && !cancelled.get(); i++) {
                                    subscriber.onNext(next++);
                                }
                            }

                            @Override
                            public void cancel() {
                                cancelled.set(true);
                            }
                        });
                    };
                    var builder = orchestrator.emits(Integer.class).bufferSize(4);
                    builder = timeout ? builder.timeout(deadline) : builder.errorStrategy(ErrorStrategy.stopOnFirst());
                    EmittingTask<Integer, Integer> task = builder
                            .sender(Sources.publisher(endless, 4))
                            .receiver((event, collector) -> {
                                if (!timeout && event.data() == 10) {
                                    throw new IllegalStateException("stop");
                                }
                                Thread.sleep(1);
                            })
                            .run();
                    assertThatThrownBy(task::join).isInstanceOf(timeout ? TaskTimeoutException.class : TaskFailedException.class);
                    if (!mineSubscribed.get()) {
                        assertThat(timeout).as("stopOnFirst after event 10 without a subscription").isTrue();
                        continue;
                    }
                    subscribed.set(true);
                    await().atMost(CEILING).untilTrue(cancelled);
                }
            }
        });
    }
}
