package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.ResourceTracking;
import io.sweetasync.ResourceValue;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile review of SPEC 1.5-1.7 and 1.10 (runtimes, deadlines, retries, figures): each test names the
 * promise it attacks and failed before the fix that came with it. Hangs are bounded by
 * assertTimeoutPreemptively; no timing assertions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RuntimeReviewTest {

    private static final Duration HANG = Duration.ofSeconds(20);

    private final TaskOrchestrator orchestrator = TaskOrchestrator.builder()
            .runtime(TaskRuntime.platform("spares", 2, Integer.MAX_VALUE))
            .runtime(TaskRuntime.single("lone"))
            .resourceTracking(ResourceTracking.MEASURE)
            .build();
    private final Latches latches = new Latches();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    /** P1: platform pool with unbounded spares runs on platform threads. */
    @Test
    void aPlatformRuntimeWithUnboundedSparesRunsOnPlatformThreads() {
        Boolean virtual = orchestrator.to(Boolean.class).runtime("spares").await(() -> Thread.currentThread().isVirtual());
        assertThat(virtual).isFalse();
    }

    /** P2: cancelled queued tasks leave the pool's queue. */
    @Test
    void cancelledQueuedTasksLeaveThePoolsQueue() {
        assertTimeoutPreemptively(HANG, () -> {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = latches.next();
            SpawningTask<Void> busy = orchestrator.to(Void.class).runtime("lone").run(() -> {
                started.countDown();
                release.await();
                return null;
            });
            started.await();
            List<SpawningTask<Integer>> queued = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                queued.add(orchestrator.to(Integer.class).runtime("lone").run(() -> 1));
            }
            queued.forEach(SpawningTask::cancel);
            assertThat(orchestrator.runtimes().get("lone").snapshot().queued()).isZero();
            release.countDown();
            busy.join();
        });
    }

    /** P20: MEASURED while an attempt still runs. */
    @Test
    void aMeasuredFigureIsNeverThePartialSumOfAnEarlierAttemptWhileAnotherRuns() {
        assertTimeoutPreemptively(HANG, () -> {
            CountDownLatch second = new CountDownLatch(1);
            CountDownLatch release = latches.next();
            AtomicInteger attempts = new AtomicInteger();
            SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime("spares")
                    .retry(RetryPolicy.fixed(1, Duration.ZERO)).run(() -> {
                        if (attempts.incrementAndGet() == 1) {
                            throw new IOException("first");
                        }
                        second.countDown();
                        release.await();
                        return 1;
                    });
            second.await();
            TaskMetrics mid = task.metrics();
            release.countDown();
            task.join();
            assertThat(mid.cpuTimeNanos().source()).isNotEqualTo(ResourceValue.Source.MEASURED);
        });
    }
}
