package io.sweetasync.review16;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRejectedException;
import io.sweetasync.TaskStatus;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ReceiverStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README "How a pipeline ends" table and the subscriber rules under it. */
@Timeout(60)
class Review16ReadmePipelineEndsTest {

    /** Subscribes with unbounded demand and records the terminal signal and the threads of the signals. */
    static final class Recorder implements Flow.Subscriber<Map.Entry<Integer, Integer>> {
        final CountDownLatch ended = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final List<Integer> items = new CopyOnWriteArrayList<>();
        volatile boolean completed;

        public void onSubscribe(Flow.Subscription s) {
            threads.add(Thread.currentThread());
            s.request(Long.MAX_VALUE);
        }

        public void onNext(Map.Entry<Integer, Integer> item) {
            threads.add(Thread.currentThread());
            items.add(item.getValue());
        }

        public void onError(Throwable t) {
            threads.add(Thread.currentThread());
            error.set(t);
            ended.countDown();
        }

        public void onComplete() {
            threads.add(Thread.currentThread());
            completed = true;
            ended.countDown();
        }
    }

    private static EmittingTask<Integer, Integer> stuck(TaskOrchestrator orchestrator, String name, Duration timeout,
            CountDownLatch receiving) {
        var builder = orchestrator.emits(Integer.class).named(name);
        if (timeout != null) {
            builder = builder.timeout(timeout);
        }
        return builder.sender(emitter -> emitter.emitAll(IntStream.range(0, 10).boxed().toList()))
                .<Integer, Integer>receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                    collector.collect(event.data(), event.data());
                    receiving.countDown();
                    Thread.sleep(600_000);
                })
                .run();
    }

    // "| cancel(), or its parent stopped | CANCELLED | TaskCancelledException | onError(TaskCancelledException) |"
    // "On cancel, timeout or failure every worker still running is stopped (interrupted) and ends CANCELLED"
    @Test
    void cancelEndsItCancelledItsWorkersCancelledAndTheStreamWithTaskCancelledException() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CountDownLatch receiving = new CountDownLatch(1);
            EmittingTask<Integer, Integer> pipeline = stuck(orchestrator, "r16-cancel", null, receiving);
            assertThat(receiving.await(30, TimeUnit.SECONDS)).isTrue();
            Recorder early = new Recorder();
            pipeline.results().subscribe(early);
            assertThat(pipeline.cancel()).isTrue();
            assertThat(catchThrowable(pipeline::join)).isInstanceOf(TaskCancelledException.class);
            assertThat(pipeline.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(early.ended.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(early.error.get()).isInstanceOf(TaskCancelledException.class);
            Recorder late = new Recorder();
            pipeline.results().subscribe(late);
            assertThat(late.ended.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(late.error.get()).isInstanceOf(TaskCancelledException.class);
            assertThat(late.items).isNotEmpty();
            TaskInfo tree = orchestrator.find(pipeline.id()).orElseThrow();
            assertThat(tree.children()).filteredOn(c -> c.name().endsWith(".receiver"))
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.status()).isEqualTo(TaskStatus.CANCELLED));
            // "Subscribers are signalled one signal at a time, on a virtual thread of their own (never on the
            // pipeline's workers)"
            assertThat(early.threads).allSatisfy(t -> assertThat(t.isVirtual()).isTrue());
            assertThat(early.threads).noneMatch(t -> t.getName().contains("r16-cancel."));
        }
    }

    // "| its timeout expired | TIMED_OUT | TaskTimeoutException | onError(TaskTimeoutException) |"
    @Test
    void aTimeoutEndsItTimedOutAndTheStreamWithTaskTimeoutException() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            CountDownLatch receiving = new CountDownLatch(1);
            EmittingTask<Integer, Integer> pipeline = stuck(orchestrator, "r16-timeout", Duration.ofMillis(300),
                    receiving);
            assertThat(catchThrowable(pipeline::join)).isInstanceOf(TaskTimeoutException.class);
            assertThat(pipeline.status()).isEqualTo(TaskStatus.TIMED_OUT);
            Recorder late = new Recorder();
            pipeline.results().subscribe(late);
            assertThat(late.ended.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(late.error.get()).isInstanceOf(TaskTimeoutException.class);
        }
    }

    // "| rejected before it ran (orchestrator shutting down) | FAILED | TaskRejectedException |
    // onError(TaskRejectedException) |"
    @Test
    void aPipelineRejectedAtShutdownEndsFailedWithTaskRejectedException() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            orchestrator.shutdown(Duration.ofSeconds(5));
            EmittingTask<Integer, Integer> pipeline = orchestrator.emits(Integer.class).named("r16-rejected")
                    .sender(emitter -> emitter.emit(1))
                    .<Integer, Integer>receiver((event, collector) -> collector.collect(1, 1))
                    .run();
            assertThat(catchThrowable(pipeline::join)).isInstanceOf(TaskRejectedException.class);
            assertThat(pipeline.status()).isEqualTo(TaskStatus.FAILED);
            Recorder late = new Recorder();
            pipeline.results().subscribe(late);
            assertThat(late.ended.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(late.error.get()).isInstanceOf(TaskRejectedException.class);
        }
    }

    // "one that throws is cancelled": a subscriber whose onNext throws gets nothing more
    @Test
    void aSubscriberThatThrowsIsCancelled() throws Exception {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            EmittingTask<Integer, Integer> pipeline = orchestrator.emits(Integer.class).named("r16-throwing")
                    .sender(emitter -> emitter.emitAll(IntStream.range(0, 50).boxed().toList()))
                    .<Integer, Integer>receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            pipeline.join();
            List<Object> signals = new CopyOnWriteArrayList<>();
            CountDownLatch first = new CountDownLatch(1);
            pipeline.results().subscribe(new Flow.Subscriber<Map.Entry<Integer, Integer>>() {
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                public void onNext(Map.Entry<Integer, Integer> item) {
                    signals.add(item);
                    first.countDown();
                    throw new IllegalStateException("subscriber fails");
                }

                public void onError(Throwable t) {
                    signals.add(t);
                }

                public void onComplete() {
                    signals.add("complete");
                }
            });
            assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
            // a second subscriber that completes tells us the first one's signals, if any, have had their chance
            Recorder after = new Recorder();
            pipeline.results().subscribe(after);
            assertThat(after.ended.await(30, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200); // not a timing assert: only gives wrongly sent signals a chance to show
            assertThat(signals).hasSize(1);
        }
    }
}
