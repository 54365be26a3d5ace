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
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskListener;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.TaskClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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

    // ---- deadlines and retry timers of a task that ends while they are being armed ------------------

    /**
     * A clock whose scheduled actions are counted, and that can run a hook just before it schedules: the
     * interleaving "the task ends while its timer is being armed", made deterministic.
     */
    private static final class RecordingClock implements TaskClock {
        private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "recording-clock");
            thread.setDaemon(true);
            return thread;
        });
        private final List<ScheduledFuture<?>> scheduled = new CopyOnWriteArrayList<>();
        private volatile Duration hookDelay;
        private volatile Runnable hook;
        /** Run once by the first reading of the time on the thread of an action scheduled with hookDelay. */
        private volatile Runnable timeHook;
        private final ThreadLocal<Boolean> inHookedAction = ThreadLocal.withInitial(() -> false);
        private final AtomicLong ticks = new AtomicLong(System.nanoTime());

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public long nanoTime() {
            Runnable before = timeHook;
            if (before != null && inHookedAction.get()) {
                timeHook = null;
                before.run();
            }
            return ticks.get();
        }

        void advance(Duration by) {
            ticks.addAndGet(by.toNanos());
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            Runnable before = hook;
            if (before != null && delay.equals(hookDelay)) {
                hook = null;
                before.run();
            }
            boolean hooked = delay.equals(hookDelay);
            ScheduledFuture<?> future = scheduler.schedule(() -> {
                Thread.ofVirtual().start(() -> {
                    inHookedAction.set(hooked);
                    action.run();
                });
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
            scheduled.add(future);
            return () -> future.cancel(false);
        }

        /** Timers neither run nor cancelled: each holds its task until it fires. */
        long armed() {
            return scheduled.stream().filter(future -> !future.isDone()).count();
        }
    }

    /**
     * SPEC 1.9: "finished tasks leave the live registry: memory stays bounded". A task cancelled while its
     * submission arms its deadline (here by a listener in onQueued; in life by any thread, between the
     * status moving to QUEUED and the timer being armed) finished before the handle was stored, so finish()
     * had nothing to cancel: the deadline timer stayed armed, holding the finished task (and what its
     * fallback and listeners reach) for the whole timeout, an hour here.
     */
    @Test
    void aDeadlineArmedWhileItsTaskIsCancelledDoesNotOutliveTheTask() {
        RecordingClock clock = new RecordingClock();
        TaskOrchestrator timed = TaskOrchestrator.builder().clock(clock).build();
        try {
            timed.addListener(new TaskListener() {
                @Override
                public void onQueued(TaskInfo task) {
                    timed.cancel(task.id());
                }
            });
            SpawningTask<Integer> task = timed.to(Integer.class).timeout(Duration.ofHours(1)).run(() -> 1);
            assertTimeoutPreemptively(HANG, task::result);
            assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(clock.armed()).isZero();
        }
        finally {
            timed.close();
            clock.scheduler.shutdownNow();
        }
    }

    /**
     * As above for the back-off: a cancel that lands while a failed attempt arms its retry timer (after the
     * attempt checked for a stop, before the handle is stored) ended the idle body and found no handle to
     * cancel; the retry timer then held the finished task for the whole delay.
     */
    @Test
    void aRetryTimerArmedWhileItsTaskIsCancelledDoesNotOutliveTheTask() {
        RecordingClock clock = new RecordingClock();
        TaskOrchestrator timed = TaskOrchestrator.builder().clock(clock).build();
        try {
            AtomicReference<SpawningTask<Integer>> handle = new AtomicReference<>();
            CountDownLatch handed = new CountDownLatch(1);
            Duration backoff = Duration.ofHours(1);
            clock.hookDelay = backoff;
            clock.hook = () -> handle.get().cancel();
            SpawningTask<Integer> task = timed.to(Integer.class).retry(RetryPolicy.fixed(1, backoff)).run(() -> {
                handed.await();
                throw new IOException("first attempt fails");
            });
            handle.set(task);
            handed.countDown();
            assertTimeoutPreemptively(HANG, task::result);
            assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(clock.armed()).isZero();
        }
        finally {
            timed.close();
            clock.scheduler.shutdownNow();
        }
    }

    /**
     * TaskMetrics#queueWait: "time spent QUEUED", exact once the task is terminal. A cancel landing as a
     * retry is re-queued (after the back-off, between the resubmission's check for a stop and its noting
     * of the queue time) finished the task first, adding no wait; the resubmission then marked it waiting,
     * and nothing ever ended that wait: the finished task's queue wait grew with the clock, for ever.
     */
    @Test
    void aTaskCancelledAsItsRetryIsQueuedKeepsItsFinalQueueWait() {
        RecordingClock clock = new RecordingClock();
        TaskOrchestrator timed = TaskOrchestrator.builder().clock(clock).build();
        try {
            AtomicReference<SpawningTask<Integer>> handle = new AtomicReference<>();
            CountDownLatch handed = new CountDownLatch(1);
            Duration backoff = Duration.ofMillis(1);
            clock.hookDelay = backoff;
            clock.timeHook = () -> handle.get().cancel();
            SpawningTask<Integer> task = timed.to(Integer.class).retry(RetryPolicy.fixed(1, backoff)).run(() -> {
                handed.await();
                throw new IOException("first attempt fails");
            });
            handle.set(task);
            handed.countDown();
            assertTimeoutPreemptively(HANG, task::result);
            assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
            Duration atEnd = task.metrics().queueWait();
            clock.advance(Duration.ofHours(1));
            assertThat(task.metrics().queueWait()).isEqualTo(atEnd);
        }
        finally {
            timed.close();
            clock.scheduler.shutdownNow();
        }
    }
}
