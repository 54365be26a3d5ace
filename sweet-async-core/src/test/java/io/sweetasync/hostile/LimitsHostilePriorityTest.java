package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.ManualClock;
import io.sweetasync.TaskPriority;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.RejectionReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code TaskPriority}: "orders admission wherever tasks wait ... higher priorities go first". A limiter's queue
 * orders its waiters by priority, but capacity is first come: a queue full of {@code BACKGROUND} work rejects a
 * {@code CRITICAL} request {@code QUEUE_FULL}, which then never goes first at all.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LimitsHostilePriorityTest {

    @Test
    void aFullQueueOfBackgroundWorkDoesNotRejectCriticalWork() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("one", new LimiterConfig(LimitAlgorithm.FIXED, 1, 1, 1, 2,
                Duration.ofSeconds(30)), new ManualClock());
        List<String> events = new ArrayList<>();
        ConcurrencyLimiter.Permit held = limiter.tryAcquire().orElseThrow();
        for (int i = 0; i < 2; i++) {
            String name = "background-" + i;
            limiter.acquire(TaskPriority.BACKGROUND, permit -> {
                events.add(name + " granted");
                permit.ignore();
            }, rejection -> events.add(name + " " + rejection.reason()));
        }
        limiter.acquire(TaskPriority.CRITICAL, permit -> {
            events.add("critical granted");
            permit.ignore();
        }, rejection -> events.add("critical " + rejection.reason()));
        // the newest background request gave its place, at once; the older one still waits, behind critical
        assertThat(events).as("what happened, in order").containsExactly("background-1 " + RejectionReason.QUEUE_FULL);
        assertThat(limiter.rejected(RejectionReason.QUEUE_FULL)).isEqualTo(1);
        assertThat(limiter.snapshot().queued()).isEqualTo(2);
        // an equal or lower priority does not displace anyone: it is refused as before
        limiter.acquire(TaskPriority.BACKGROUND, permit -> events.add("late granted"),
                rejection -> events.add("late " + rejection.reason()));
        limiter.acquire(TaskPriority.CRITICAL, permit -> events.add("second critical granted"),
                rejection -> events.add("second critical " + rejection.reason()));
        assertThat(events).endsWith("late " + RejectionReason.QUEUE_FULL, "background-0 " + RejectionReason.QUEUE_FULL);
        held.success();
        assertThat(events).endsWith("critical granted", "second critical granted");
    }
}
