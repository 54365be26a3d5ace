package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sweetasync.Concurrency;
import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PipelineTest {

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .group("two", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(2, 1, 2))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    @Test
    void everyEventIsReceivedExactlyOnceUnderParallelReceivers() {
        int count = 100_000;
        AtomicIntegerArray seen = new AtomicIntegerArray(count);
        List<Integer> source = numbers(count); // one instance: parallel sender workers share its iterator
        FinalEvent<Long, Integer> done = orchestrator.emits(Integer.class)
                .bufferSize(64)
                .sender(SenderStrategy.parallel(MinMax.of(2, 4)), emitter -> emitter.emitAll(source))
                .receiver(ReceiverStrategy.parallel(8), (event, collector) -> {
                    seen.incrementAndGet(event.data());
                    collector.collect(event.sequence(), event.data());
                })
                .awaitFinalEvent();
        assertThat(done.emitted()).isEqualTo(count);
        assertThat(done.received()).isEqualTo(count);
        assertThat(done.collected()).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(seen.get(i)).as("element %d", i).isEqualTo(1);
        }
    }

    @Test
    void nullEventsAreReceivedAsNullWithTheirSequenceAndEmissionTime() {
        FinalEvent<Long, String> done = orchestrator.emits(String.class)
                .sequence()
                .sender(emitter -> {
                    emitter.emit(null);
                    emitter.emitAll(Arrays.asList("a", null, "b"));
                    emitter.emitAll(Stream.of((String) null));
                })
                .receiver(ReceiverStrategy.parallel(2), (event, collector) ->
                        collector.collect(event.sequence(), event.data() + "@" + (event.emittedAt() != null)))
                .awaitFinalEvent();
        assertThat(done.collected()).containsExactly(Map.entry(0L, "null@true"), Map.entry(1L, "a@true"),
                Map.entry(2L, "null@true"), Map.entry(3L, "b@true"), Map.entry(4L, "null@true"));
    }

    @Test
    void aSerialSenderStreamingInBatchesLosesAndRepeatsNothing() {
        int count = 200_000;
        AtomicIntegerArray seen = new AtomicIntegerArray(count);
        AtomicIntegerArray sequences = new AtomicIntegerArray(count);
        FinalEvent<Long, Integer> done = orchestrator.emits(Integer.class)
                .bufferSize(100)
                .sender(emitter -> emitter.emitAll(IntStream.range(0, count).boxed()))
                .receiver(ReceiverStrategy.parallel(4), (event, collector) -> {
                    seen.incrementAndGet(event.data());
                    sequences.incrementAndGet((int) event.sequence());
                })
                .awaitFinalEvent();
        assertThat(done.emitted()).isEqualTo(count);
        assertThat(done.received()).isEqualTo(count);
        for (int i = 0; i < count; i++) {
            assertThat(seen.get(i)).as("element %d", i).isEqualTo(1);
            assertThat(sequences.get(i)).as("sequence %d (dense, each once)", i).isEqualTo(1);
        }
    }

    @Test
    void eventsTakenInBatchesStillCountAgainstTheBuffer() throws Exception {
        int bufferSize = 32;
        int receivers = 4;
        CountDownLatch stall = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(bufferSize)
                .sender(emitter -> emitter.emitAll(IntStream.range(0, 100_000).boxed()))
                .receiver(ReceiverStrategy.parallel(receivers), (event, collector) -> {
                    if (event.data() >= 20_000) { // cheap events first, so receivers take batches; then stall
                        stall.await();
                    }
                    finished.incrementAndGet();
                })
                .run();
        await().atMost(Duration.ofSeconds(30)).until(() -> task.progress().emitted() > 20_000
                && task.progress().receivers() == receivers);
        Thread.sleep(300);
        long emitted = task.progress().emitted();
        assertThat(emitted - finished.get()).as("events in memory: the buffer plus one in each receiver's hands")
                .isLessThanOrEqualTo(bufferSize + receivers);
        Thread.sleep(200);
        assertThat(task.progress().emitted()).as("the sender is held").isEqualTo(emitted);
        stall.countDown();
        assertThat(task.join().received()).isEqualTo(100_000);
    }

    @Test
    void aSourceThatWaitsForItsOwnEventsIsNotHeldBackByBatching() {
        // past 1,000 fast events, each event is produced only once the previous one was received (a
        // crawler fed by its receivers): a sender that sat on a half-filled batch would wait forever
        Semaphore receivedPrevious = new Semaphore(0);
        Stream<Integer> source = IntStream.range(0, 1_030).boxed().map(i -> {
            if (i > 1_000) {
                try {
                    if (!receivedPrevious.tryAcquire(20, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("event " + (i - 1) + " was never delivered");
                    }
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
            }
            return i;
        });
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).bufferSize(1024)
                .sender(emitter -> emitter.emitAll(source))
                .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                    collector.collect(event.data(), event.data());
                    if (event.data() >= 1_000) {
                        receivedPrevious.release();
                    }
                })
                .awaitFinalEvent();
        assertThat(done.errors()).isEmpty();
        assertThat(done.collected()).hasSize(1_030);
    }

    @Test
    void sequenceKeepsEmissionOrderWhateverTheReceiversTiming() {
        FinalEvent<Integer, String> done = orchestrator.emits(Integer.class)
                .sequence()
                .sender(emitter -> emitter.emitAll(numbers(400)))
                .receiver(ReceiverStrategy.parallel(8), (event, collector) -> {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                    collector.collect(event.data(), "v" + event.data());
                })
                .awaitFinalEvent();
        assertThat(done.collected().keySet()).containsExactlyElementsOf(numbers(400));
    }

    @Test
    void peakConcurrencyNeverExceedsTheConfiguredWorkers() {
        Concurrency receivers = new Concurrency();
        Receiver<Integer, Integer, Integer> slow = (event, collector) -> {
            receivers.during(() -> Thread.sleep(1));
            collector.collect(event.data(), event.data());
        };
        orchestrator.emits(Integer.class).sender(emitter -> emitter.emitAll(numbers(400)))
                .receiver(ReceiverStrategy.parallel(4), slow).awaitFinalEvent();
        assertThat(receivers.peak()).isBetween(2, 4);

        receivers.reset();
        EmittingTask<Integer, Integer> adaptive = orchestrator.emits(Integer.class).bufferSize(512)
                .sender(emitter -> emitter.emitAll(numbers(3_000)))
                .receiver(ReceiverStrategy.adaptive(MinMax.of(2, 6)), slow).run();
        AtomicInteger mostWorkers = new AtomicInteger();
        while (!adaptive.isDone()) {
            mostWorkers.accumulateAndGet(adaptive.progress().receivers(), Math::max);
            Thread.onSpinWait();
        }
        assertThat(adaptive.join().received()).isEqualTo(3_000);
        assertThat(receivers.peak()).isLessThanOrEqualTo(6);
        assertThat(mostWorkers.get()).as("grew with the backlog").isBetween(3, 6);
    }

    /**
     * Adaptive receivers grow with the backlog also after the senders returned: a stream that fits in the
     * buffer was emitted before the first tick, and the backlog was drained by the minimum alone.
     */
    @Test
    void adaptiveReceiversGrowWithABacklogLeftWhenTheSendersReturned() {
        Concurrency receivers = new Concurrency();
        CountDownLatch sent = new CountDownLatch(1);
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(4_096)
                .sender(emitter -> {
                    emitter.emitAll(numbers(2_000));
                    sent.countDown();
                })
                .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 6)), (event, collector) -> {
                    sent.await(); // the whole stream is buffered before anything is received
                    receivers.during(() -> Thread.sleep(1));
                    collector.collect(event.data(), event.data());
                })
                .run();
        AtomicInteger mostWorkers = new AtomicInteger();
        while (!task.isDone()) {
            mostWorkers.accumulateAndGet(task.progress().receivers(), Math::max);
            Thread.onSpinWait();
        }
        assertThat(task.join().received()).isEqualTo(2_000);
        assertThat(mostWorkers.get()).as("grew with the backlog after the sender returned").isBetween(3, 6);
        assertThat(receivers.peak()).isLessThanOrEqualTo(6);
    }

    @Test
    void aStalledReceiverHoldsTheSenderWithinTheBuffer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).bufferSize(16)
                .sender(emitter -> emitter.emitAll(numbers(1_000)))
                .receiver((event, collector) -> {
                    release.await();
                    collector.collect(event.data(), event.data());
                })
                .run();
        // a blocked sender is woken once a quarter of the buffer is free, so it may stop a little short
        await().atMost(Duration.ofSeconds(30)).until(() -> task.progress().emitted() >= 13);
        Thread.sleep(200);
        PipelineProgress held = task.progress();
        assertThat(held.emitted()).as("at most 16 buffered + 1 in the receiver's hands").isBetween(13L, 17L);
        assertThat((long) held.buffered()).isEqualTo(held.emitted() - 1);
        Thread.sleep(200);
        assertThat(task.progress().emitted()).as("nothing moves while the receiver is stalled")
                .isEqualTo(held.emitted());
        release.countDown();
        assertThat(task.join().received()).isEqualTo(1_000);
    }

    @Test
    void anEmptySourceStillProducesTheFinalEventOnce() {
        AtomicInteger receives = new AtomicInteger();
        FinalEvent<Object, Object> done = orchestrator.emits(String.class)
                .sender(emitter -> { })
                .receiver(ReceiverStrategy.parallel(3), (event, collector) -> receives.incrementAndGet())
                .awaitFinalEvent();
        assertThat(done.emitted()).isZero();
        assertThat(done.received()).isZero();
        assertThat(done.collected()).isEmpty();
        assertThat(receives).hasValue(0);
    }

    @Test
    void errorsAreCollectedByDefaultAndStopThePipelineWhenAsked() {
        Receiver<Integer, Integer, Integer> failsOnTens = (event, collector) -> {
            if (event.data() % 10 == 0) {
                throw new IOException("bad row " + event.data());
            }
            collector.collect(event.data(), event.data());
        };
        FinalEvent<Integer, Integer> kept = orchestrator.emits(Integer.class).sequence()
                .sender(emitter -> emitter.emitAll(numbers(100)))
                .receiver(ReceiverStrategy.parallel(4), failsOnTens).awaitFinalEvent();
        assertThat(kept.received()).isEqualTo(100);
        assertThat(kept.collected()).hasSize(90);
        assertThat(kept.errors()).extracting(EventError::sequence)
                .containsExactly(0L, 10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L);

        EmittingTask<Integer, Integer> stopped = orchestrator.emits(Integer.class).named("strict")
                .errorStrategy(ErrorStrategy.stopOnFirst())
                .sender(emitter -> emitter.emitAll(numbers(100_000)))
                .receiver(ReceiverStrategy.parallel(4), failsOnTens).run();
        TaskResult<FinalEvent<Integer, Integer>> result = stopped.result();
        assertThat(result).isInstanceOf(TaskResult.Err.class);
        assertThat(((TaskResult.Err<?>) result).error()).isInstanceOf(TaskFailedException.class)
                .hasCauseInstanceOf(IOException.class);
        assertThat(stopped.progress().emitted()).as("the sender was stopped early").isLessThan(100_000);
        TaskInfo tree = orchestrator.find(stopped.id()).orElseThrow();
        assertThat(tree.children()).allSatisfy(worker -> assertThat(worker.status().isTerminal()).isTrue());
    }

    /**
     * Stop-on-first with a receiver that throws an {@link Error}: the pipeline fails as a task whose body threw
     * that error does, with the error itself as the cause (it was wrapped in an {@code ExecutionException}, so
     * {@code getCause()} of the pipeline's failure was not what the receiver threw).
     */
    @Test
    void anErrorThatStopsThePipelineIsItsFailuresCauseAsForATask() {
        AssertionError broken = new AssertionError("receiver is broken");
        EmittingTask<Integer, Integer> stopped = orchestrator.emits(Integer.class)
                .errorStrategy(ErrorStrategy.stopOnFirst())
                .sender(emitter -> emitter.emitAll(numbers(10)))
                .receiver((event, collector) -> {
                    throw broken;
                }).run();
        TaskResult<FinalEvent<Integer, Integer>> result = stopped.result();
        TaskResult<Object> task = orchestrator.to(Object.class).retry(io.sweetasync.RetryPolicy.none())
                .run(() -> {
                    throw broken;
                }).result();
        assertThat(((TaskResult.Err<?>) task).error()).isInstanceOf(TaskFailedException.class).hasCause(broken);
        assertThat(result).isInstanceOf(TaskResult.Err.class);
        assertThat(((TaskResult.Err<?>) result).error()).isInstanceOf(TaskFailedException.class).hasCause(broken);
    }

    @Test
    void eachEventIsRetriedBeforeItCountsAsAnError() {
        Map<Integer, AtomicInteger> attempts = new java.util.concurrent.ConcurrentHashMap<>();
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ZERO)))
                .sender(emitter -> emitter.emitAll(numbers(50)))
                .receiver(ReceiverStrategy.parallel(4), (event, collector) -> {
                    if (attempts.computeIfAbsent(event.data(), k -> new AtomicInteger()).incrementAndGet() < 3) {
                        throw new IOException("flaky");
                    }
                    collector.collect(event.data(), event.data());
                })
                .awaitFinalEvent();
        assertThat(done.errors()).isEmpty();
        assertThat(done.collected()).hasSize(50);
        assertThat(attempts.values()).allSatisfy(count -> assertThat(count).hasValue(3));
    }

    @Test
    void aFailingSenderIsRecordedAndWhatItEmittedIsStillReceived() {
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class)
                .sender(emitter -> {
                    for (int i = 0; i < 5; i++) {
                        emitter.emit(i);
                    }
                    throw new IOException("source broke");
                })
                .receiver((event, collector) -> collector.collect(event.data(), event.data()))
                .awaitFinalEvent();
        assertThat(done.received()).isEqualTo(5);
        assertThat(done.errors()).singleElement().satisfies(error -> {
            assertThat(error.sequence()).isEqualTo(-1);
            assertThat(error.error()).hasMessage("source broke");
        });
    }

    @Test
    void cancellingThePipelineStopsEveryWorkerAndEndsCancelled() throws Exception {
        CountDownLatch receiving = new CountDownLatch(1);
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("endless")
                .sender(emitter -> {
                    for (int i = 0;; i++) {
                        emitter.emit(i);
                    }
                })
                .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                    receiving.countDown();
                    Thread.sleep(1);
                })
                .run();
        receiving.await();
        task.cancel();
        assertThatThrownBy(task::join).isInstanceOf(TaskCancelledException.class);
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        TaskInfo tree = orchestrator.recent().stream().filter(info -> info.id().equals(task.id())).findFirst()
                .orElseThrow();
        assertThat(tree.children()).isNotEmpty()
                .allSatisfy(worker -> assertThat(worker.status()).isEqualTo(TaskStatus.CANCELLED));
        assertThat(orchestrator.liveCount()).isZero();
    }

    @Test
    void thePipelineIsATaskWithItsWorkersAsChildrenAndItsCountsInProgress() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).named("import").bufferSize(8)
                .sender(emitter -> emitter.emitAll(numbers(100)))
                .receiver(ReceiverStrategy.parallel(2), (event, collector) -> {
                    release.await();
                    collector.collect(event.data(), event.data());
                })
                .run();
        // both receivers hold one event, the buffer is (nearly: see aStalledReceiver...) full
        await().atMost(Duration.ofSeconds(30)).until(() -> task.progress().buffered() >= 6
                && task.progress().emitted() == task.progress().buffered() + 2);
        Thread.sleep(100);
        TaskInfo live = orchestrator.find(task.id()).orElseThrow();
        assertThat(live.name()).isEqualTo("import");
        assertThat(live.children()).extracting(TaskInfo::name)
                .containsExactlyInAnyOrder("import.sender", "import.receiver", "import.receiver");
        PipelineProgress held = task.progress();
        assertThat(live.progress()).containsEntry("buffered", (long) held.buffered())
                .containsEntry("emitted", held.buffered() + 2L).containsEntry("receivers", 2L);
        release.countDown();
        task.join();
        TaskInfo finished = orchestrator.find(task.id()).orElseThrow();
        assertThat(finished.progress()).containsEntry("emitted", 100L).containsEntry("received", 100L)
                .containsEntry("buffered", 0L);
    }

    @Test
    void batchedReceiversTakeSeveralEventsAtATime() {
        AtomicInteger inBatch = new AtomicInteger();
        FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).sequence().bufferSize(100)
                .sender(emitter -> emitter.emitAll(numbers(1_000)))
                .receiver(ReceiverStrategy.batched(50, Duration.ofMillis(20)), (event, collector) -> {
                    inBatch.incrementAndGet();
                    collector.collect(event.data(), event.data());
                })
                .awaitFinalEvent();
        assertThat(done.collected().keySet()).containsExactlyElementsOf(numbers(1_000));
        assertThat(inBatch).hasValue(1_000);
    }

    @Test
    void chunkingGroupsEventsIntoLists() {
        FinalEvent<Long, Integer> done = orchestrator.<List<Integer>>emits()
                .sequence()
                .sender(Sources.chunked(numbers(1_050), 100))
                .receiver((event, collector) -> collector.collect(event.sequence(), event.data().size()))
                .awaitFinalEvent();
        assertThat(done.collected().values()).containsExactly(100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 50);
    }

    @Test
    void aPipelineGroupBoundsConcurrentReceives() {
        Concurrency receives = new Concurrency();
        FinalEvent<Long, Long> done = orchestrator.emits(Long.class).group("two")
                .sender(emitter -> emitter.emitAll(LongStream.range(0, 300).boxed()))
                .receiver(ReceiverStrategy.parallel(8), (event, collector) -> {
                    receives.during(() -> Thread.sleep(1));
                    collector.collect(event.sequence(), event.data());
                })
                .awaitFinalEvent();
        assertThat(done.collected()).hasSize(300);
        assertThat(receives.peak()).isBetween(1, 2);
        assertThat(orchestrator.limiter("two").snapshot().accepted()).isEqualTo(300);
    }
}
