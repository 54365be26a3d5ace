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
}
