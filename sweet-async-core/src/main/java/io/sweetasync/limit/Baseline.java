package io.sweetasync.limit;

/**
 * What the downstream looks like without a queue of ours, for {@link AdaptiveLimit}: its latency
 * {@code R₀}, the share of work it drops anyway {@code d₀} (timeouts the load does not cause), and, once a
 * probe showed that more concurrency buys throughput, the limit {@code Lₑ} it earned and the latency there
 * {@code Rₑ} (latency that bought throughput is not queueing either). A window is compared with them beyond
 * noise, with {@code R_ref = max(R₀, Rₑ)}:
 * <pre>
 * slow:      R &gt; R_ref · (1 + max(10%, 3ε))               ε: the window's relative error
 *            (by Little's law, and by the mean of the work admitted since the limit last fell)
 * dropping:  d &gt; d₀ + max(1 point, 3 · √(d₀(1 − d₀) / N))   and at least 2 drops
 * </pre>
 * Measurements lower {@code R₀} at once when clearly lower (beyond twice the tolerance), average in
 * ({@code R₀ ← R₀ + (R − R₀)/4}) within it, and never raise it: only {@link #reset} and {@link #raise} do,
 * on evidence that latency does not depend on concurrency (a cut that cut delivery at least half in
 * proportion). So queueing cannot creep into the baseline. {@code Rₑ} is set only with {@code Lₑ}
 * ({@link #earn}) and forgotten with it. Plain fields, no allocation. Not thread-safe.
 */
final class Baseline {

    static final double MIN_TOLERANCE = 0.1;
    static final double Z = 3;
    static final double GAIN = 0.25;
    static final double MIN_DROP_SHARE = 0.01;

    /** Nanoseconds; 0 until the first measurement. */
    private double latency;
    /** The highest limit shown to buy throughput ({@code Lₑ}), and the latency there ({@code Rₑ}, nanoseconds); 0 when none. */
    private int earnedLimit;
    private double earned;
    private double dropShare;

    /** {@code R₀}. */
    double latency() {
        return latency;
    }

    /** {@code max(R₀, Rₑ)}: the latency that is not queueing, whichever tells it. */
    double reference() {
        return Math.max(latency, earned);
    }

    /** Concurrency up to {@code limit} buys throughput, at latency {@code nanos} there: that latency is not queueing. */
    void earn(int limit, double nanos) {
        earnedLimit = limit;
        earned = nanos;
    }

    /** {@code Lₑ}, 0 when none. */
    int earnedLimit() {
        return earnedLimit;
    }

    /** What bought throughput before counts no more (the downstream changed, or it was queue). */
    void forget() {
        earnedLimit = 0;
        earned = 0;
    }

    boolean isKnown() {
        return latency > 0;
    }

    /** How far above or below {@code R₀} a window's latency must be to count, in nanoseconds. */
    double tolerance(SampleWindow w) {
        return Math.max(MIN_TOLERANCE, Z * w.relativeError()) * latency;
    }

    /**
     * Whether latency is above {@code R₀} beyond tolerance by Little's law and also as the completed work
     * admitted since the limit last fell saw it: right after a collapse, older work that the collapse
     * slowed still holds permits and inflates Little's figure without saying anything of the limit now.
     */
    boolean isSlow(SampleWindow w) {
        double above = reference() + Math.max(MIN_TOLERANCE, Z * w.relativeError()) * reference();
        return w.latency() > above && w.alarmMean() > above;
    }

    boolean isDropping(SampleWindow w) {
        int n = Math.max(1, w.count());
        double noise = Math.sqrt(Math.max(dropShare, 1.0 / n) * (1 - dropShare) / n);
        return w.drops() >= 2 && w.dropShare() > dropShare + Math.max(MIN_DROP_SHARE, Z * noise);
    }

    /** A latency measured without a queue of ours: lowers or refines {@code R₀}, never raises it. */
    void measure(SampleWindow w) {
        double measured = w.latency();
        double tolerance = tolerance(w);
        if (!isKnown() || measured < latency - 2 * tolerance) {
            latency = measured;
        }
        else if (measured <= latency + tolerance) {
            latency += (measured - latency) * GAIN;
        }
    }

    /** Raises {@code R₀} to {@code nanos}, a latency shown to be hardly queue; keeps {@code Lₑ}, {@code Rₑ}. */
    void raise(double nanos) {
        latency = Math.max(latency, nanos);
    }

    /** Takes {@code R₀} as it is now, up or down: it moved, whatever was measured before. */
    void reset(double nanos) {
        latency = nanos;
        forget();
    }

    /** A window that was not dropping refines {@code d₀}. */
    void averageDrops(SampleWindow w) {
        dropShare += (w.dropShare() - dropShare) * GAIN;
    }

    /** Drops that cutting concurrency did not reduce: they are what the downstream drops anyway. */
    void resetDrops(double share) {
        dropShare = share;
    }
}
