package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.limit.Limit;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.ClosedLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Latency that shifts abruptly, driven through the algorithms' public API with synthetic samples: the limit
 * must follow the downstream both ways, not stick where the old downstream left it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsHostileShiftTest {

    /**
     * VEGAS forgets {@code rttNoLoad} every {@code 30 · L} samples (jitter 0.5-1.0), L the limit <em>now</em>, as in
     * Netflix's {@code VegasLimit}. A downstream that was fast at a large limit and then got 10x slower leaves a
     * {@code rttNoLoad} 10x too low: every sample looks queued and the limit sinks to a handful. The next probe
     * must come within {@code 30 · L} samples of the small limit; counted from the large one (30,000 samples at
     * 1000), the limit stayed far below the downstream's 10 slots for hours of its traffic.
     */
    @Test
    void vegasRelearnsItsNoLoadLatencyAtTheSmallLimitAfterALatencyShiftUp() {
        Limit limit = Limit.of(new LimiterConfig(LimitAlgorithm.VEGAS, 1000, 1, 1000, 100, Duration.ofSeconds(1)));
        long now = 0;
        // a fast downstream with room for everything: 5 ms flat, the limit stays at its maximum
        now = drive(limit, now, 200, 5_000_000L, 1000);
        assertThat(limit.limit()).as("VEGAS against a fast roomy downstream").isGreaterThan(900);
        // now 10x slower and only 10 slots: the limit sinks, and must then find the 10 slots again
        now = drive(limit, now, 6_000, 50_000_000L, 10);
        int lowest = Integer.MAX_VALUE;
        int highest = 0;
        for (int i = 0; i < 20; i++) {
            now = drive(limit, now, 100, 50_000_000L, 10);
            lowest = Math.min(lowest, limit.limit());
            highest = Math.max(highest, limit.limit());
        }
        assertThat(highest).as("VEGAS's highest limit in the last 2,000 samples against 10 slots of 50 ms (lowest %d)",
                lowest).isGreaterThanOrEqualTo(10);
    }

    /**
     * ADAPTIVE at its maximum against a roomy downstream (1000 slots of 50 ms) that then shrinks to 100 slots and
     * gets 10x slower (500 ms: 200 a second, a bandwidth-delay product of 100). The cuts go 1000 → 250 → 125 → 63,
     * each step an experiment; the last one cost delivery in proportion (63 is below the 100 the downstream
     * serves), so it is undone, back to where that step began (125). It went back to where the first cut
     * began, 1000: ten times what the downstream holds, 5 s of queue per request, for several seconds, and the
     * descent all over again.
     */
    @Test
    void adaptiveUndoesOnlyTheStepThatCostDeliveryNotTheWholeDescent() {
        Limit limit = Limit.of(new LimiterConfig(LimitAlgorithm.ADAPTIVE, 20, 1, 1000, 100, Duration.ofSeconds(1)));
        ClosedLoop downstream = new ClosedLoop(limit, 1000, 50_000_000L);
        downstream.run(5_000_000_000L);
        assertThat(limit.limit()).as("ADAPTIVE against 1000 slots of 50 ms").isGreaterThan(700);
        downstream.reshape(100, 500_000_000L);
        StringBuilder trajectory = new StringBuilder();
        boolean cut = false;
        int highestAfterCut = 0;
        for (int second = 0; second < 60; second++) {
            downstream.run(1_000_000_000L);
            trajectory.append(limit.limit()).append(' ');
            cut |= limit.limit() <= 250;
            highestAfterCut = cut ? Math.max(highestAfterCut, limit.limit()) : 0;
        }
        assertThat(cut).as("cut within 60 s of the change (limit per second: %s)", trajectory).isTrue();
        assertThat(highestAfterCut).as("highest limit once cut to 250 or less, against 100 slots (per second: %s)",
                trajectory).isLessThanOrEqualTo(250);
    }

    /**
     * Closed loop: {@code limit()} requests in flight, each taking {@code base · max(1, L / slots)} (a downstream
     * of {@code slots} slots and a queue).
     */
    private static long drive(Limit limit, long now, int samples, long base, int slots) {
        for (int i = 0; i < samples; i++) {
            int l = limit.limit();
            long rtt = base * Math.max(1, l / slots);
            limit.onSample(now, rtt, l, false);
            now += Math.max(1, rtt / Math.max(1, l));
        }
        return now;
    }
}
