package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A pipeline whose receives go through a concurrency group: a rejected permit is that event's error. */
class PipelineGroupTest {

    private static final Duration CEILING = Duration.ofSeconds(30);

    /** One permit, no queue: a second receive while the first holds the permit is rejected at once. */
    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .group("one", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                    .withQueueCapacity(0))
            .group("impatient", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1)
                    .withMaxWait(Duration.ofMillis(1)))
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    private static List<Integer> numbers(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    /** Receives that block (holding the permit) until a receive of {@code group} has been rejected. */
    private Receiver<Integer, Integer, Integer> holdingThePermitUntilARejection(String group) {
        AtomicBoolean first = new AtomicBoolean(true);
        return (event, collector) -> {
            if (first.compareAndSet(true, false)) {
                await().atMost(CEILING).until(() -> orchestrator.limiter(group).snapshot().rejected() > 0);
            }
            collector.collect(event.data(), event.data());
        };
    }

    @Test
    void aRejectedPermitIsThatEventsErrorAndTheReceiverGoesOn() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).named("grouped").group("one")
                    .sequence()
                    .sender(emitter -> emitter.emitAll(numbers(3)))
                    .receiver(ReceiverStrategy.parallel(2), holdingThePermitUntilARejection("one"))
                    .awaitFinalEvent();
            assertThat(done.emitted()).isEqualTo(3);
            assertThat(done.received()).isEqualTo(3);
            assertThat(done.errors()).isNotEmpty().allSatisfy(error -> {
                assertThat(error.sequence()).isBetween(0L, 2L);
                assertThat(error.error()).isInstanceOf(RejectedExecutionException.class)
                        .hasMessageContaining("group 'one'").hasMessageContaining("grouped#");
            });
            assertThat(done.collected().size() + done.errors().size()).as("every event collected or in errors")
                    .isEqualTo(3);
        });
    }

    @Test
    void aPermitThatWaitedTooLongIsThatEventsErrorToo() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).group("impatient")
                    .sender(emitter -> emitter.emitAll(numbers(3)))
                    .receiver(ReceiverStrategy.parallel(2), holdingThePermitUntilARejection("impatient"))
                    .awaitFinalEvent();
            assertThat(done.received()).isEqualTo(3);
            assertThat(done.errors()).isNotEmpty().allSatisfy(error -> assertThat(error.error())
                    .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("waited longer than"));
            assertThat(done.collected().size() + done.errors().size()).isEqualTo(3);
        });
    }

    @Test
    void aRejectedPermitIsRetriedByTheErrorStrategy() {
        assertTimeoutPreemptively(CEILING, () -> {
            FinalEvent<Integer, Integer> done = orchestrator.emits(Integer.class).group("one")
                    .errorStrategy(ErrorStrategy.continueOnError().withRetry(RetryPolicy.fixed(1_000, Duration.ofMillis(1))))
                    .sender(emitter -> emitter.emitAll(numbers(3)))
                    .receiver(ReceiverStrategy.parallel(2), holdingThePermitUntilARejection("one"))
                    .awaitFinalEvent();
            assertThat(done.errors()).isEmpty();
            assertThat(done.collected()).hasSize(3);
            assertThat(orchestrator.limiter("one").snapshot().rejected()).isPositive();
        });
    }

    @Test
    void aRejectedPermitStopsAPipelineThatStopsOnTheFirstError() {
        assertTimeoutPreemptively(CEILING, () -> {
            EmittingTask<Integer, Integer> task = orchestrator.emits(Integer.class).group("one")
                    .errorStrategy(ErrorStrategy.stopOnFirst())
                    .sender(emitter -> emitter.emitAll(numbers(3)))
                    .receiver(ReceiverStrategy.parallel(2), holdingThePermitUntilARejection("one"))
                    .run();
            TaskResult<FinalEvent<Integer, Integer>> result = task.result();
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(((TaskResult.Err<?>) result).error()).isInstanceOf(TaskFailedException.class)
                    .hasCauseInstanceOf(RejectedExecutionException.class);
        });
    }

    /**
     * A receive that fails is no latency sample, as a task's failed attempt is not (README, "Concurrency groups"):
     * failures that come fast (a refused connection) read as a healthy downstream and raised the limit. Found:
     * every ended receive was {@code Permit.success()}, so one receive failing in no time took AIMD from 2 to 3.
     */
    @Test
    void aReceiveThatFailsFastDoesNotRaiseTheGroupsLimit() {
        try (TaskOrchestrator flaky = TaskOrchestrator.builder()
                .group("flaky", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.AIMD).withLimits(2, 1, 1000))
                .build()) {
            FinalEvent<Integer, Integer> done = flaky.emits(Integer.class).group("flaky")
                    .sender(emitter -> emitter.emitAll(numbers(1)))
                    .receiver(ReceiverStrategy.serial(), (event, collector) -> {
                        throw new IllegalStateException("connection refused");
                    })
                    .awaitFinalEvent();
            assertThat(done.errors()).as("the receive failed").hasSize(1);
            assertThat(flaky.limiter("flaky").inFlight()).as("permit given back").isZero();
            // AIMD adds one for any sample not dropped with inflight · 2 >= L: 1 · 2 >= 2
            assertThat(flaky.limiter("flaky").limit()).as("AIMD's limit after one receive that failed in no time")
                    .isEqualTo(2);
        }
    }

    /**
     * A receive that failed because something timed out is a drop, the overload signal, as for a task's attempt.
     * Found: it was a success sample, so a downstream timing out never lowered AIMD's limit.
     */
    @Test
    void aReceiveThatFailedBecauseSomethingTimedOutIsADrop() {
        try (TaskOrchestrator slow = TaskOrchestrator.builder()
                .group("slow", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.AIMD).withLimits(10, 1, 1000))
                .build()) {
            FinalEvent<Integer, Integer> done = slow.emits(Integer.class).group("slow")
                    .sender(emitter -> emitter.emitAll(numbers(1)))
                    .receiver(ReceiverStrategy.serial(), (event, collector) -> {
                        throw new SocketTimeoutException("read timed out");
                    })
                    .awaitFinalEvent();
            assertThat(done.errors()).as("the receive failed").hasSize(1);
            assertThat(slow.limiter("slow").inFlight()).as("permit given back").isZero();
            assertThat(slow.limiter("slow").limit()).as("AIMD's limit after a receive that timed out (10 · 0.9)")
                    .isEqualTo(9);
        }
    }
}
