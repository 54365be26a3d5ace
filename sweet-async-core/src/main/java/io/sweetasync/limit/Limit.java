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
     * Records one finished unit of work. No sample, however absurd, makes a built-in algorithm throw or leave
     * {@code [minLimit, maxLimit]}.
     *
     * @param startNanos when it was admitted (monotonic nanoseconds)
     * @param rttNanos   how long it took from admission to completion; a negative one (a clock that stepped back)
     *                   is ignored by every built-in algorithm, 0 (a clock coarser than the work) is not
     * @param inflight   how many were in flight when it was admitted, itself included
     * @param dropped    whether it timed out or was rejected downstream (a sign of overload)
     */
    void onSample(long startNanos, long rttNanos, int inflight, boolean dropped);

    /** What the algorithm is doing now; {@link LimitPhase#CONTINUOUS} for algorithms without phases. */
    default LimitPhase phase() {
        return LimitPhase.CONTINUOUS;
    }

    /**
     * The latency the algorithm takes for "no queueing" (propagation plus service, and for
     * {@link LimitAlgorithm#ADAPTIVE} also latency shown to buy throughput, as under contention), in
     * nanoseconds; 0 when it keeps none or has not measured it yet.
     */
    default long baselineNanos() {
        return 0;
    }

    /**
     * The throughput the algorithm believes the downstream sustains, in completions per second; 0 when
     * it keeps no such estimate or has not measured it yet.
     */
    default double estimatedCapacity() {
        return 0;
    }

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
