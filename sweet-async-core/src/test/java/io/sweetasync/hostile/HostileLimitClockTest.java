package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskPriority;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SPEC 3: the limit moves with observed latency, between minLimit and maxLimit. A coarse clock (a VM's
 * low-resolution clock source, or an injected TaskClock that does not advance) measures work faster than its
 * resolution as 0 ns. No algorithm may turn such samples into a limit below minLimit (a limit of 0 admits
 * nothing ever again: the group is dead).
 */
class HostileLimitClockTest {

    /** A clock whose time never advances: every latency it measures is 0. */
    private static final class FrozenClock implements TaskClock {
        private final AtomicLong nanos = new AtomicLong(1_000_000);

        @Override
        public Instant now() {
            return Instant.EPOCH;
        }

        @Override
        public long nanoTime() {
            return nanos.get();
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            return () -> { };
        }
    }

    @ParameterizedTest
    @EnumSource(LimitAlgorithm.class)
    void zeroLatencySamplesNeverTakeTheLimitBelowItsMinimum(LimitAlgorithm algorithm) {
        LimiterConfig config = new LimiterConfig(algorithm, 4, 2, 50, 100, Duration.ofHours(1));
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("frozen", config, new FrozenClock());
        AtomicInteger granted = new AtomicInteger();
        for (int i = 0; i < 2_000; i++) {
            // keep a few in flight, as a busy group does, so that the algorithms act on the samples
            ConcurrencyLimiter.Permit[] held = new ConcurrencyLimiter.Permit[3];
            for (int k = 0; k < held.length; k++) {
                int slot = k;
                limiter.acquire(TaskPriority.NORMAL, permit -> {
                    held[slot] = permit;
                    granted.incrementAndGet();
                }, rejection -> { });
            }
            for (ConcurrencyLimiter.Permit permit : held) {
                if (permit != null) {
                    permit.success();
                }
            }
            assertThat(limiter.limit()).as("limit of %s after %d rounds of 0 ns samples", algorithm, i)
                    .isBetween(config.minLimit(), config.maxLimit());
        }
        assertThat(granted.get()).isPositive();
    }
}
