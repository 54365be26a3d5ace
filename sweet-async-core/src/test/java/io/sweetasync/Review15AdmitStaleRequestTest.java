package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task of a group remembers its attempt's pending permit request, so that a cancel withdraws it from the queue.
 * The submitting thread stored the request only once {@code acquire} returned; a permit free at once runs the first
 * attempt inside {@code acquire} (here on that very thread: a caller-runs executor), and that attempt may fail and
 * queue its retry's request from another thread before the store. The submitter's stale request (attempt 1's, no
 * longer waiting) then overwrote the retry's, and a cancel missed the retry's waiter: it kept its queue slot until
 * granted, turning other tasks away {@code QUEUE_FULL}. The interleaving is forced: the retry's delay is scheduled
 * on the submitting thread inside attempt 1, and the clock runs the retry there and then, returning only once the
 * retry's thread has queued and stored its request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review15AdmitStaleRequestTest {

    private static final Duration RETRY_DELAY = Duration.ofSeconds(7);
    private static final Duration MAX_WAIT = Duration.ofSeconds(60);

    @Test
    void aCancelWithdrawsTheRetrysQueuedRequestThoughTheSubmitterStoredItsOwnLate() throws Exception {
        RetryNowClock clock = new RetryNowClock();
        TaskOrchestrator orchestrator = TaskOrchestrator.builder().clock(clock)
                .runtime(TaskRuntime.executor("direct", Runnable::run))
                .group("g", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 1, MAX_WAIT)).build();
        try {
            ConcurrencyLimiter limiter = orchestrator.limiter("g");
            AtomicReference<ConcurrencyLimiter.Permit> other = new AtomicReference<>();
            AtomicInteger attempts = new AtomicInteger();
            // Attempt 1 runs on this thread, inside the submission's acquire: it queues a request of the group's
            // (granted the permit it gives back as it fails), so that the retry's request has to wait.
            SpawningTask<String> task = orchestrator.to(String.class).named("stale").group("g").runtime("direct")
                    .retry(RetryPolicy.fixed(1, RETRY_DELAY)).run(() -> {
                        if (attempts.incrementAndGet() == 1) {
                            limiter.acquire(TaskPriority.NORMAL, other::set, rejection -> { });
                            throw new IllegalStateException("attempt 1 fails");
                        }
                        return "attempt 2";
                    });
            assertThat(clock.retried).as("the retry ran, its request stored, before run() returned").isTrue();
            assertThat(other.get()).as("the permit attempt 1 gave back").isNotNull();
            assertThat(limiter.queued()).as("the retry's request waits").isEqualTo(1);

            assertThat(task.cancel()).isTrue();
            assertThat(resultWithin20s(task)).as("result of the cancelled task, status %s", task.status()).isNotNull();
            assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(limiter.queued()).as("the cancelled task's request left the queue").isZero();

            // Its slot is free: another task of the group waits for the permit rather than being turned away.
            SpawningTask<String> next = orchestrator.to(String.class).named("next").group("g").runtime("direct")
                    .run(() -> "next");
            assertThat(next.status()).as("the next task of the group, queue capacity 1").isEqualTo(TaskStatus.QUEUED);
            other.get().ignore();
            TaskResult<String> nextResult = resultWithin20s(next);
            assertThat(nextResult).as("result of the next task, status %s", next.status()).isNotNull();
            assertThat(nextResult.isOk()).isTrue();
            assertThat(attempts.get()).as("the cancelled task's attempts").isEqualTo(1);
            assertThat(limiter.inFlight()).isZero();
        }
        finally {
            orchestrator.close();
        }
    }

    private static <T> TaskResult<T> resultWithin20s(SpawningTask<T> task) throws Exception {
        try {
            return CompletableFuture.supplyAsync(task::result).get(20, TimeUnit.SECONDS);
        }
        catch (TimeoutException stuck) {
            return null;
        }
    }

    /**
     * A manual clock (the permit wait never expires) that runs the retry at once, from a thread of its own, and
     * returns from scheduling it only once the thread that queued the retry's request is done with it: that thread
     * is the one that schedules the request's expiry (the first one since the retry began).
     */
    private static final class RetryNowClock implements TaskClock {
        private final ManualClock clock = new ManualClock();
        private final CompletableFuture<Thread> retryAdmitter = new CompletableFuture<>();
        volatile boolean retrying;
        volatile boolean retried;

        @Override
        public Instant now() {
            return clock.now();
        }

        @Override
        public long nanoTime() {
            return clock.nanoTime();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            if (delay.equals(MAX_WAIT) && retrying) {
                retryAdmitter.complete(Thread.currentThread());
            }
            Scheduled scheduled = clock.schedule(delay, action);
            if (delay.equals(RETRY_DELAY) && !retrying) {
                retrying = true;
                Thread.ofPlatform().name("retry-now").start(action);
                try {
                    retried = retryAdmitter.get(20, TimeUnit.SECONDS).join(Duration.ofSeconds(20));
                }
                catch (Exception ex) {
                    throw new AssertionError("the retry did not queue its request", ex);
                }
            }
            return scheduled;
        }
    }
}
