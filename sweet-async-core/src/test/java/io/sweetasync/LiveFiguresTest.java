package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The figures of a task whose body may still run (SPEC 1.10 "never report a placeholder as a measurement";
 * {@link ResourceValue.Source}: {@code MEASURED} is final, {@code UNAVAILABLE} "not obtained", {@code PENDING}
 * "not final yet, the amount is what is known so far"). A live task between a retry's attempts read
 * {@code MEASURED} with the first attempt's amount, a figure its next attempt would change; a live task's running
 * attempt under {@code MEASURE} read {@code UNAVAILABLE}, a figure that was about to be obtained. Both are
 * {@code PENDING} with what is known so far, and final once the task is.
 */
class LiveFiguresTest {

    private static final Duration HANG = Duration.ofSeconds(60);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .resourceTracking(ResourceTracking.MEASURE)
            .build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    @Test
    void betweenAttemptsTheSumSoFarIsPendingAndTurnsMeasuredOnceTheTaskEnds() {
        Work.assumeCounters();
        assertTimeoutPreemptively(HANG, () -> {
            AtomicLong firstCpu = new AtomicLong();
            CountDownLatch firstEnded = new CountDownLatch(1);
            CountDownLatch finished = new CountDownLatch(1);
            orchestrator.addListener(new TaskListener() {
                @Override
                public void onRetrying(TaskInfo task, Throwable error, Duration delay) {
                    firstEnded.countDown();
                }

                @Override
                public void onFinished(TaskInfo task) {
                    finished.countDown();
                }
            });
            // the retry waits an hour: the task sits between its attempts until it is cancelled
            SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime("platform")
                    .retry(RetryPolicy.fixed(1, Duration.ofHours(1))).run(() -> {
                        firstCpu.set(Work.spinCpu(20_000_000L));
                        throw new IOException("first attempt");
                    });
            firstEnded.await();
            TaskMetrics between = task.metrics();
            assertThat(task.status().isTerminal()).isFalse();
            assertThat(between.cpuTimeNanos().source()).as("CPU between attempts: %s", between.cpuTimeNanos())
                    .isEqualTo(ResourceValue.Source.PENDING);
            assertThat(between.cpuTimeNanos().amount()).as("what is known so far: the first attempt's CPU")
                    .isGreaterThanOrEqualTo(firstCpu.get());
            assertThat(between.allocatedBytes().source()).isEqualTo(ResourceValue.Source.PENDING);
            assertThat(orchestrator.find(task.id()).orElseThrow().metrics().cpuTimeNanos().source())
                    .as("the live snapshot agrees").isEqualTo(ResourceValue.Source.PENDING);

            assertThat(task.cancel()).isTrue();
            finished.await(); // a cancel landing while onRetrying listeners run ends the task once they return
            ResourceValue end = task.metrics().cpuTimeNanos();
            assertThat(end.source()).as("CPU once cancelled: no attempt can add to it: %s", end)
                    .isEqualTo(ResourceValue.Source.MEASURED);
            assertThat(end.amount()).isGreaterThanOrEqualTo(firstCpu.get());
        });
    }

    @Test
    void aRunningAttemptOnAPlatformThreadIsPendingNotUnavailable() {
        Work.assumeCounters();
        assertTimeoutPreemptively(HANG, () -> {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Long> task = orchestrator.to(Long.class).runtime("platform").run(() -> {
                running.countDown();
                release.await();
                return Work.spinCpu(1_000_000L);
            });
            running.await();
            TaskMetrics during = task.metrics();
            release.countDown();
            long burnt = task.join();
            assertThat(during.cpuTimeNanos().source()).as("CPU during the attempt: %s", during.cpuTimeNanos())
                    .isEqualTo(ResourceValue.Source.PENDING);
            assertThat(during.allocatedBytes().source()).isEqualTo(ResourceValue.Source.PENDING);
            ResourceValue end = task.metrics().cpuTimeNanos();
            assertThat(end.source()).isEqualTo(ResourceValue.Source.MEASURED);
            assertThat(end.amount()).isGreaterThanOrEqualTo(burnt);
        });
    }

    /** On a virtual thread the counters are the carrier's: without sampling the figure can never be obtained. */
    @Test
    void aRunningAttemptOnAVirtualThreadWithoutSamplingIsUnavailableAtOnce() {
        assertTimeoutPreemptively(HANG, () -> {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime("virtual").run(() -> {
                running.countDown();
                release.await();
                return 1;
            });
            running.await();
            TaskMetrics during = task.metrics();
            release.countDown();
            task.join();
            assertThat(during.cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
            assertThat(task.metrics().cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.UNAVAILABLE);
        });
    }

    /** A retried task's figures, read from inside each attempt, never claim to be final. */
    @Test
    void figuresReadByTheTaskItselfAreNeverFinal() {
        Work.assumeCounters();
        assertTimeoutPreemptively(HANG, () -> {
            AtomicInteger attempts = new AtomicInteger();
            java.util.List<ResourceValue> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime("platform")
                    .retry(RetryPolicy.fixed(2, Duration.ZERO)).run(() -> {
                        Work.spinCpu(1_000_000L);
                        seen.add(orchestrator.find(TaskContext.current().orElseThrow().id()).orElseThrow()
                                .metrics().cpuTimeNanos());
                        if (attempts.incrementAndGet() < 3) {
                            throw new IOException("attempt " + attempts.get());
                        }
                        return attempts.get();
                    });
            assertThat(task.join()).isEqualTo(3);
            assertThat(seen).hasSize(3).allSatisfy(v -> assertThat(v.source()).isEqualTo(ResourceValue.Source.PENDING));
            assertThat(seen.get(2).amount()).as("what is known in the third attempt: the first two's CPU")
                    .isGreaterThanOrEqualTo(seen.get(1).amount()).isPositive();
            assertThat(task.metrics().cpuTimeNanos().source()).isEqualTo(ResourceValue.Source.MEASURED);
        });
    }
}
