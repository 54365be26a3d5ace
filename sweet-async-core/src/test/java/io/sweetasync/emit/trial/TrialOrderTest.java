package io.sweetasync.emit.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.EventError;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Trial (SPEC 2): errors() order under sequence(), and batched receives meeting a full group. */
class TrialOrderTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .group("full", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                    .withQueueCapacity(0))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    /** "collected() and errors() in emission order, whatever the receivers' timing": thrown and collected errors mixed. */
    @RepeatedTest(10)
    void errorsAreInEmissionOrderUnderSequence() {
        assertTimeoutPreemptively(CEILING, () -> {
            List<Integer> source = IntStream.range(0, 120).boxed().toList();
            FinalEvent<Long, Integer> done = orchestrator.emits(Integer.class).sequence().bufferSize(8)
                    .sender(SenderStrategy.parallel(MinMax.of(2, 2)), emitter -> emitter.emitAll(source))
                    .receiver(ReceiverStrategy.parallel(4), (event, collector) -> {
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(200_000));
                        if (event.sequence() % 3 == 0) {
                            collector.collectError(event.sequence(), new IllegalStateException("collected"));
                        }
                        else if (event.sequence() % 3 == 1) {
                            throw new IllegalStateException("thrown");
                        }
                        collector.collect(event.sequence(), event.data());
                    })
                    .awaitFinalEvent();
            List<Long> order = done.errors().stream().map(EventError::sequence).toList();
            List<Long> sorted = new ArrayList<>(order);
            sorted.sort(null);
            assertThat(order).hasSize(80).isEqualTo(sorted);
            List<Long> keys = new ArrayList<>(done.collected().keySet());
            List<Long> sortedKeys = new ArrayList<>(keys);
            sortedKeys.sort(null);
            assertThat(keys).hasSize(80).isEqualTo(sortedKeys);
        });
    }

    /** Batched receives while another task holds the group's only permit: each retried rejection ends as that event's error. */
    @Test
    void batchedReceivesMeetingAFullGroupAreRetriedThenErrors() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        var holder = orchestrator.to(Integer.class).group("full").run(() -> {
            holding.countDown();
            release.await();
            return 1;
        });
        try {
            holding.await();
            assertTimeoutPreemptively(CEILING, () -> {
                FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).group("full")
                        .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(2, Duration.ofMillis(1))))
                        .sender(emitter -> emitter.emitAll(IntStream.range(0, 12).boxed().toList()))
                        .receiver(ReceiverStrategy.batched(5, Duration.ofMillis(1)),
                                (event, collector) -> collector.collect(event.data(), event.data()))
                        .awaitFinalEvent();
                assertThat(done.received()).isEqualTo(12);
                assertThat(done.errors()).hasSize(12).allSatisfy(e ->
                        assertThat(e.error()).isInstanceOf(RejectedExecutionException.class));
                assertThat(orchestrator.limiter("full").inFlight()).isEqualTo(1);
                assertThatThrownBy(() -> orchestrator.emits(Integer.class).group("full")
                        .errorStrategy(ErrorStrategy.stopOnFirst().withRetry(RetryPolicy.fixed(1, Duration.ofMillis(1))))
                        .sender(emitter -> emitter.emitAll(IntStream.range(0, 12).boxed().toList()))
                        .receiver(ReceiverStrategy.batched(5, Duration.ofMillis(1)),
                                (event, collector) -> collector.collect(event.data(), event.data()))
                        .awaitFinalEvent()).isInstanceOf(TaskFailedException.class)
                        .hasRootCauseInstanceOf(RejectedExecutionException.class);
            });
        }
        finally {
            release.countDown();
        }
        holder.join();
        assertThat(orchestrator.limiter("full").inFlight()).isZero();
    }
}
