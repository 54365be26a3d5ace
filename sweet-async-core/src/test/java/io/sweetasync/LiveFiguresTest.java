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

    /**
     * A task queued behind another has no attempt yet: its figures are not final (it will be measured once it
     * runs), so PENDING with nothing known, not UNAVAILABLE; ended before it ran, they are UNAVAILABLE for good.
     */
    @Test
    void aQueuedTaskIsPendingUntilItRunsAndUnavailableIfItNeverDoes() {
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator one = TaskOrchestrator.builder().runtime(TaskRuntime.single("one"))
                    .resourceTracking(ResourceTracking.MEASURE).build();
                    TaskOrchestrator off = TaskOrchestrator.builder().runtime(TaskRuntime.single("one"))
                            .resourceTracking(ResourceTracking.OFF).build()) {
                for (TaskOrchestrator orchestrator : java.util.List.of(one, off)) {
                    CountDownLatch running = new CountDownLatch(1);
                    CountDownLatch release = new CountDownLatch(1);
                    SpawningTask<Integer> busy = orchestrator.to(Integer.class).runtime("one").run(() -> {
                        running.countDown();
                        release.await();
                        return 1;
                    });
                    running.await();
                    SpawningTask<Integer> queued = orchestrator.to(Integer.class).runtime("one").run(() -> 2);
                    SpawningTask<Integer> cancelled = orchestrator.to(Integer.class).runtime("one").run(() -> 3);
                    TaskMetrics waiting = queued.metrics();
                    TaskInfo snapshot = orchestrator.find(queued.id()).orElseThrow();
                    assertThat(cancelled.cancel()).isTrue();
                    release.countDown();
                    busy.join();
                    assertThat(queued.join()).isEqualTo(2);
                    ResourceValue expected = orchestrator == one ? ResourceValue.pending(0) : ResourceValue.unavailable();
                    assertThat(snapshot.status()).isEqualTo(TaskStatus.QUEUED);
                    assertThat(waiting.cpuTimeNanos()).as("a queued task's CPU").isEqualTo(expected);
                    assertThat(waiting.allocatedBytes()).isEqualTo(expected);
                    assertThat(snapshot.metrics().cpuTimeNanos()).as("its live snapshot's CPU").isEqualTo(expected);
                    assertThat(cancelled.metrics().cpuTimeNanos()).as("cancelled before it ran")
                            .isEqualTo(ResourceValue.unavailable());
                    assertThat(queued.metrics().cpuTimeNanos().isPending()).as("ran: final").isFalse();
                }
            }
        });
    }
}
