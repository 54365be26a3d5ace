package io.sweetasync.review16;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.EventError;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README "Streaming pipelines": error strategies, retries, order, groups and adaptive receivers. */
@Timeout(60)
class Review16ReadmePipelineErrorsTest {

    // "A retried event's attempts share its collector: what a failed attempt collected stays (results at least
    // once ...; a collectError counts as an error even if the retry succeeds)"
    @Test
    void aRetriedEventKeepsWhatItsFailedAttemptCollectedAndItsCollectError() {
        Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            FinalEvent<String, Integer> done = orchestrator.emits(Integer.class).named("r16-retried")
                    .errorStrategy(ErrorStrategy.continueOnError().withRetry(
                            RetryPolicy.fixed(2, Duration.ofMillis(1))))
                    .sender(emitter -> emitter.emitAll(List.of(1, 2)))
                    .<String, Integer>receiver((event, collector) -> {
                        int attempt = attempts.computeIfAbsent(event.data(), k -> new AtomicInteger()).incrementAndGet();
                        if (attempt == 1) {
                            collector.collect("first-" + event.data(), event.data());
                            if (event.data() == 2) {
                                collector.collectError("noted-" + event.data(), new IllegalStateException("noted"));
                            }
                            throw new IllegalStateException("first attempt fails");
                        }
                        collector.collect("second-" + event.data(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(attempts.get(1)).hasValue(2);
            assertThat(attempts.get(2)).hasValue(2);
            assertThat(done.collected()).containsKeys("first-1", "second-1", "first-2", "second-2");
            assertThat(done.errors()).extracting(EventError::key).containsExactly("noted-2");
        }
    }

    // ".sequence() // collected() in emission order", with parallel receivers finishing out of order
    @Test
    void sequenceKeepsCollectedInEmissionOrderUnderParallelReceivers() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).named("r16-sequence")
                    .bufferSize(16).sequence()
                    .sender(emitter -> emitter.emitAll(IntStream.range(0, 500).boxed().toList()))
                    .<Integer, Integer>receiver(ReceiverStrategy.parallel(8), (event, collector) -> {
                        if (event.data() % 7 == 0) {
                            Thread.sleep(1);
                        }
                        collector.collect(499 - event.data(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(new ArrayList<>(done.collected().values()))
                    .isEqualTo(IntStream.range(0, 500).boxed().toList());
        }
    }

    // "group("pricing") puts each receive behind that group's adaptive limiter. A rejected permit (... a wait
    // beyond its maximum) is that event's error, a RejectedExecutionException naming the pipeline, event and
    // group: ... kept in errors() ...; the receiver goes on."
    @org.junit.jupiter.api.RepeatedTest(10)
    void aRejectedPermitIsThatEventsErrorNamingPipelineEventAndGroupAndTheReceiverGoesOn() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
                .group("r16-pricing", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
                        .withLimits(1, 1, 1).withQueueCapacity(0).withMaxWait(Duration.ZERO))
                .build()) {
            AtomicInteger received = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicInteger holder = new AtomicInteger(-1);
            var pipeline = orchestrator.emits(Integer.class).named("r16-grouped").group("r16-pricing")
                    .sender(emitter -> emitter.emitAll(IntStream.range(0, 6).boxed().toList()))
                    .<Integer, Integer>receiver(ReceiverStrategy.parallel(3), (event, collector) -> {
                        if (first.compareAndSet(false, true)) { // whichever receive got the only permit first
                            holder.set(event.data());
                            holding.countDown();
                            release.await();
                        }
                        received.incrementAndGet();
                        collector.collect(event.data(), event.data());
                    })
                    .run();
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
            // wait until every other event has been dealt with: rejected (no permit while the holder has it)
            for (int i = 0; i < 3000 && pipeline.progress().errors() < 5; i++) {
                Thread.sleep(10);
            }
            release.countDown();
            FinalEvent<Integer, Integer> done = pipeline.join();
            assertThat(done.errors()).hasSize(5);
            for (EventError<Integer> error : done.errors()) {
                assertThat(error.error()).isInstanceOf(RejectedExecutionException.class);
                assertThat(error.error().getMessage()).contains("r16-grouped", "r16-pricing",
                        "event " + error.sequence());
            }
            assertThat(done.collected()).containsOnlyKeys(holder.get());
            assertThat(received).hasValue(1);
        }
    }

    // "adaptive(MinMax.of(2, 16)) (workers follow backlog and latency)": never more receivers than the maximum
    @Test
    void adaptiveReceiversStayWithinTheirMaximum() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).named("r16-adaptive")
                    .bufferSize(64)
                    .sender(emitter -> emitter.emitAll(IntStream.range(0, 400).boxed().toList()))
                    .<Integer, Integer>receiver(ReceiverStrategy.adaptive(MinMax.of(2, 4)), (event, collector) -> {
                        int now = running.incrementAndGet();
                        most.accumulateAndGet(now, Math::max);
                        Thread.sleep(2);
                        running.decrementAndGet();
                        collector.collect(event.data(), event.data());
                    })
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(400);
            assertThat(most.get()).isBetween(1, 4);
        }
    }

    // "Names are checked at configuration (at most 91 characters ...), as are groups and runtimes."
    @Test
    void anUnknownRuntimeAndABadGroupAreRefusedAtConfiguration() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            Throwable runtime = org.assertj.core.api.Assertions.catchThrowable(
                    () -> orchestrator.emits(Integer.class).runtime("r16-no-such-runtime"));
            assertThat(runtime).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("r16-no-such-runtime");
            Throwable group = org.assertj.core.api.Assertions.catchThrowable(
                    () -> orchestrator.emits(Integer.class).group("g".repeat(1000)));
            assertThat(group).isInstanceOf(IllegalArgumentException.class);
            Throwable blank = org.assertj.core.api.Assertions.catchThrowable(
                    () -> orchestrator.emits(Integer.class).group(" "));
            assertThat(blank).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
