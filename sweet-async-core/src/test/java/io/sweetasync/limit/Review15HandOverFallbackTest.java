package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.ManualClock;
import io.sweetasync.TaskPriority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Past {@code MAX_NESTED_HAND_OVERS} nested hand-overs (grant callbacks that give their permit back inline, as a
 * caller-runs executor's work does), {@link HandOver} serves the rest on a thread of its own. When no thread could be
 * started (an {@link OutOfMemoryError}, "unable to create native thread"), the failure went up through the callback
 * that released the permit: the waiter granted that permit (counted in flight, out of the queue) never had its
 * callback run, and the permit was never given back; the waiters behind it stayed queued with the group's only permit
 * gone. As the engine's own {@code onThreadOfItsOwn} does, the rest is served on this thread instead: nested, not
 * never.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Review15HandOverFallbackTest {

    private static final int WAITERS = 50; // well past the 32 hand-overs one thread nests

    @Test
    void aHandOverWhoseThreadCannotStartServesTheRestOnThisThread() {
        AtomicInteger starts = new AtomicInteger();
        Executor noThread = action -> {
            starts.incrementAndGet();
            throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource "
                    + "limits reached");
        };
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("g", LimiterConfig.defaults()
                .withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1).withQueueCapacity(WAITERS)
                .withMaxWait(Duration.ofMinutes(1)), new ManualClock(), noThread);
        List<ConcurrencyLimiter.Permit> first = new ArrayList<>();
        limiter.acquire(TaskPriority.NORMAL, first::add, rejection -> { });
        assertThat(first).hasSize(1);
        AtomicInteger served = new AtomicInteger();
        for (int i = 0; i < WAITERS; i++) {
            // Work run inline by its grant: it gives its permit back before its callback returns.
            limiter.acquire(TaskPriority.NORMAL, permit -> {
                served.incrementAndGet();
                permit.success();
            }, rejection -> { });
        }
        assertThat(limiter.queued()).isEqualTo(WAITERS);

        first.getFirst().success();

        assertThat(starts.get()).as("thread starts tried past the nesting bound").isPositive();
        assertThat(served.get()).as("waiters whose work ran").isEqualTo(WAITERS);
        assertThat(limiter.queued()).as("waiters left queued").isZero();
        assertThat(limiter.inFlight()).as("permits still held").isZero();
    }
}
