package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.ManualClock;
import io.sweetasync.TaskPriority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review 19: {@link Limit#onSample} promises that a latency of 0 (a clock coarser than the work) is not ignored, only
 * a negative one. VEGAS ignored every sample not above 0: behind a clock that measures the work as 0 ns (an injected
 * {@code TaskClock} that does not advance between a grant and a release, a coarse clock source), a group whose every
 * call timed out ({@link ConcurrencyLimiter.Permit#dropped()}) kept its limit for good, where a drop measured as
 * 1 ns lowers it at once (as GRADIENT2 already counts 0 as 1 ns).
 */
class Review19VegasZeroLatencyTest {

    private static final LimiterConfig VEGAS = LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.VEGAS)
            .withLimits(20, 1, 100).withMaxWait(Duration.ofMinutes(1));

    @Test
    void dropsThatAClockStandingStillMeasuresAsZeroLowerTheLimit() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter("coarse", VEGAS, new ManualClock());
        for (int round = 0; round < 10; round++) {
            List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
            for (int i = 0; i < limiter.limit(); i++) {
                limiter.acquire(TaskPriority.NORMAL, held::add, rejection -> { });
            }
            held.forEach(ConcurrencyLimiter.Permit::dropped); // every call timed out, each measured as 0 ns
        }
        assertThat(limiter.limit()).as("VEGAS's limit after 10 rounds of work that all timed out").isLessThan(20);
    }

    @Test
    void aZeroLatencyCountsAsTheShortestOne() {
        Limit zero = Limit.of(VEGAS);
        Limit oneNanosecond = Limit.of(VEGAS);
        for (int i = 0; i < 5; i++) {
            zero.onSample(0, 0, 20, true);
            oneNanosecond.onSample(0, 1, 20, true);
        }
        assertThat(oneNanosecond.limit()).as("after 1 ns drops").isLessThan(20);
        assertThat(zero.limit()).as("after 0 ns drops, as after 1 ns ones").isEqualTo(oneNanosecond.limit());
    }
}
