package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.management.ThreadMXBean;
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
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.TaskClock;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
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
            .runtime(TaskRuntime.platform("pool", 2))
            .resourceTracking(ResourceTracking.MEASURE)
            .build();
    private final Latches latches = new Latches();

    @AfterEach
    void tearDown() {
        latches.releaseAll();
        orchestrator.close();
    }

    // ---- 1.7: pooled runtimes ------------------------------------------------------------------------

    /**
     * TaskRuntime.platform(name, threads, maxSpareThreads): "a fixed pool of platform threads", spares
     * "platform threads up to parallelism + maxSpareThreads, virtual threads beyond". Integer.MAX_VALUE (no
     * bound on platform spares) overflowed size + maxSpares to a negative number: every worker, the pool's
     * own included, was a virtual thread (so no task on it was ever MEASURED either).
     */
    @Test
    void aPlatformRuntimeWithUnboundedSparesRunsOnPlatformThreads() {
        Boolean virtual = orchestrator.to(Boolean.class).runtime("spares").await(() -> Thread.currentThread().isVirtual());
        assertThat(virtual).isFalse();
    }

    /**
     * RuntimeSnapshot#queued ("attempts queued for a slot") and SPEC 1.9 ("memory stays bounded however many
     * tasks run"): tasks cancelled (or timed out) while queued behind a busy SINGLE runtime stayed in its
     * queue, counted as queued and holding their tasks, until its thread came by to skip them: a service that
     * submits and cancels while one long body runs grew the queue without bound.
     */
    @Test
    void tasksCancelledWhileQueuedOnABusyRuntimeLeaveItsQueue() {
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

    // ---- 1.10: figures --------------------------------------------------------------------------------

    /**
     * ResourceValue.Source#MEASURED: "exact per-thread counters", TaskMetrics "summed over its attempts", and
     * "never report a placeholder as a measurement". While a retried task's second attempt ran, its CPU and
     * allocation said MEASURED with the first attempt's amounts alone; so did a runaway's snapshot at its deadline.
     * A live task's figures are PENDING with what is known so far (the ended attempts' sum), MEASURED once it ended.
     */
    @Test
    void aMeasuredFigureIsNeverThePartialSumOfAnEarlierAttemptWhileAnotherRuns() {
        assertTimeoutPreemptively(HANG, () -> {
            CountDownLatch second = new CountDownLatch(1);
            CountDownLatch release = latches.next();
            AtomicInteger attempts = new AtomicInteger();
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            Assumptions.assumeTrue(threads.isThreadCpuTimeEnabled() && threads.isThreadAllocatedMemoryEnabled(),
                    "thread CPU and allocation counters");
            SpawningTask<Integer> task = orchestrator.to(Integer.class).runtime("pool")
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
            assertThat(mid.cpuTimeNanos().source()).as("CPU during the second attempt: %s", mid.cpuTimeNanos())
                    .isEqualTo(ResourceValue.Source.PENDING);
            assertThat(mid.allocatedBytes().source()).isEqualTo(ResourceValue.Source.PENDING);
            ResourceValue end = task.metrics().cpuTimeNanos();
            assertThat(end.source()).isEqualTo(ResourceValue.Source.MEASURED);
            assertThat(end.amount()).as("both attempts' CPU, at least what was known during the second")
                    .isGreaterThanOrEqualTo(mid.cpuTimeNanos().amount());
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
        /** Run once when the engine cancels an action scheduled with hookDelay. */
        private volatile Runnable cancelHook;
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
            return () -> {
                Runnable onCancel = cancelHook;
                if (onCancel != null && hooked) {
                    cancelHook = null;
                    onCancel.run();
                }
                future.cancel(false);
            };
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
        assertTheTimerDoesNotOutliveItsCancelledTask(new RecordingClock(), timed -> {
            timed.addListener(new TaskListener() {
                @Override
                public void onQueued(TaskInfo task) {
                    timed.cancel(task.id());
                }
            });
            return timed.to(Integer.class).timeout(Duration.ofHours(1)).run(() -> 1);
        });
    }

    /**
     * As above for the back-off: a cancel that lands while a failed attempt arms its retry timer (after the
     * attempt checked for a stop, before the handle is stored) ended the idle body and found no handle to
     * cancel; the retry timer then held the finished task for the whole delay.
     */
    @Test
    void aRetryTimerArmedWhileItsTaskIsCancelledDoesNotOutliveTheTask() {
        RecordingClock clock = new RecordingClock();
        AtomicReference<SpawningTask<Integer>> handle = new AtomicReference<>();
        Duration backoff = Duration.ofHours(1);
        clock.hookDelay = backoff;
        clock.hook = () -> handle.get().cancel();
        assertTheTimerDoesNotOutliveItsCancelledTask(clock, timed -> {
            CountDownLatch handed = new CountDownLatch(1);
            SpawningTask<Integer> task = timed.to(Integer.class).retry(RetryPolicy.fixed(1, backoff)).run(() -> {
                handed.await();
                throw new IOException("first attempt fails");
            });
            handle.set(task);
            handed.countDown();
            return task;
        });
    }

    /** Runs the task {@code start} makes on an orchestrator with {@code clock}; it must end cancelled, no timer left. */
    private static void assertTheTimerDoesNotOutliveItsCancelledTask(RecordingClock clock,
            Function<TaskOrchestrator, SpawningTask<Integer>> start) {
        TaskOrchestrator timed = TaskOrchestrator.builder().clock(clock).build();
        try {
            SpawningTask<Integer> task = start.apply(timed);
            assertTimeoutPreemptively(HANG, task::result);
            assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
            // A cancel in a hook may end the task on the thread arming the timer, which can release result()
            // before that thread returns and cancels the timer: "does not outlive" is awaited, not read at once.
            await().alias("the timer cancelled").atMost(HANG).until(() -> clock.armed() == 0);
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

    /**
     * Task groups (SPEC 3) and cancel: a cancelled task gives its permit back. A cancel landing as the limiter
     * hands a freed permit to the task (granted under the limiter's lock, its callback not yet run; here as the
     * limiter cancels the request's maxWait timer) found no permit to return and a request no longer waiting;
     * the callback then stored the permit and queued the dead task on its runtime. On a busy SINGLE runtime
     * the group's only permit stayed with the cancelled task until the runtime's thread came by to skip it,
     * and every other task of the group waited (or expired) meanwhile.
     */
    @Test
    void aTaskCancelledAsItIsGrantedItsPermitGivesThePermitBackAtOnce() {
        RecordingClock clock = new RecordingClock();
        Duration maxWait = Duration.ofHours(1);
        TaskOrchestrator grouped = TaskOrchestrator.builder().clock(clock).runtime(TaskRuntime.single("lone"))
                .group("g", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 100, maxWait)).build();
        try {
            assertTimeoutPreemptively(HANG, () -> {
                CountDownLatch holding = new CountDownLatch(1);
                CountDownLatch releaseHolder = latches.next();
                CountDownLatch busy = new CountDownLatch(1);
                CountDownLatch releaseBusy = latches.next();
                SpawningTask<Void> holder = grouped.to(Void.class).group("g").run(() -> {
                    holding.countDown();
                    releaseHolder.await();
                    return null;
                });
                holding.await();
                SpawningTask<Void> blocker = grouped.to(Void.class).runtime("lone").run(() -> {
                    busy.countDown();
                    releaseBusy.await();
                    return null;
                });
                busy.await();
                clock.hookDelay = maxWait;
                SpawningTask<Integer> waiting = grouped.to(Integer.class).group("g").runtime("lone").run(() -> 1);
                clock.cancelHook = waiting::cancel;
                releaseHolder.countDown();
                holder.join();
                assertThat(waiting.result().isOk()).isFalse();
                assertThat(waiting.status()).isEqualTo(TaskStatus.CANCELLED);
                assertThat(grouped.limiter("g").inFlight()).isZero();
                releaseBusy.countDown();
                blocker.join();
            });
        }
        finally {
            grouped.close();
            clock.scheduler.shutdownNow();
        }
    }
}
