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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
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
        await().atMost(Duration.ofSeconds(30)).until(() -> task.progress().emitted() == 17);
        Thread.sleep(200); // nothing may move while the receiver is stalled
        PipelineProgress held = task.progress();
        assertThat(held.emitted()).as("16 buffered + 1 in the receiver's hands").isEqualTo(17);
        assertThat(held.buffered()).isEqualTo(16);
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
        await().atMost(Duration.ofSeconds(30)).until(() -> task.progress().buffered() == 8);
        TaskInfo live = orchestrator.find(task.id()).orElseThrow();
        assertThat(live.name()).isEqualTo("import");
        assertThat(live.children()).extracting(TaskInfo::name)
                .containsExactlyInAnyOrder("import.sender", "import.receiver", "import.receiver");
        assertThat(live.progress()).containsEntry("buffered", 8L).containsEntry("emitted", 10L)
                .containsEntry("receivers", 2L);
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
