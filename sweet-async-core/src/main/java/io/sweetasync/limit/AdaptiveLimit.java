package io.sweetasync.limit;

import java.util.Arrays;

/**
 * {@link LimitAlgorithm#ADAPTIVE}: the default. It answers what the others get wrong: Gradient2 creeps
 * up under moderate overload because its baseline follows the inflated latency; Vegas trusts a minimum
 * latency that heavy tails push far below the typical one; AIMD waits for drops.
 *
 * <h2>Signals, per window of samples</h2>
 * Samples are grouped in windows of {@code max(20, 2·L)}. For each window: the delivery rate
 * {@code X} (completions per second), the mean latency {@code avg}, the 10th percentile {@code p10},
 * the highest in-flight count, and drops. Queueing in front of a saturated downstream delays nearly
 * every request, so it shifts the low percentiles as much as the mean, while heavy tails barely move
 * them: {@code p10} is a steady, noise-resistant probe. The uncongested baseline {@code base} is the
 * lowest {@code p10} of the last 10 windows; it cannot drift up under sustained overload, because the
 * decrease below removes the queue within a window, and the next clean window refreshes it.
 *
 * <h2>Rules, at the end of each window</h2>
 * <pre>
 * queueing   = p10 − base                          (the wait added by queueing)
 * congested  = drops &gt; 0  or  p10 &gt; base · 1.25
 * saturated  = max in-flight ≥ 0.9 · L             (demand reached the limit)
 * congested:             L ← X · (avg − queueing)  (Little's law on service time alone: the
 *                                                   concurrency the downstream really serves)
 *                        growth ← 1
 * clean and saturated:   L ← L + growth;  growth ← min(2 · growth, L / 2)
 * otherwise:             unchanged (app-limited: no evidence either way)
 * </pre>
 * clamped to {@code [min, max]}. After a capacity drop the first congested window sets the limit to
 * the new capacity in one step; after a rise, growth doubles each clean window until the first sign of
 * queueing, which again lands on the capacity.
 */
final class AdaptiveLimit implements Limit {

    static final double CONGESTION_TOLERANCE = 1.25;
    static final double SATURATION = 0.9;
    static final int MIN_WINDOW = 20;
    static final int BASELINE_WINDOWS = 10;

    private final int min;
    private final int max;
    private int limit;
    private double growth = 1;

    private long[] rtts = new long[64];
    private int count;
    private double rttSum;
    private long firstCompletion = Long.MAX_VALUE;
    private long lastCompletion = Long.MIN_VALUE;
    private int maxInflight;
    private int drops;

    private final long[] baselines = new long[BASELINE_WINDOWS];
    private int baselineCount;
    private int baselineNext;

    AdaptiveLimit(LimiterConfig config) {
        this.min = config.minLimit();
        this.max = config.maxLimit();
        this.limit = config.initialLimit();
    }

    @Override
    public int limit() {
        return limit;
    }

    /** The uncongested latency estimate (lowest recent window p10), 0 before the first window. */
    long baselineNanos() {
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < baselineCount; i++) {
            lowest = Math.min(lowest, baselines[i]);
        }
        return baselineCount == 0 ? 0 : lowest;
    }

    @Override
    public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
        if (rttNanos < 0) {
            return;
        }
        if (count == rtts.length) {
            rtts = Arrays.copyOf(rtts, count * 2);
        }
        rtts[count++] = rttNanos;
        rttSum += rttNanos;
        long completion = startNanos + rttNanos;
        firstCompletion = Math.min(firstCompletion, completion);
        lastCompletion = Math.max(lastCompletion, completion);
        maxInflight = Math.max(maxInflight, inflight);
        if (dropped) {
            drops++;
        }
        if (count >= Math.max(MIN_WINDOW, 2 * limit)) {
            endWindow();
        }
    }

    private void endWindow() {
        Arrays.sort(rtts, 0, count);
        long p10 = rtts[count / 10];
        double avg = rttSum / count;
        long span = lastCompletion - firstCompletion;
        double rate = span > 0 ? (count - 1) * 1e9 / span : 0;
        boolean saturated = maxInflight >= SATURATION * limit;
        long base = baselineNanos();
        boolean congested = drops > 0 || (base > 0 && p10 > base * CONGESTION_TOLERANCE);

        if (congested && saturated && rate > 0) {
            double queueing = base > 0 ? Math.max(0, p10 - base) : 0;
            double service = Math.max(avg - queueing, base);
            limit = clamp(rate * service / 1e9);
            growth = 1;
        }
        else if (!congested && saturated) {
            limit = clamp(limit + growth);
            growth = Math.min(growth * 2, Math.max(1, limit / 2.0));
        }
        baselines[baselineNext] = p10;
        baselineNext = (baselineNext + 1) % BASELINE_WINDOWS;
        baselineCount = Math.min(baselineCount + 1, BASELINE_WINDOWS);
        count = 0;
        rttSum = 0;
        firstCompletion = Long.MAX_VALUE;
        lastCompletion = Long.MIN_VALUE;
        maxInflight = 0;
        drops = 0;
    }

    private int clamp(double value) {
        return (int) Math.max(min, Math.min(max, Math.round(value)));
    }

    @Override
    public String toString() {
        return "AdaptiveLimit[" + limit + ", baseline=" + baselineNanos() + "ns]";
    }
}
