package io.sweetasync.limit;

/**
 * A step up in concurrency (a probe from {@code L} to {@code P}), for {@link AdaptiveLimit}: the delivery
 * rate of the windows before the step is remembered, the probe window is compared with it. Its gain
 * <pre>
 * G = X_P / X_L − 1        σ_G = √(ε_P² + ε² / k)
 * </pre>
 * ({@code X_L} the mean of the {@code k} windows before, each of relative error {@code ε}; {@code ε_P} the
 * probe window's) counts when it is beyond noise, {@code G ≥ 2σ_G}, and pays for the latency the step
 * adds: at least the gain of elasticity {@code e_min}, {@code G ≥ (P / L)^e_min − 1}. By Little's law
 * {@code R = n / X} the step raised latency by {@code (P / L) / (1 + G)}: with {@code e ≥ e_min} at least a
 * quarter of the added concurrency became throughput, not queue. Plain fields, no allocation. Not
 * thread-safe.
 */
final class StepUp {

    /** The least elasticity {@code e_min} that makes a step's extra latency worth it. */
    static final double MIN_ELASTICITY = 0.25;

    private double cruiseRates;
    private int cruiseWindows;
    private int from;
    private double rateBefore;
    private int windowsBefore = 1;

    /** A window at the limit the next step will start from. */
    void before(SampleWindow w) {
        cruiseRates += w.goodRate();
        cruiseWindows++;
    }

    /** Windows before this no longer describe the limit the next step starts from. */
    void clear() {
        cruiseRates = 0;
        cruiseWindows = 0;
    }

    /** A step from {@code limit}, against the windows before it (or {@code fallbackRate} when there were none). */
    void start(int limit, double fallbackRate) {
        from = limit;
        rateBefore = cruiseWindows > 0 ? cruiseRates / cruiseWindows : fallbackRate;
        windowsBefore = Math.max(1, cruiseWindows);
        clear();
    }

    /** The next step starts from {@code limit}, against window {@code w}, which was {@code windows} windows long. */
    void chain(int limit, SampleWindow w, int windows) {
        from = limit;
        rateBefore = w.goodRate();
        windowsBefore = windows;
    }

    /** The limit the step started from. */
    int from() {
        return from;
    }

    /** {@code G} for the probe window {@code w}. */
    double gain(SampleWindow w) {
        return rateBefore <= 0 ? Double.POSITIVE_INFINITY : w.goodRate() / rateBefore - 1;
    }

    /** {@code σ_G}, {@code windowError} being {@code ε}, the relative error of one window before. */
    double error(SampleWindow w, double windowError) {
        return Math.hypot(w.relativeError(), windowError / Math.sqrt(windowsBefore));
    }

    /** {@code (P / L)^e_min − 1} for a step to {@code to}. */
    double minGain(int to) {
        return Math.pow((double) to / Math.max(1, from), MIN_ELASTICITY) - 1;
    }

    /** Whether the step to {@code to} gained beyond noise and enough to pay for its latency. */
    boolean gained(SampleWindow w, int to, double windowError) {
        return gain(w) >= Math.max(minGain(to), 2 * error(w, windowError));
    }

    /** Whether the gain would pay but is only between one and two standard errors: more samples would tell. */
    boolean inconclusive(SampleWindow w, int to, double windowError) {
        double gain = gain(w);
        double error = error(w, windowError);
        return gain >= Math.max(error, minGain(to)) && gain < 2 * error;
    }

    /**
     * The concurrency the gain accounts for, {@code min(P, L · (1 + G))}: with the downstream's knee inside
     * the step (slots), only that much of it bought throughput; the rest queued.
     */
    double useful(SampleWindow w, int to) {
        return Math.min(to, from * (1 + gain(w)));
    }
}
