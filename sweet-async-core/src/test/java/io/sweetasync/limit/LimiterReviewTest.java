package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hostile samples for the limit algorithms, through their public API ({@link Limit#of}, {@link Limit#onSample}). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimiterReviewTest {

    /**
     * SPEC 3 ("the limit moves with observed latency") and ADAPTIVE's javadoc, Guarantees: "At the minimum
     * limit while work succeeds, [...] the limit spends at most one window of 8 samples there". A clock
     * coarser than the work (or one that stood still for a while) measures a burst of work as 0 ns; once it
     * measures real latencies again, the algorithm must go on as it would have. Found: a window of nothing but
     * 0 ns latencies has a coefficient of variation of 0/0 = NaN, which the smoothed variation keeps for good;
     * every later judgement compares against NaN (never slow, window size 0), and the limit fell to its
     * minimum and stayed there through 40,000 samples of 1 ms work that succeeded.
     */
    @Test
    void aBurstOfZeroLatenciesDoesNotPoisonTheAdaptiveLimitForGood() {
        Limit limit = Limit.of(new LimiterConfig(LimitAlgorithm.ADAPTIVE, 10, 1, 200, 100, Duration.ofSeconds(1)));
        long now = 0;
        for (int i = 0; i < 2_000; i++) {
            limit.onSample(now, 0, limit.limit(), false); // a clock that did not move
        }
        // Then a closed loop against 20 slots of 1 ms, as LimitsHostileAlgorithmTest's: a fresh limiter ends near 39.
        for (int i = 0; i < 40_000; i++) {
            int l = limit.limit();
            long rtt = 1_000_000L * Math.max(1, l / 20);
            limit.onSample(now, rtt, l, false);
            now += Math.max(1, rtt / l);
        }
        assertThat(limit.limit()).as("limit after 40,000 samples of 1 ms work against 20 slots (%s)", limit)
                .isGreaterThanOrEqualTo(20);
    }
}
