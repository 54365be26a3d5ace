package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.TaskResult;
import io.sweetasync.TaskRuntime;
import io.sweetasync.TaskStatus;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.TaskClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * User code the compiler does not check (Kotlin, Scala, Lombok's {@code @SneakyThrows}) may throw a checked exception
 * from a method that declares none. The engine's {@code catch (RuntimeException | Error ex)} around such a callback
 * let it through: a task whose outcome never completed, a task failed with no end, a permit never given back. Each
 * test here has a callback of the user's throw an {@link IOException} that way, and checks the promise the unchecked
 * case keeps.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SneakyCheckedExceptionsTest {

    private static final Duration HANG = Duration.ofSeconds(30);
    private static final LimiterConfig ONE = new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 10, Duration.ofSeconds(30));

    /** How a task with a deadline ends, cancelling its deadline on a clock whose cancel throws. */
    enum Ending { RETURNED, FAILED, CANCELLED }

    /**
     * {@code TaskEnding.cancel(Scheduled)}: the clock's failure left {@code finish} with the status terminal and the
     * outcome never completed ({@code result()} waited for ever), or reached {@code cancel()}'s caller.
     */
    @ParameterizedTest
    @EnumSource(Ending.class)
    void aClockWhoseCancelThrowsACheckedExceptionStillLetsTheTaskEnd(Ending ending) {
        SneakyClock clock = new SneakyClock(false, true);
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build()) {
                CountDownLatch go = new CountDownLatch(1);
                SpawningTask<String> task = orchestrator.to(String.class).named("deadlined")
                        .timeout(Duration.ofHours(1)).run(() -> {
                            go.await();
                            if (ending == Ending.FAILED) {
                                throw new IllegalStateException("the body fails");
                            }
                            return "done";
                        });
                if (ending == Ending.CANCELLED) {
                    assertThatCode(() -> task.cancel()).doesNotThrowAnyException();
                }
                go.countDown();
                TaskResult<String> result = task.result();
                switch (ending) {
                    case RETURNED -> assertThat(result).isEqualTo(TaskResult.ok("done"));
                    case FAILED -> assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
                    case CANCELLED -> assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
                }
            }
        });
        assertThat(clock.cancels).as("the deadline was cancelled").hasPositiveValue();
    }

    /** What a task asks a clock to schedule. */
    enum Scheduling { DEADLINE, RETRY }

    /**
     * {@code TaskSubmission.schedule}: a deadline the clock cannot schedule reached the caller of {@code run}; a retry,
     * the worker that ran the failed attempt, which logged it as the engine's failure: the task never ended.
     */
    @ParameterizedTest
    @EnumSource(Scheduling.class)
    void aClockWhoseScheduleThrowsACheckedExceptionFailsTheTask(Scheduling what) {
        SneakyClock clock = new SneakyClock(true, false);
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock).build()) {
                var builder = orchestrator.to(String.class).named("scheduled");
                builder = what == Scheduling.DEADLINE ? builder.timeout(Duration.ofHours(1))
                        : builder.retry(RetryPolicy.fixed(3, Duration.ofMillis(10)));
                SpawningTask<String> task = builder.run(() -> {
                    throw new IllegalStateException("the attempt fails");
                });
                TaskResult<String> result = task.result();
                assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
                assertThat(((TaskResult.Err<String>) result).error()).hasStackTraceContaining("the clock's schedule failed");
            }
        });
    }

    /**
     * {@code TaskSubmission.execute}: a user's executor that throws fails the task; a checked exception went past
     * that to the caller of {@code run}, the task left QUEUED.
     */
    @Test
    void anExecutorThatThrowsACheckedExceptionFailsTheTask() {
        TaskRuntime throwing = TaskRuntime.executor("throwing", command -> {
            throw sneaky(new IOException("the executor failed"));
        });
        assertTimeoutPreemptively(HANG, () -> {
            try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().runtime(throwing).build()) {
                SpawningTask<String> task = orchestrator.to(String.class).named("executed").runtime("throwing")
                        .run(() -> "never");
                TaskResult<String> result = task.result();
                assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
                assertThat(((TaskResult.Err<String>) result).error()).hasStackTraceContaining("the executor failed");
            }
        });
    }

    /**
     * {@code AdmissionQueue.time}: a wait the limiter's clock cannot time is rejected SHUTDOWN; a checked exception
     * reached the caller of {@code acquire} and left the request queued, to be granted to a caller who saw it fail.
     */
    @Test
    void aWaitTheLimitersClockCannotTimeWithACheckedExceptionIsRejected() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("g", ONE, new SneakyClock(true, false));
        ConcurrencyLimiter.Permit held = limiter.tryAcquire().orElseThrow();
        List<Object> outcomes = new ArrayList<>();
        assertThatCode(() -> limiter.acquire(TaskPriority.NORMAL, outcomes::add, outcomes::add))
                .doesNotThrowAnyException();
        assertThat(limiter.queued()).isZero();
        held.success();
        assertThat(limiter.inFlight()).isZero();
        assertThat(outcomes).singleElement().isInstanceOfSatisfying(ConcurrencyLimiter.Rejection.class,
                rejection -> assertThat(rejection.reason()).isEqualTo(RejectionReason.SHUTDOWN));
    }

    /**
     * {@code HandOver.run}: a grant callback that throws gives its permit back, to the next waiter; a checked
     * exception cut the hand-over short (the next waiter never granted, the permit counted for good) and reached the
     * code that released the permit.
     */
    @Test
    void aGrantCallbackThrowingACheckedExceptionGivesItsPermitToTheNextWaiter() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("g", ONE, new SneakyClock(false, false));
        ConcurrencyLimiter.Permit held = limiter.tryAcquire().orElseThrow();
        List<Object> rejected = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, permit -> {
            throw sneaky(new IOException("the grant callback failed"));
        }, rejected::add);
        List<ConcurrencyLimiter.Permit> granted = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, granted::add, rejected::add);
        assertThatCode(held::success).doesNotThrowAnyException();
        assertThat(granted).as("the next waiter").hasSize(1);
        granted.getFirst().success();
        assertThat(limiter.inFlight()).isZero();
        assertThat(rejected).isEmpty();
    }

    /**
     * {@code PermitAccounting.acquire}: a permit granted at once whose callback throws is given back before the caller
     * sees the failure; with a checked exception it was kept for good.
     */
    @Test
    void aPermitGrantedAtOnceWhoseCallbackThrowsACheckedExceptionIsGivenBack() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("g", ONE, new SneakyClock(false, false));
        Throwable thrown = null;
        try {
            limiter.acquire(TaskPriority.NORMAL, permit -> {
                throw sneaky(new IOException("the grant callback failed"));
            }, rejection -> { });
        }
        catch (Throwable t) {
            thrown = t;
        }
        assertThat(thrown).as("the caller sees its callback's failure").isInstanceOf(IOException.class);
        assertThat(limiter.inFlight()).as("the permit its callback failed to take").isZero();
    }

    /** The system's time; its actions never run. Its schedule, or its actions' cancel, throw a checked exception. */
    private static final class SneakyClock implements TaskClock {
        private final boolean failSchedule;
        private final boolean failCancel;
        final AtomicInteger cancels = new AtomicInteger();

        SneakyClock(boolean failSchedule, boolean failCancel) {
            this.failSchedule = failSchedule;
            this.failCancel = failCancel;
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            if (failSchedule) {
                throw sneaky(new IOException("the clock's schedule failed"));
            }
            return () -> {
                cancels.incrementAndGet();
                if (failCancel) {
                    throw sneaky(new IOException("the clock's cancel failed"));
                }
            };
        }
    }

    /** Throws {@code t} unchecked, as code in a language without checked exceptions may. */
    @SuppressWarnings("unchecked")
    private static <X extends Throwable> RuntimeException sneaky(Throwable t) throws X {
        throw (X) t;
    }
}
