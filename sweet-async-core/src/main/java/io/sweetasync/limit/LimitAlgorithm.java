package io.sweetasync.limit;

/**
 * How a concurrency group moves its limit. See each implementation for its formulas.
 *
 * <pre>{@code
 * LimiterConfig config = LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.VEGAS);
 * }</pre>
 */
public enum LimitAlgorithm {
    /** The initial limit, never moved. */
    FIXED,
    /** Additive increase, multiplicative decrease on drops (Netflix {@code AIMDLimit}). */
    AIMD,
    /** Queue estimate from the no-load latency (Netflix {@code VegasLimit}, after TCP Vegas). */
    VEGAS,
    /** Gradient of long against short latency averages (Netflix {@code Gradient2Limit}). */
    GRADIENT2,
    /**
     * Ours and the default: the measured bandwidth-delay product, delivery rate times latency without
     * queueing, or higher where a probe showed that more concurrency delivers more; every cut is checked
     * by experiment and undone when it removed no queue (see {@link AdaptiveLimit}).
     */
    ADAPTIVE
}
