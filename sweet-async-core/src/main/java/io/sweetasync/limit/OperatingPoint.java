package io.sweetasync.limit;

/**
 * Where {@link AdaptiveLimit} stands, shared by its phases: the limit and the phase, the limit the window being
 * measured began under, what bounds the limit (the configured minimum and maximum, a ceiling that collapsed
 * the downstream, the last limit that was good), and the delivery rates of busy windows since the last cut,
 * with the two limits they give:
 * <pre>
 * BDP    = X̂ · R₀                                 X̂ the most a rate window delivered (the limit itself while none)
 * cruise = min(ceiling − 1, max(BDP, Lₑ))          clamped to [min, max]
 * </pre>
 *
 * <p>Invariants: {@code min ≤ limit ≤ max} whenever a window ends (every phase sets the limit through
 * {@link #clamp}, {@link #cruiseLimit} or a limit that was once clamped); {@code windowLimit} is the limit in
 * force when the current window began, written only as a window restarts; {@code ceiling} is
 * {@code MAX_VALUE} or a limit that collapsed the downstream (a probe at or above it that stays healthy
 * lifts it); {@code lastGood} is 0 or the limit of a busy window that was neither slow nor dropping since
 * the last cut (a cut uses it once and clears it). Plain fields, no allocation. Not thread-safe: its limiter
 * calls the algorithm under its lock.
 */
final class OperatingPoint {

    static final int RATE_WINDOWS = 8;
    /** A window is busy, and says something about capacity, when its concurrency reaches this share of its limit. */
    static final double BUSY = 0.75;

    final int min;
    final int max;
    int limit;
    LimitPhase phase = LimitPhase.STARTUP;
    /** The limit in force when the current window began. */
    int windowLimit;
    /** A limit that collapsed the downstream, until a probe shows it harmless; MAX_VALUE when none. */
    int ceiling = Integer.MAX_VALUE;
    /** The limit of the last busy window that was neither slow nor dropping; 0 once used. */
    int lastGood;
    /** Delivery rates (not dropped, per second) of busy windows since the last cut. */
    final Window rates = new Window(RATE_WINDOWS);

    private final Baseline baseline;

    OperatingPoint(LimiterConfig config, Baseline baseline) {
        this.min = config.minLimit();
        this.max = config.maxLimit();
        this.limit = config.initialLimit();
        this.windowLimit = limit;
        this.baseline = baseline;
    }

    /** Whether demand filled window {@code w}: its mean concurrency reached {@value #BUSY} of its limit. */
    boolean busy(SampleWindow w) {
        return w.concurrency() >= BUSY * windowLimit;
    }

    /** {@code X̂ · R₀}: the most a recent busy window delivered, times the baseline latency. */
    double bdp() {
        return rates.isEmpty() ? limit : rates.max() * baseline.latency() / 1e9;
    }

    int cruiseLimit() {
        return clamp(Math.min(ceiling - 1.0, Math.max(bdp(), baseline.earnedLimit())));
    }

    int clamp(double value) {
        return (int) Math.max(min, Math.min(max, Math.round(value)));
    }
}
