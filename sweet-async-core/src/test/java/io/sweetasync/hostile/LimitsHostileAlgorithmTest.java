package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.Limit;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The limit algorithms driven with synthetic samples through their public API ({@link Limit#of},
 * {@link Limit#onSample}): a closed loop against a downstream of a few slots.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsHostileAlgorithmTest {

    /**
     * {@code TaskClock.nanoTime()} is "as {@link System#nanoTime()}": an arbitrary origin, values compared by
     * their difference only (they may wrap). The same samples shifted by a constant, across the wrap, must
     * move the limit exactly as they do from 0: {@link LimitAlgorithm#ADAPTIVE} is deterministic.
     */
    @ParameterizedTest
    @EnumSource(value = LimitAlgorithm.class, names = {"AIMD", "GRADIENT2", "ADAPTIVE"})
    void theLimitDependsOnTimeDifferencesOnlyNotOnTheClocksOrigin(LimitAlgorithm algorithm) {
        LimiterConfig config = new LimiterConfig(algorithm, 10, 1, 200, 100, Duration.ofSeconds(1));
        List<Integer> fromZero = trajectory(Limit.of(config), 0);
        List<Integer> acrossTheWrap = trajectory(Limit.of(config), Long.MAX_VALUE - 20_000_000L);
        assertThat(fromZero).as("limit over time, from 0").hasSizeGreaterThan(1);
        assertThat(acrossTheWrap).as("%s: limit over time with nanoTime wrapping 20 ms in", algorithm)
                .isEqualTo(fromZero);
    }

    /** Limits after each of 20,000 samples of a closed loop against 20 slots of 1 ms, time starting at {@code origin}. */
    private static List<Integer> trajectory(Limit limit, long origin) {
        List<Integer> limits = new ArrayList<>();
        long now = origin;
        for (int i = 0; i < 20_000; i++) {
            int l = limit.limit();
            long rtt = 1_000_000L * Math.max(1, l / 20);
            limit.onSample(now, rtt, l, false);
            now += Math.max(1, rtt / l);
            if (limits.isEmpty() || limits.getLast() != limit.limit()) {
                limits.add(limit.limit());
            }
        }
        return limits;
    }

    /**
     * ADAPTIVE's javadoc: "At the minimum limit while work succeeds, the window's latency becomes R₀ and the
     * next window probes: the limit spends at most one window of 8 samples there (two for a new limiter)".
     */
    @Test
    void aNewAdaptiveLimiterAtItsMinimumLeavesItWithinTwoShortWindows() {
        LimiterConfig config = new LimiterConfig(LimitAlgorithm.ADAPTIVE, 1, 1, 200, 100, Duration.ofSeconds(1));
        Limit limit = Limit.of(config);
        long now = 0;
        int samples = 0;
        while (limit.limit() == 1 && samples < 1_000) {
            limit.onSample(now, 1_000_000L, 1, false);
            now += 1_000_000L;
            samples++;
        }
        assertThat(samples).as("samples spent at the minimum while work succeeds").isLessThanOrEqualTo(16);
    }

    /**
     * ADAPTIVE's javadoc, Guarantees: "The limit falls at most fourfold per window". The limit moves only when
     * a window ends, so no single sample may take it below a quarter of what it was (rounded down, and never
     * below the minimum). A closed loop always at the limit (never app-limited, no drops) against a downstream
     * of {@code slots} slots whose size and service time change every 20,000 samples, 0.5-1.5 noise. Found:
     * falls of 5x to 44x out of DRAIN, RECOVER and PROBE into CRUISE (to {@code max(BDP, Lₑ)} or the probe's
     * starting limit, which nothing bounds by a quarter), e.g. 44 → 1, 151 → 21, 22 → 4 (seeds 30, 16, 15).
     */
    @Test
    void adaptiveFallsAtMostFourfoldPerWindow() {
        List<String> falls = new ArrayList<>();
        for (int seed = 0; seed < 40 && falls.size() < 5; seed++) {
            java.util.Random random = new java.util.Random(seed);
            Limit limit = Limit.of(new LimiterConfig(LimitAlgorithm.ADAPTIVE, 20, 1, 1000, 100, Duration.ofSeconds(1)));
            long now = 0;
            int slots = 1;
            long base = 1;
            for (int i = 0; i < 200_000; i++) {
                if (i % 20_000 == 0) {
                    slots = 1 + random.nextInt(100);
                    base = 100_000 + random.nextInt(10_000_000);
                }
                int before = limit.limit();
                var phase = limit.phase();
                long rtt = (long) (base * Math.max(1.0, (double) before / slots) * (0.5 + random.nextDouble()));
                limit.onSample(now, rtt, before, false);
                now += Math.max(1, rtt / before);
                int after = limit.limit();
                if (after < Math.max(1, before / 4)) {
                    falls.add("seed " + seed + ", sample " + i + ": " + before + " (" + phase + ") -> " + after + " ("
                            + limit.phase() + ")");
                }
            }
        }
        assertThat(falls).as("falls of more than fourfold in one window").isEmpty();
    }
}
