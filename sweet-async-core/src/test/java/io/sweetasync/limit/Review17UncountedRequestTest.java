package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.ManualClock;
import io.sweetasync.TaskPriority;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Review 17: a request made with {@code acquireUncounted} (a durable re-run the orchestrator hands back to run later
 * when it is turned away) is refused, displaced and timed out as any other, with the same words, but its rejection is
 * not counted in {@code rejected(reason)} ({@code sweet.async.limit.rejected}); those of counted requests still are.
 */
class Review17UncountedRequestTest {

    private final ManualClock clock = new ManualClock();

    private ConcurrencyLimiter limiter() {
        return new ConcurrencyLimiter("mail", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED)
                .withLimits(1, 1, 1).withQueueCapacity(1).withMaxWait(Duration.ofMinutes(1)), clock);
    }

    @Test
    void anUncountedRequestsRejectionsAreMadeButNotCounted() {
        ConcurrencyLimiter limiter = limiter();
        List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
        List<ConcurrencyLimiter.Rejection> uncounted = new ArrayList<>();
        List<ConcurrencyLimiter.Rejection> counted = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, held::add, counted::add);
        assertThat(held).hasSize(1);

        // Waits in the queue, then times out: uncounted.
        limiter.acquireUncounted(TaskPriority.NORMAL, held::add, uncounted::add);
        assertThat(limiter.queued()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(uncounted).singleElement().extracting(ConcurrencyLimiter.Rejection::reason)
                .isEqualTo(RejectionReason.WAIT_TIMEOUT);
        assertThat(limiter.rejected(RejectionReason.WAIT_TIMEOUT)).isZero();

        // Waits, then gives its place to a CRITICAL request: uncounted.
        limiter.acquireUncounted(TaskPriority.LOW, held::add, uncounted::add);
        limiter.acquire(TaskPriority.CRITICAL, held::add, counted::add);
        assertThat(uncounted).hasSize(2).last().extracting(ConcurrencyLimiter.Rejection::reason)
                .isEqualTo(RejectionReason.QUEUE_FULL);
        assertThat(uncounted.getLast().message()).contains("gave its place");

        // The queue full: uncounted, then a counted request refused the same way, counted.
        limiter.acquireUncounted(TaskPriority.NORMAL, held::add, uncounted::add);
        assertThat(uncounted).hasSize(3).last().extracting(ConcurrencyLimiter.Rejection::message)
                .asString().contains("its queue is full");
        assertThat(limiter.rejected(RejectionReason.QUEUE_FULL)).isZero();
        limiter.acquire(TaskPriority.NORMAL, held::add, counted::add);
        assertThat(counted).singleElement().extracting(ConcurrencyLimiter.Rejection::reason)
                .isEqualTo(RejectionReason.QUEUE_FULL);
        assertThat(limiter.rejected(RejectionReason.QUEUE_FULL)).isEqualTo(1);
        assertThat(limiter.snapshot().rejected()).isEqualTo(1);

        // Granted as any other once a permit is free.
        held.removeFirst().success();
        assertThat(held).as("the CRITICAL waiter").hasSize(1);
        held.removeFirst().success();
        limiter.acquireUncounted(TaskPriority.NORMAL, held::add, uncounted::add);
        assertThat(held).hasSize(1);
        assertThat(limiter.inFlight()).isEqualTo(1);
    }

    /**
     * Refused because its wait cannot be timed (the clock shut down) is refused for good, and its task ends rejected:
     * counted for an uncounted request too (sweet.async.limit.rejected{reason=SHUTDOWN} agrees with the listeners).
     */
    @Test
    void anUncountedRequestRefusedForAShutdownIsCounted() {
        TaskClock shutDown = new TaskClock() {
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
                throw new RejectedExecutionException("the clock is shut down");
            }
        };
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("mail", LimiterConfig.defaults()
                .withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1).withQueueCapacity(1)
                .withMaxWait(Duration.ofMinutes(1)), shutDown);
        List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
        List<ConcurrencyLimiter.Rejection> refused = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, held::add, refused::add);
        assertThat(held).hasSize(1);

        limiter.acquireUncounted(TaskPriority.NORMAL, held::add, refused::add);
        assertThat(refused).singleElement().extracting(ConcurrencyLimiter.Rejection::reason)
                .isEqualTo(RejectionReason.SHUTDOWN);
        assertThat(limiter.rejected(RejectionReason.SHUTDOWN)).isEqualTo(1);
    }
}
