package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fifth review of pipelines (SPEC 2, and 1.7 for the runtimes): waits the engine makes for its own locks
 * on one-thread runtimes, and sources that break the Reactive Streams rules. A hang fails a test by its
 * ceiling, which only catches hangs.
 */
class PipelineRound5Test {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("one", 1))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    /**
     * Two parallel senders share one iterable whose {@code next()} fetches each element with a task on the
     * same one-thread runtime (a lazy, paged source). The first sender's join hands its slot on; the second
     * sender took it and waited for the first one's pull inside the shared source's monitor, a wait the runtime
     * cannot see, so it kept the only slot and the fetching task never ran: the pipeline hung (SPEC 1.7: waits
     * that form no cycle always finish).
     */
    @ParameterizedTest
    @ValueSource(strings = { "single", "one", "virtual" })
    void parallelSendersSharingAnIteratorThatJoinsATaskOnOneThreadFinish(String runtime) {
        assertTimeoutPreemptively(CEILING, () -> {
            Iterable<Integer> pages = () -> new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < 20;
                }

                @Override
                public Integer next() {
                    int value = next++;
                    return orchestrator.to(Integer.class).runtime(runtime).run(() -> value).join();
                }
            };
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).runtime(runtime).bufferSize(4)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> emitter.emitAll(pages))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.collected()).hasSize(20).containsEntry(19, 19);
            assertThat(done.errors()).isEmpty();
        });
    }

    /**
     * As above, with the task joined as the shared iterable is opened ({@code iterator()}, say a cursor
     * fetched by a task): the second sender waited for the first one's opening inside the shared sources'
     * monitor, kept the only slot, and the pipeline hung.
     */
    @ParameterizedTest
    @ValueSource(strings = { "single", "one", "virtual" })
    void parallelSendersSharingAnIterableThatJoinsATaskToOpenOnOneThreadFinish(String runtime) {
        assertTimeoutPreemptively(CEILING, () -> {
            Iterable<Integer> opened = () -> orchestrator.to(Integer.class).runtime(runtime).run(() -> 20).join() > 0
                    ? numbers(20).iterator() : List.<Integer>of().iterator();
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).runtime(runtime).bufferSize(4)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> emitter.emitAll(opened))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.collected()).hasSize(20).containsEntry(19, 19);
            assertThat(done.errors()).isEmpty();
        });
    }

    /**
     * A publisher that subscribes on a thread of its own and whose {@code request} throws (breaking rule 3.16):
     * the exception escaped {@code onSubscribe} (breaking rule 2.13 in turn) to the publisher's thread, where
     * it was lost, and the sender waited for items that could never come: the pipeline hung. The source
     * now ends with that exception as the sender's error, and the subscription counts as cancelled.
     */
    @Test
    void aPublisherWhoseRequestThrowsOnItsOwnThreadEndsTheSourceWithThatError() {
        assertTimeoutPreemptively(CEILING, () -> {
            AtomicReference<Throwable> escaped = new AtomicReference<>();
            AtomicInteger requests = new AtomicInteger();
            Flow.Publisher<Integer> broken = subscriber -> Thread.ofPlatform().start(() -> {
                try {
                    subscriber.onSubscribe(new Flow.Subscription() {
                        @Override
                        public void request(long n) {
                            requests.incrementAndGet();
                            throw new IllegalStateException("request is broken");
                        }

                        @Override
                        public void cancel() {
                            // nothing to stop
                        }
                    });
                }
                catch (RuntimeException ex) {
                    escaped.set(ex); // what a publisher's own thread would lose
                }
            });
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                    .sender(Sources.publisher(broken))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .awaitFinalEvent();
            assertThat(done.emitted()).isZero();
            assertThat(done.errors()).singleElement().satisfies(error -> {
                assertThat(error.sequence()).isEqualTo(-1);
                assertThat(error.error()).hasMessage("request is broken");
            });
            assertThat(escaped.get()).isNull();
            assertThat(requests).hasValue(1);
        });
    }

    /**
     * A pipeline cancelled with its buffer full: its receivers are stopped, so the queued events are received
     * by nobody, yet they stayed in the closed buffer, reachable from the handle for as long as anyone kept it
     * (up to {@code bufferSize} events, each as large as the user's data). Observed before: all 16 alive.
     */
    @Test
    void eventsLeftInTheBufferOfAStoppedPipelineAreReleased() throws Exception {
        List<WeakReference<Object>> emitted = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch never = new CountDownLatch(1);
        EmittingTask<Integer, Integer> task = orchestrator.emits(Object.class).bufferSize(16)
                .sender(emitter -> {
                    while (true) {
                        Object data = new byte[1024];
                        emitted.add(new WeakReference<>(data));
                        emitter.emit(data);
                    }
                })
                .receiver((event, collector) -> never.await())
                .run();
        await().atMost(CEILING).until(() -> task.progress().buffered() == 16);
        task.cancel();
        assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
        await().atMost(CEILING).until(() -> {
            System.gc();
            return emitted.stream().allMatch(reference -> reference.get() == null);
        });
        assertThat(task.progress().buffered()).isZero(); // the handle is still held here
    }

    /**
     * A pipeline on an executor runtime that runs tasks on the caller's thread ({@code Runnable::run}, which
     * {@link TaskRuntime#executor} accepts): its sender ran inside its start, on the pipeline's thread, and
     * waited there for room that only receivers not yet started could make; the pipeline hung. A pipeline's
     * workers must run beside each other, which such a runtime cannot do: the pipeline now fails at once,
     * saying so.
     */
    @Test
    void aPipelineOnACallerRunsRuntimeFailsSayingWhyInsteadOfHanging() {
        TaskOrchestrator callerRuns = TaskOrchestrator.builder().runtime(TaskRuntime.executor("inline", Runnable::run))
                .build();
        try {
            assertTimeoutPreemptively(CEILING, () -> assertThatThrownBy(() -> callerRuns.emits(Integer.class)
                    .runtime("inline").bufferSize(2)
                    .sender(emitter -> emitter.emitAll(numbers(100)))
                    .receiver(ReceiverStrategy.parallel(3), (event, collector) -> collector.collect(event.data(), 1))
                    .awaitFinalEvent())
                    .isInstanceOf(TaskFailedException.class)
                    .hasStackTraceContaining("caller-runs executor runtime"));
        }
        finally {
            callerRuns.close();
        }
    }
}
