package io.sweetasync.limit;

/**
 * A limit algorithm: the current concurrency limit, moved by samples of finished work. Not
 * thread-safe: its limiter calls it under its own lock.
 *
 * <pre>{@code
 * Limit limit = Limit.of(LimiterConfig.defaults());
 * limit.onSample(startNanos, rttNanos, inflightAtStart, false);
 * int now = limit.limit();
 * }</pre>
 */
public interface Limit {

    /** The current limit, between the configured minimum and maximum. */
    int limit();

    /**
     * Records one finished unit of work.
     *
     * @param startNanos when it was admitted (monotonic nanoseconds)
     * @param rttNanos   how long it took from admission to completion
     * @param inflight   how many were in flight when it was admitted, itself included
     * @param dropped    whether it timed out or was rejected downstream (a sign of overload)
     */
    void onSample(long startNanos, long rttNanos, int inflight, boolean dropped);

    /** A new limit of the configured algorithm, starting at the configured initial limit. */
    static Limit of(LimiterConfig config) {
        return switch (config.algorithm()) {
            case FIXED -> new FixedLimit(config.initialLimit());
            case AIMD -> new AimdLimit(config);
            case VEGAS -> new VegasLimit(config);
            case GRADIENT2 -> new Gradient2Limit(config);
            case ADAPTIVE -> new AdaptiveLimit(config);
        };
    }
}
