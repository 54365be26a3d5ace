package io.sweetasync.limit;

/** {@link LimitAlgorithm#FIXED}: the initial limit, forever. */
final class FixedLimit implements Limit {

    private final int limit;

    FixedLimit(int limit) {
        this.limit = limit;
    }

    @Override
    public int limit() {
        return limit;
    }

    @Override
    public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    }

    @Override
    public LimitPhase phase() {
        return LimitPhase.FIXED;
    }

    @Override
    public String toString() {
        return "FixedLimit[" + limit + "]";
    }
}
