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
import org.junit.jupiter.api.Disabled;
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
    @Disabled("decision needed: when the queue is full, should a request of higher priority than the lowest waiter "
            + "take its place (the newest lowest-priority waiter rejected QUEUE_FULL instead), or is capacity first "
            + "come, first served whatever the priority (then TaskPriority's javadoc and the README should say so)?")
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
        held.success();
        assertThat(events).as("what happened, in order").doesNotContain("critical " + RejectionReason.QUEUE_FULL)
                .contains("critical granted");
    }
}
