package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of the split of {@link AdaptiveLimit} into parts: side by side with the class as it was before the
 * split ({@link AdaptiveLimitBeforeSplit}, copied from 3e0b9c2), fed the same samples of a simulated downstream
 * whose capacity, latency and drops shift, it makes every decision the same, sample after sample.
 */
@Timeout(60)
class AdaptiveSplitReviewTest {

    @Test
    void everyDecisionIsTheOneTheClassMadeBeforeTheSplit() {
        long samples = 0;
        Set<LimitPhase> seen = EnumSet.noneOf(LimitPhase.class);
        for (int seed = 0; seed < 24; seed++) {
            samples += compare(seed, 60_000, seen);
        }
        assertThat(samples).isGreaterThan(1_000_000);
        assertThat(seen).as("the phases compared").contains(LimitPhase.STARTUP, LimitPhase.CRUISE, LimitPhase.PROBE,
                LimitPhase.DRAIN, LimitPhase.RECOVER);
    }

    private static long compare(long seed, int count, Set<LimitPhase> seen) {
        Random random = new Random(seed);
        int max = 4 + random.nextInt(400);
        LimiterConfig config = LimiterConfig.defaults().withLimits(Math.min(max, 1 + random.nextInt(20)), 1, max);
        AdaptiveLimitBeforeSplit before = new AdaptiveLimitBeforeSplit(config);
        AdaptiveLimit after = new AdaptiveLimit(config);
        // A closed loop: each free slot under the limit starts work at once; work's latency rises past the
        // downstream's capacity (a queue), with noise, sometimes a drop, and the downstream shifts now and then.
        PriorityQueue<long[]> running = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        long now = 0;
        double capacity = 2 + random.nextInt(100);
        double service = 1e5 + random.nextInt(5_000_000);
        double dropShare = random.nextInt(3) == 0 ? 0.02 : 0;
        double demand = max;
        for (int i = 0; i < count; i++) {
            if (i % 5_000 == 0 && random.nextBoolean()) {
                capacity = Math.max(1, capacity * (0.25 + 1.5 * random.nextDouble()));
                service = Math.max(1e4, service * (0.25 + 1.5 * random.nextDouble()));
                dropShare = random.nextInt(4) == 0 ? 0.05 * random.nextDouble() : 0;
                demand = random.nextInt(3) == 0 ? 1 + random.nextInt(max) : max;
            }
            while (running.size() < Math.min(before.limit(), demand)) {
                int inflight = running.size() + 1;
                double queue = Math.max(1, inflight / capacity);
                long rtt = (long) (service * queue * Math.exp(0.3 * random.nextGaussian()));
                boolean dropped = random.nextDouble() < dropShare * queue;
                running.add(new long[] {now + Math.max(0, rtt), now, inflight, dropped ? 1 : 0});
            }
            long[] done = running.poll();
            now = done[0];
            before.onSample(done[1], done[0] - done[1], (int) done[2], done[3] == 1);
            after.onSample(done[1], done[0] - done[1], (int) done[2], done[3] == 1);
            seen.add(after.phase());
            if (before.limit() != after.limit() || before.phase() != after.phase()
                    || before.baselineNanos() != after.baselineNanos()
                    || Double.compare(before.estimatedCapacity(), after.estimatedCapacity()) != 0) {
                throw new AssertionError("seed " + seed + ", sample " + i + ": before the split " + before
                        + " capacity " + before.estimatedCapacity() + ", after " + after + " capacity "
                        + after.estimatedCapacity());
            }
        }
        return count;
    }
}
