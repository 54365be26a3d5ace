package io.sweetasync.limit;

/**
 * {@link LimitAlgorithm#AIMD}, as Netflix concurrency-limits' {@code AIMDLimit} (v0.5.x): loss-based.
 * <ul>
 * <li>on a drop, or a latency above the timeout (5 s): {@code L ← max(min, ⌊L · 0.9⌋)};</li>
 * <li>otherwise, when the work was not app-limited ({@code inflight · 2 ≥ L}): {@code L ← min(max, L + 1)}.</li>
 * </ul>
 * It only reacts to drops: latency growing below the timeout never lowers the limit.
 */
final class AimdLimit implements Limit {

    static final double BACKOFF_RATIO = 0.9;
    static final long TIMEOUT_NANOS = 5_000_000_000L;

    private final int min;
    private final int max;
    private int limit;

    AimdLimit(LimiterConfig config) {
        this.min = config.minLimit();
        this.max = config.maxLimit();
        this.limit = config.initialLimit();
    }

    @Override
    public int limit() {
        return limit;
    }

    @Override
    public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
        if (rttNanos < 0) {
            return; // a clock that stepped back: says nothing of the downstream
        }
        if (dropped || rttNanos > TIMEOUT_NANOS) {
            limit = Math.max(min, (int) (limit * BACKOFF_RATIO));
        }
        else if (inflight * 2 >= limit) {
            limit = Math.min(max, limit + 1);
        }
    }

    @Override
    public String toString() {
        return "AimdLimit[" + limit + "]";
    }
}
