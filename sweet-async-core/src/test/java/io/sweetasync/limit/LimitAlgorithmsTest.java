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

    @Test
    void adaptiveSetsTheLimitByLittlesLawWhenCongested() {
        AdaptiveLimit limit = new AdaptiveLimit(config(LimitAlgorithm.ADAPTIVE, 20));
        // Window 1 (40 samples): uncongested, saturated, latency 10 ms, establishes the baseline.
        long t = 0;
        for (int i = 0; i < 40; i++) {
            t += MS / 2;
            limit.onSample(t - 10 * MS, 10 * MS, 20, false);
        }
        assertThat(limit.baselineNanos()).isEqualTo(10 * MS);
        assertThat(limit.limit()).as("clean and saturated: +growth(1)").isEqualTo(21);
        // Window 2 (42 samples): every request waits 5 ms in a queue; 2000 completions/s.
        for (int i = 0; i < 42; i++) {
            t += MS / 2;
            limit.onSample(t - 15 * MS, 15 * MS, 21, false);
        }
        // service = avg - (p10 - base) = 15 - 5 = 10 ms; rate = 41 / 20.5 ms = 2000/s -> L = 20
        assertThat(limit.limit()).isEqualTo(20);
    }

    @Test
    void adaptiveGrowsFasterEachCleanSaturatedWindowAndHoldsWhenAppLimited() {
        AdaptiveLimit limit = new AdaptiveLimit(config(LimitAlgorithm.ADAPTIVE, 10));
        long t = 0;
        int[] seen = new int[4];
        for (int window = 0; window < 4; window++) {
            int size = Math.max(20, 2 * limit.limit());
            int inflight = limit.limit();
            for (int i = 0; i < size; i++) {
                t += MS;
                limit.onSample(t - 10 * MS, 10 * MS, inflight, false);
            }
            seen[window] = limit.limit();
        }
        assertThat(seen).containsExactly(11, 13, 17, 25);
        for (int i = 0; i < 200; i++) {
            t += MS;
            limit.onSample(t - 10 * MS, 10 * MS, 3, false);
        }
        assertThat(limit.limit()).as("app-limited windows change nothing").isEqualTo(25);
    }

    @Test
    void adaptiveBacksOffOnDrops() {
        AdaptiveLimit limit = new AdaptiveLimit(config(LimitAlgorithm.ADAPTIVE, 20));
        long t = 0;
        for (int i = 0; i < 40; i++) {
            t += MS;
            limit.onSample(t - 10 * MS, 10 * MS, 20, i % 4 == 0);
        }
        // Congested by drops; rate 1000/s (39 completions over 39 ms), service 10 ms -> 10
        assertThat(limit.limit()).isEqualTo(10);
    }
}
