package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.ManualClock;
import io.sweetasync.RefusingClock;
import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A review of the concurrency limits (SPEC 3) and the resource figures (SPEC 1.10) for what earlier reviews
 * left: a clock that fails the limiter's wait with an {@link Error}, figures read while an attempt or a wait ends.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LimitsAndFiguresReviewTest {

    private static final Duration HANG = Duration.ofSeconds(30);
    private static final LimiterConfig ONE = new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(30));

    private static OutOfMemoryError noThread() {
        return new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
    }

    /**
     * {@link ConcurrencyLimiter#acquire}: "exactly one of the callbacks runs once", {@code SHUTDOWN} "when waits
     * can no longer be timed". A clock whose {@code schedule} fails with an {@link Error} (no thread could be
     * made) went past the handling of a RuntimeException: acquire threw, and the request, never returned to be
     * cancelled, stayed queued without an expiry, to be granted later to a caller who had seen it fail.
     */
    @Test
    void aWaitTheClockCannotTimeWithAnErrorIsRejectedNotLeftQueued() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("g", ONE, new RefusingClock(LimitsAndFiguresReviewTest::noThread));
        ConcurrencyLimiter.Permit held = limiter.tryAcquire().orElseThrow();
        List<Object> outcomes = new ArrayList<>();
        Throwable thrown = null;
        try {
            limiter.acquire(TaskPriority.NORMAL, outcomes::add, outcomes::add);
        }
        catch (Error ex) {
            thrown = ex;
        }
        assertThat(limiter.queued()).as("requests left waiting with no expiry (acquire threw %s)", thrown).isZero();
        held.success();
        assertThat(limiter.inFlight()).as("a permit granted to a request whose acquire threw").isZero();
        assertThat(outcomes).as("callbacks, acquire having thrown %s", thrown).hasSize(thrown == null ? 1 : 0);
        if (thrown == null) {
            assertThat(outcomes.getFirst()).isInstanceOfSatisfying(ConcurrencyLimiter.Rejection.class, rejection -> {
                assertThat(rejection.reason()).isEqualTo(RejectionReason.SHUTDOWN);
                assertThat(rejection.message()).contains("group 'g'").contains("unable to create native thread");
            });
        }
    }

    /**
     * The same through a task: a task of a group at its limit, on an orchestrator whose clock fails with an Error,
     * ends (rejected) rather than staying QUEUED for ever, as a deadline or retry the clock cannot schedule does
     * ({@code CoreReviewTest.aClockThatCannotScheduleWithAnErrorEndsTheTask}).
     */
    @Test
    void aTaskWhosePermitWaitCannotBeTimedEnds() throws Exception {
        try (TaskOrchestrator own = TaskOrchestrator.builder().clock(new RefusingClock(LimitsAndFiguresReviewTest::noThread))
                .group("one", ONE).build()) {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SpawningTask<String> holder = own.to(String.class).group("one").runtime("platform").run(() -> {
                holding.countDown();
                release.await();
                return "held";
            });
            holding.await();
            AtomicBoolean ran = new AtomicBoolean();
            SpawningTask<String> waiter = null;
            try {
                waiter = own.to(String.class).group("one").run(() -> {
                    ran.set(true);
                    return "ran";
                });
            }
            catch (OutOfMemoryError thrownByRun) {
                // run() may say so; then nothing of the task may be left to run
            }
            assertThat(own.limiter("one").queued()).as("requests left waiting with no expiry").isZero();
            SpawningTask<String> second = waiter;
            if (second != null) {
                TaskResult<String> result = assertTimeoutPreemptively(HANG, second::result,
                        () -> "the task whose wait for a permit could not be timed was stranded");
                assertThat(result.isOk()).as("%s", result).isFalse();
            }
            release.countDown();
            assertThat(holder.join()).isEqualTo("held");
            assertThat(own.liveCount()).isZero();
            assertThat(own.limiter("one").queued()).isZero();
            assertThat(own.limiter("one").inFlight()).isZero();
            assertThat(ran).as("the body of a task whose run() threw, or that ended rejected").isFalse();
        }
    }

    /**
     * {@link TaskMetrics#runTime()}: "time the body ran, summed over attempts". An attempt's end wrote the run
     * time and then cleared the running attempt's start: a snapshot between the two counted the attempt twice
     * (a body that ran 1 s on the manual clock read 2 s, then 1 s). A reader spins on the figures of tasks that
     * each run exactly 1 s; none may ever read more.
     */
    @Test
    void aRunTimeReadAsTheAttemptEndsNeverCountsItTwice() throws Exception {
        ManualClock clock = new ManualClock();
        try (TaskOrchestrator own = TaskOrchestrator.builder().clock(clock).runtime(TaskRuntime.platform("one", 1)).build()) {
            AtomicReference<SpawningTask<Integer>> current = new AtomicReference<>();
            AtomicReference<String> tooLong = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = Thread.ofPlatform().start(() -> {
                while (!done.get() && tooLong.get() == null) {
                    SpawningTask<Integer> task = current.get();
                    Duration read = task == null ? Duration.ZERO : task.metrics().runTime();
                    if (read.compareTo(Duration.ofSeconds(1)) > 0) {
                        tooLong.set(task.name() + " read " + read);
                    }
                }
            });
            try {
                for (int i = 0; i < 20_000 && tooLong.get() == null; i++) {
                    SpawningTask<Integer> task = own.to(Integer.class).named("t" + i).runtime("one").run(() -> {
                        clock.advance(Duration.ofSeconds(1));
                        return 1;
                    });
                    current.set(task);
                    assertThat(task.join()).isEqualTo(1);
                    assertThat(task.metrics().runTime()).isEqualTo(Duration.ofSeconds(1));
                }
            }
            finally {
                done.set(true);
                reader.join();
            }
            assertThat(tooLong.get()).as("a run time read as its attempt ended, of a body that ran 1 s").isNull();
        }
    }

    /**
     * {@link TaskMetrics#queueWait()}: "time spent QUEUED (waiting for a runtime slot or permit)". A wait's end
     * claimed it and then added it to the sum: a snapshot between the two showed it in neither (a task that had
     * waited 1 s for its group's permit read 1 s, then 0, then 1 s). A reader spins on the figures of tasks that
     * each wait exactly 1 s on the manual clock for the permit; no reading may be lower than one before it.
     */
    @Test
    void aQueueWaitReadAsTheWaitEndsNeverGoesBack() throws Exception {
        ManualClock clock = new ManualClock();
        try (TaskOrchestrator own = TaskOrchestrator.builder().clock(clock).runtime(TaskRuntime.platform("pool", 4))
                .group("one", ONE.withMaxWait(TaskClock.PRACTICALLY_NEVER)).build()) {
            AtomicReference<SpawningTask<Integer>> current = new AtomicReference<>();
            AtomicReference<String> wentBack = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = Thread.ofPlatform().start(() -> {
                SpawningTask<Integer> last = null;
                Duration most = Duration.ZERO;
                while (!done.get() && wentBack.get() == null) {
                    SpawningTask<Integer> task = current.get();
                    if (task != last) {
                        last = task;
                        most = Duration.ZERO;
                    }
                    Duration read = task == null ? Duration.ZERO : task.metrics().queueWait();
                    if (read.compareTo(most) < 0) {
                        wentBack.set(task.name() + " read " + read + " after " + most);
                    }
                    most = read.compareTo(most) > 0 ? read : most;
                }
            });
            try {
                for (int i = 0; i < 10_000 && wentBack.get() == null; i++) {
                    CountDownLatch holding = new CountDownLatch(1);
                    CountDownLatch release = new CountDownLatch(1);
                    SpawningTask<Integer> holder = own.to(Integer.class).group("one").runtime("pool").run(() -> {
                        holding.countDown();
                        release.await();
                        return 1;
                    });
                    holding.await();
                    SpawningTask<Integer> waiter = own.to(Integer.class).named("w" + i).group("one").runtime("pool")
                            .run(() -> 2);
                    clock.advance(Duration.ofSeconds(1));
                    current.set(waiter);
                    release.countDown();
                    assertThat(holder.join() + waiter.join()).isEqualTo(3);
                    assertThat(waiter.metrics().queueWait()).isEqualTo(Duration.ofSeconds(1));
                }
            }
            finally {
                done.set(true);
                reader.join();
            }
            assertThat(wentBack.get()).as("a queue wait read as the wait ended").isNull();
        }
    }

    /**
     * The same for the wait of a retry for its permit (the task has run an attempt, so the reading is not the
     * one of a task that has not started): each attempt fails at once, its retry waits exactly 1 s for the
     * permit a holder takes meanwhile.
     */
    @Test
    void aRetrysQueueWaitReadAsTheWaitEndsNeverGoesBack() throws Exception {
        ManualClock clock = new ManualClock();
        try (TaskOrchestrator own = TaskOrchestrator.builder().clock(clock).runtime(TaskRuntime.platform("pool", 4))
                .group("one", ONE.withMaxWait(TaskClock.PRACTICALLY_NEVER)).build()) {
            AtomicReference<SpawningTask<Integer>> current = new AtomicReference<>();
            AtomicReference<String> wentBack = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = Thread.ofPlatform().start(() -> {
                SpawningTask<Integer> last = null;
                Duration most = Duration.ZERO;
                while (!done.get() && wentBack.get() == null) {
                    SpawningTask<Integer> task = current.get();
                    if (task != last) {
                        last = task;
                        most = Duration.ZERO;
                    }
                    Duration read = task == null ? Duration.ZERO : task.metrics().queueWait();
                    if (read.compareTo(most) < 0) {
                        wentBack.set(task.name() + " read " + read + " after " + most);
                    }
                    most = read.compareTo(most) > 0 ? read : most;
                }
            });
            try {
                for (int i = 0; i < 10_000 && wentBack.get() == null; i++) {
                    AtomicBoolean failed = new AtomicBoolean();
                    SpawningTask<Integer> retried = own.to(Integer.class).named("r" + i).group("one").runtime("pool")
                            .retry(RetryPolicy.fixed(1, Duration.ofNanos(1))).run(() -> {
                                if (failed.compareAndSet(false, true)) {
                                    throw new IllegalStateException("the first attempt fails");
                                }
                                return 2;
                            });
                    clock.awaitRequests(i + 1); // its retry is scheduled
                    CountDownLatch holding = new CountDownLatch(1);
                    CountDownLatch release = new CountDownLatch(1);
                    SpawningTask<Integer> holder = own.to(Integer.class).group("one").runtime("pool").run(() -> {
                        holding.countDown();
                        release.await();
                        return 1;
                    });
                    holding.await();
                    clock.advance(Duration.ofNanos(1)); // the retry asks for the permit the holder has
                    clock.advance(Duration.ofSeconds(1));
                    current.set(retried);
                    release.countDown();
                    assertThat(holder.join() + retried.join()).isEqualTo(3);
                    assertThat(retried.metrics().queueWait()).isEqualTo(Duration.ofSeconds(1));
                }
            }
            finally {
                done.set(true);
                reader.join();
            }
            assertThat(wentBack.get()).as("a retry's queue wait read as the wait ended").isNull();
        }
    }
}
