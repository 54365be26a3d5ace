package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Review 19: ADAPTIVE's javadoc, Guarantees: "At the minimum limit while work succeeds, the window's latency becomes
 * R₀ and the next window probes: the limit spends at most one window of 8 samples there". Pinned for a new limiter
 * only (LimitsHostileAlgorithmTest). A limit that comes down to the minimum by a DRAIN step or a cut went to CRUISE
 * there after its window at the minimum, and only the CRUISE window after it probed: two windows, 17 or 18 samples
 * each time (a downstream of one slot, whose best limit is 1, sat there twice as long between its probes).
 *
 * <p>Counted: the samples that complete while the limit is at the minimum, in a row; a window there ends at its 8th
 * fresh sample, and the work admitted under the limit before (at most 5, as the limit falls at most fourfold per
 * window) completes meanwhile too: at most 12. Virtual time, fixed seed ({@link ClosedLoop}).
 */
class Review19AdaptiveMinimumTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Counts the longest run of samples completing while the limit is at 1. */
    private static final class AtTheMinimum implements Limit {
        private final Limit limit = Limit.of(LimiterConfig.defaults().withLimits(10, 1, 1000));
        private int run;
        private int longest;

        @Override
        public int limit() {
            return limit.limit();
        }

        @Override
        public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
            run = limit.limit() == 1 ? run + 1 : 0;
            longest = Math.max(longest, run);
            limit.onSample(startNanos, rttNanos, inflight, dropped);
        }
    }

    @ParameterizedTest(name = "{0} slots of {1} ms, then {2} of {3} ms")
    @CsvSource({"1, 5, 1, 5", "20, 1, 1, 100", "5, 10, 1, 1000"})
    void aLimitThatCameDownToTheMinimumProbesAfterOneWindowThere(int slots, int millis, int laterSlots,
            int laterMillis) {
        AtTheMinimum limit = new AtTheMinimum();
        ClosedLoop loop = new ClosedLoop(limit, slots, millis * MS);
        loop.run(TimeUnit.SECONDS.toNanos(10));
        loop.reshape(laterSlots, laterMillis * MS);
        loop.run(TimeUnit.SECONDS.toNanos(120));
        assertThat(limit.longest).as("samples in a row at the minimum while work succeeds (%s)", limit.limit)
                .isPositive().isLessThanOrEqualTo(12);
    }
}
