package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskContext;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskTimeoutException;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.PipelineProgress;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Trial (SPEC 2): what progress() says during and after a run, where subscribers are signalled, sharing across pipelines. */
class TrialProgressTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    /** Polled all along a run: received <= emitted, 0 <= buffered <= bufferSize, worker counts within their ranges. */
    @RepeatedTest(5)
    void progressStaysConsistentWhileItRuns() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<String> breaches = new CopyOnWriteArrayList<>();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicReference<EmittingTask<Integer, Integer>> ref = new AtomicReference<>();
            CountDownLatch known = new CountDownLatch(1);
            Thread monitor = Thread.ofPlatform().start(() -> {
                try {
                    known.await();
                }
                catch (InterruptedException e) {
                    return;
                }
                while (running.get()) {
                    PipelineProgress p = ref.get().progress();
                    if (p.received() > p.emitted() || p.buffered() < 0 || p.buffered() > 8 || p.senders() < 0
                            || p.senders() > 3 || p.receivers() < 0 || p.receivers() > 4 || p.errors() < 0) {
                        breaches.add(p.toString());
                    }
                }
            });
            List<Integer> source = numbers(3000);
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(8)
                    .sender(SenderStrategy.parallel(MinMax.of(1, 3)), emitter -> emitter.emitAll(source))
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 4)), (event, collector) -> {
                        if (event.data() % 100 == 0) {
                            throw new IllegalStateException("x");
                        }
                    })
                    .run();
            ref.set(task);
            known.countDown();
            FinalEvent<Integer, Integer> done = task.join();
            running.set(false);
            monitor.join();
            assertThat(breaches).isEmpty();
            assertThat(done.errors()).hasSize(30);
            PipelineProgress after = task.progress();
            assertThat(after.emitted()).isEqualTo(3000);
            assertThat(after.received()).isEqualTo(3000);
            assertThat(after.errors()).isEqualTo(30);
            assertThat(after.buffered()).isZero();
            assertThat(after.senders()).as("senders active after the end").isZero();
            assertThat(after.receivers()).as("receivers active after the end").isZero();
        });
    }

    /** After a cancel or a timeout, once join() returned: no worker counts as active, nothing as buffered. */
    @ParameterizedTest
    @ValueSource(strings = { "cancel", "timeout" })
    void progressAfterAStopShowsNoWorkerActive(String how) {
        assertTimeoutPreemptively(CEILING, () -> {
            CountDownLatch some = new CountDownLatch(10);
            var builder = orchestrator.emits(Integer.class).bufferSize(16);
            if (how.equals("timeout")) {
                builder = builder.timeout(Duration.ofMillis(300));
            }
            EmittingTask<Integer, Integer> task = builder
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> {
                        for (int i = 0; ; i++) {
                            emitter.emit(i);
                        }
                    })
                    .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 3)), (event, collector) -> {
                        some.countDown();
                        Thread.sleep(2);
                    })
                    .run();
            some.await();
            if (how.equals("cancel")) {
                task.cancel();
            }
            assertThatThrownBy(task::join).isInstanceOfAny(TaskCancelledException.class, TaskTimeoutException.class);
            PipelineProgress after = task.progress();
            assertThat(after.senders()).as(after.toString()).isZero();
            assertThat(after.receivers()).as(after.toString()).isZero();
            assertThat(after.buffered()).as(after.toString()).isZero();
            assertThat(after.received()).isLessThanOrEqualTo(after.emitted());
        });
    }

    /** "Subscribers are signalled ... on a virtual thread of their own (never on the pipeline's workers)": no task context there, and joining the pipeline from onNext works. */
    @Test
    void subscribersAreSignalledOutsideTheWorkersAndMayJoinThePipeline() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<String> seen = new CopyOnWriteArrayList<>();
            CountDownLatch end = new CountDownLatch(1);
            AtomicReference<Integer> joined = new AtomicReference<>();
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emitAll(numbers(5)))
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            task.results().subscribe(new Flow.Subscriber<Map.Entry<Integer, Integer>>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Map.Entry<Integer, Integer> item) {
                    seen.add(Thread.currentThread().isVirtual() + "/" + TaskContext.current().isPresent());
                    if (item.getKey() == 0) {
                        joined.set(task.join().collected().size());
                    }
                }

                @Override
                public void onError(Throwable throwable) {
                    end.countDown();
                }

                @Override
                public void onComplete() {
                    end.countDown();
                }
            });
            end.await();
            assertThat(seen).hasSize(5).containsOnly("true/false");
            assertThat(joined.get()).isEqualTo(5);
        });
    }

    /** One list instance given to the parallel senders of two pipelines at once: each pipeline emits all of it. */
    @RepeatedTest(5)
    void sharingIsPerPipeline() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<Integer> common = numbers(300);
            EmittingTask<Integer, Integer> a = orchestrator.emits(Integer.class).bufferSize(4)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> emitter.emitAll(common))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            EmittingTask<Integer, Integer> b = orchestrator.emits(Integer.class).bufferSize(4)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> emitter.emitAll(common))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            assertThat(a.join().emitted()).isEqualTo(300);
            assertThat(b.join().emitted()).isEqualTo(300);
            assertThat(a.join().collected()).hasSize(300);
            assertThat(b.join().collected()).hasSize(300);
        });
    }

    /** chain() on a pipeline's handle sees its final event. */
    @Test
    void aChainedTaskSeesTheFinalEvent() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class)
                    .sender(emitter -> emitter.emitAll(numbers(7)))
                    .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                    .run();
            assertThat(task.chain(done -> done.collected().size()).join()).isEqualTo(7);
        });
    }
}
