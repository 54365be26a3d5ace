package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.ManualClock;
import io.sweetasync.TaskPriority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review 18: whether a displacement is counted follows the request displaced, not the one that takes its place: a
 * counted waiter displaced by a higher priority uncounted request (a durable re-run) is a caller's work refused,
 * counted; an uncounted one displaced by a counted request is not. The snapshot's total agrees with the reasons'.
 */
class Review18UncountedDisplacesCountedTest {

    private final ManualClock clock = new ManualClock();

    @Test
    void theDisplacedRequestDecidesTheCount() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("mail", LimiterConfig.defaults()
                .withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1).withQueueCapacity(1)
                .withMaxWait(Duration.ofMinutes(1)), clock);
        List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
        List<ConcurrencyLimiter.Rejection> counted = new ArrayList<>();
        List<ConcurrencyLimiter.Rejection> uncounted = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, held::add, counted::add);

        limiter.acquire(TaskPriority.LOW, held::add, counted::add);
        limiter.acquireUncounted(TaskPriority.HIGH, held::add, uncounted::add);
        assertThat(counted).singleElement().extracting(ConcurrencyLimiter.Rejection::message).asString()
                .contains("gave its place");
        assertThat(uncounted).isEmpty();
        assertThat(limiter.rejected(RejectionReason.QUEUE_FULL)).isEqualTo(1);

        limiter.acquire(TaskPriority.CRITICAL, held::add, counted::add);
        assertThat(uncounted).singleElement().extracting(ConcurrencyLimiter.Rejection::reason)
                .isEqualTo(RejectionReason.QUEUE_FULL);
        assertThat(limiter.rejected(RejectionReason.QUEUE_FULL)).isEqualTo(1);
        assertThat(limiter.snapshot().rejected()).isEqualTo(1);
        assertThat(limiter.queued()).isEqualTo(1);

        held.removeFirst().success();
        assertThat(held).as("the CRITICAL waiter granted").hasSize(1);
        assertThat(limiter.queued()).isZero();
    }
}
