package io.sweetasync.limit;

import java.util.concurrent.ThreadLocalRandom;

/**
 * {@link LimitAlgorithm#VEGAS}, as Netflix concurrency-limits' {@code VegasLimit} (v0.5.x), after TCP
 * Vegas. With {@code rttNoLoad} the lowest latency seen since the last probe and {@code lg = max(1, ⌊log10 L⌋)}:
 * <pre>
 * queue = ⌈L · (1 − rttNoLoad / rtt)⌉
 * drop            → L − lg
 * inflight·2 &lt; L  → unchanged (app-limited)
 * queue ≤ lg      → L + 6·lg      (β)
 * queue &lt; 3·lg    → L + lg        (α)
 * queue &gt; 6·lg    → L − lg
 * else            → unchanged
 * </pre>
 * clamped to {@code [1, max]} (and to the configured minimum). Once {@code 30 · L} samples (with jitter
 * 0.5–1.0, {@code L} the limit now, not when the count began) followed the last probe, it forgets
 * {@code rttNoLoad} and takes the sample as the new one. Its weakness:
 * everything hinges on {@code rttNoLoad}; a minimum far below the typical latency (heavy tails) makes
 * it see a queue that is not there. A latency of 0 (a clock coarser than the work) counts as 1 ns; a negative one is
 * ignored.
 */
final class VegasLimit implements Limit {

    private static final int PROBE_MULTIPLIER = 30;

    private final int min;
    private final int max;
    private int limit;
    private long rttNoLoad;
    /** Samples since the last probe. */
    private long probeCount;
    /** This round's jitter, 0.5–1.0. */
    private double probeJitter;

    VegasLimit(LimiterConfig config) {
        this.min = config.minLimit();
        this.max = config.maxLimit();
        this.limit = config.initialLimit();
        this.probeJitter = nextJitter();
    }

    private static double nextJitter() {
        return 0.5 + ThreadLocalRandom.current().nextDouble() * 0.5;
    }

    /**
     * Whether the probe is due, against the limit now (as Netflix's {@code shouldProbe}): a countdown fixed at the
     * last probe, from a limit of 1000, kept a limit that then sank to a handful on a stale {@code rttNoLoad} for
     * 30,000 samples. In doubles: 30 · L overflows an int above L = 71,582,788.
     */
    private boolean probeDue() {
        return probeJitter * PROBE_MULTIPLIER * limit <= probeCount;
    }

    static int log10(int limit) {
        return Math.max(1, (int) Math.log10(limit));
    }

    @Override
    public int limit() {
        return limit;
    }

    @Override
    public void onSample(long startNanos, long rtt, int inflight, boolean dropped) {
        if (rtt < 0) {
            return; // a clock that stepped back: says nothing of the downstream
        }
        // A clock coarser than the work measures it as 0 ns: counted as 1 ns (as GRADIENT2 does), not ignored, or a
        // group whose every call timed out behind such a clock kept its limit for good (its drops were ignored too).
        long rttNanos = Math.max(1, rtt);
        probeCount++;
        if (probeDue()) {
            probeCount = 0;
            probeJitter = nextJitter();
            rttNoLoad = rttNanos;
            return;
        }
        if (rttNoLoad == 0 || rttNanos < rttNoLoad) {
            rttNoLoad = rttNanos;
            return;
        }
        int lg = log10(limit);
        double next;
        if (dropped) {
            next = limit - lg;
        }
        else if (inflight * 2 < limit) {
            return;
        }
        else {
            int queue = (int) Math.ceil(limit * (1 - (double) rttNoLoad / rttNanos));
            if (queue <= lg) {
                next = limit + 6 * lg;
            }
            else if (queue < 3 * lg) {
                next = limit + lg;
            }
            else if (queue > 6 * lg) {
                next = limit - lg;
            }
            else {
                return;
            }
        }
        limit = (int) Math.max(Math.max(1, min), Math.min(max, next));
    }

    /** {@code rttNoLoad}: the lowest latency since the last probe. */
    @Override
    public long baselineNanos() {
        return rttNoLoad;
    }

    @Override
    public String toString() {
        return "VegasLimit[" + limit + ", rttNoLoad=" + rttNoLoad + "ns]";
    }
}
