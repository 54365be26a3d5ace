package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each algorithm's update rule, on hand-fed samples. */
class LimitAlgorithmsTest {

    private static final long MS = 1_000_000;

    private static LimiterConfig config(LimitAlgorithm algorithm, int initial) {
        return LimiterConfig.defaults().withAlgorithm(algorithm).withLimits(initial, 1, 200);
    }

    @Test
    void fixedNeverMoves() {
        Limit limit = Limit.of(config(LimitAlgorithm.FIXED, 7));
        limit.onSample(0, 10 * MS, 7, true);
        limit.onSample(0, 1, 7, false);
        assertThat(limit.limit()).isEqualTo(7);
    }

    @Test
    void aimdAddsOneWhenBusyAndBacksOffOnDropsOnly() {
        Limit limit = Limit.of(config(LimitAlgorithm.AIMD, 20));
        limit.onSample(0, 10 * MS, 10, false);
        assertThat(limit.limit()).as("inflight*2 >= L: +1").isEqualTo(21);
        limit.onSample(0, 10 * MS, 5, false);
        assertThat(limit.limit()).as("app-limited: unchanged").isEqualTo(21);
        limit.onSample(0, 4_000 * MS, 21, false);
        assertThat(limit.limit()).as("slow but below the 5 s timeout: still +1").isEqualTo(22);
        limit.onSample(0, 10 * MS, 22, true);
        assertThat(limit.limit()).as("drop: floor(22 * 0.9)").isEqualTo(19);
        limit.onSample(0, 6_000 * MS, 19, false);
        assertThat(limit.limit()).as("above the timeout counts as a drop: floor(19 * 0.9)").isEqualTo(17);
    }

    @Test
    void vegasGrowsOnAnEmptyQueueAndShrinksOnALongOne() {
        Limit limit = Limit.of(config(LimitAlgorithm.VEGAS, 20));
        limit.onSample(0, 10 * MS, 20, false);
        assertThat(limit.limit()).as("first sample only sets rttNoLoad").isEqualTo(20);
        limit.onSample(0, 10 * MS, 20, false);
        assertThat(limit.limit()).as("queue 0 <= log10: +6*lg = +6").isEqualTo(26);
        limit.onSample(0, 10 * MS, 5, false);
        assertThat(limit.limit()).as("app-limited").isEqualTo(26);
        limit.onSample(0, 20 * MS, 26, false);
        assertThat(limit.limit()).as("queue ceil(26 * 0.5) = 13 > 6: -lg").isEqualTo(25);
        limit.onSample(0, 10 * MS, 25, true);
        assertThat(limit.limit()).as("drop: -lg").isEqualTo(24);
    }

    @Test
    void gradient2AddsItsQueueHeadroomEvenAtFullGradient() {
        Limit limit = Limit.of(config(LimitAlgorithm.GRADIENT2, 20));
        for (int i = 0; i < 10; i++) {
            limit.onSample(0, 10 * MS, 20, false);
        }
        // gradient = min(1, 1.5 * 10/10) = 1: L' = 20 + 4, L = 20 * 0.8 + 24 * 0.2 = 20.8 after the first...
        assertThat(limit.limit()).as("creeps up while latency is flat").isGreaterThan(20);
        int before = limit.limit();
        for (int i = 0; i < 50; i++) {
            limit.onSample(0, 40 * MS, before, false);
        }
        assertThat(limit.limit()).as("latency 4x the long average: gradient 0.5 shrinks it").isLessThan(before);
    }

    /** Feeds one window of {@code size} samples: latency {@code rttMs}, one completion every {@code gapMicros}. */
    private static long window(Limit limit, long t, int size, long rttMs, long gapMicros, int inflight, boolean drops) {
        for (int i = 0; i < size; i++) {
            t += gapMicros * 1_000;
            limit.onSample(t - rttMs * MS, rttMs * MS, inflight, drops && i % 4 == 0);
        }
        return t;
    }

    @Test
    void adaptiveStartupGrowsWhileTheRateGrowsThenDrains() {
        AdaptiveLimit limit = new AdaptiveLimit(config(LimitAlgorithm.ADAPTIVE, 20));
        // 20 in flight at 10 ms: 2000/s, busy (rate x latency = 20 = L). BDP = 20, startup gain 1.5.
        long t = window(limit, 0, 80, 10, 500, 20, false);
        assertThat(limit.limit()).isEqualTo(30);
        assertThat(limit.phase()).isEqualTo(AdaptiveLimit.Phase.STARTUP);
        // At 30 the rate grows to 3000/s: BDP 30, limit 45.
        t = window(limit, t, 120, 10, 333, 30, false);
        assertThat(limit.limit()).isEqualTo(45);
        // Capacity reached: the rate stays at 3000/s, latency grows 15 ms (queueing) -> congested:
        // Little's law cut to rate x base = 3000/s x 10 ms = 30.
        window(limit, t, 180, 15, 333, 45, false);
        assertThat(limit.limit()).isEqualTo(30);
        assertThat(limit.phase()).isEqualTo(AdaptiveLimit.Phase.CRUISE);
    }

    @Test
    void adaptiveCutsToTheNewCapacityInOneWindowAfterADrop() {
        AdaptiveLimit limit = new AdaptiveLimit(config(LimitAlgorithm.ADAPTIVE, 20));
        long t = window(limit, 0, 80, 10, 500, 20, false);
        int before = limit.limit();
        // The downstream now serves only 500/s; 30 in flight wait 60 ms each.
        window(limit, t, 4 * before, 60, 2000, before, false);
        assertThat(limit.limit()).as("500/s x 10 ms").isEqualTo(5);
    }

    @Test
    void adaptiveHoldsWhenAppLimitedAndGrowsWhenBurstsTouchTheLimit() {
        AdaptiveLimit limit = new AdaptiveLimit(config(LimitAlgorithm.ADAPTIVE, 20));
        // 5 in flight on average (500/s x 10 ms), never near the limit: no evidence, no change.
        long t = window(limit, 0, 200, 10, 2000, 5, false);
        assertThat(limit.limit()).isEqualTo(20);
        // Same average, but a burst touched the limit: grow by 10%, never shrink.
        window(limit, t, 80, 10, 2000, 19, false);
        assertThat(limit.limit()).isEqualTo(22);
    }

    @Test
    void adaptiveTreatsDropsAsCongestion() {
        AdaptiveLimit limit = new AdaptiveLimit(config(LimitAlgorithm.ADAPTIVE, 20));
        long t = window(limit, 0, 80, 10, 500, 20, false);
        assertThat(limit.limit()).isEqualTo(30);
        // Busy (2700/s x 10 ms = 27 of 30), latency unchanged, but drops: cut to rate x base = 27.
        window(limit, t, 120, 10, 370, 30, true);
        assertThat(limit.limit()).isEqualTo(27);
    }
}
