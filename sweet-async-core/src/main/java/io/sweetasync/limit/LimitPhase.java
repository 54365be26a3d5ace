package io.sweetasync.limit;

/**
 * What a limit algorithm is doing now, so that a dashboard can tell why the limit moves. Only
 * {@link LimitAlgorithm#ADAPTIVE} has phases; see {@link AdaptiveLimit} for what each one does.
 *
 * <pre>{@code
 * if (snapshot.phase() == LimitPhase.RECOVER) log.info("{} cut its limit to {}", snapshot.group(), snapshot.limit());
 * }</pre>
 */
public enum LimitPhase {
    /** {@link LimitAlgorithm#FIXED}: the limit never moves. */
    FIXED,
    /** {@code AIMD}, {@code VEGAS}, {@code GRADIENT2}: every sample may move the limit; no phases. */
    CONTINUOUS,
    /** Growing from the initial limit while the delivery rate grows with it. */
    STARTUP,
    /** Holding the limit at the estimated capacity (delivery rate times baseline latency). */
    CRUISE,
    /** Trying a higher limit for one window to find capacity that appeared. */
    PROBE,
    /** Holding a lower limit to empty queues and measure the latency baseline. */
    DRAIN,
    /** After a cut: checking that the cut helped; if it did not, the baseline moved and the cut is undone. */
    RECOVER
}
