package io.sweetasync.limit;

/**
 * When a window of {@link AdaptiveLimit} ends, and how long it must be. Samples are judged in windows of
 * <pre>
 * N = max(32, 3L, min((cv / 6%)², 100 L, 10,000))       8 at the minimum limit
 * </pre>
 * samples, {@code cv} the smoothed coefficient of variation of latencies, so that a window's relative error
 * {@code ε = cv / √N} stays near 6% however noisy the downstream, as long as that takes at most about
 * {@value #ROUND_TRIPS} round trips of the limit's work ({@code 100 L} samples; beyond, {@code ε} is larger and
 * says so: a window is judged by its own error); and its completions must span 16 clock
 * ticks (a clock coarser than the work measures most of it as 0 ns). Only work admitted since the window
 * began counts ({@link SampleWindow}). A window ends early, as <em>severe</em>, once its first 8 completions
 * (at 8 distinct times) average over {@code 2 R_ref} (beyond noise), except the window that measures a
 * conclusive cut ({@link CutExperiment#measuring()}): it is the experiment, and needs its rate. A probe window
 * whose gain is inconclusive goes on, up to {@value #PROBE_EXTENSIONS} more window lengths.
 *
 * <p>Invariants: the first window only warms up (it holds work admitted before any limit) and is never
 * judged; every later window is judged exactly once, when it ends, unless it is extended (then it is
 * judged once, at its extended end). On restart, the window's limit becomes the limit then in force, and
 * the alarm start ({@link SampleWindow#alarmMean()}) moves to the restart only when the limit fell (older
 * work speaks of the higher limit); otherwise it stays, so work the current limit may slow still counts.
 * Plain fields, no allocation. Not thread-safe.
 */
final class WindowPacing {

    static final int MIN_WINDOW = 32;
    static final int WINDOW_PER_LIMIT = 3;
    static final int MAX_WINDOW = 10_000;
    /**
     * The most round trips of the limit's work a window waits for to lower its noise ({@code ROUND_TRIPS · L}
     * samples): at a small limit 10,000 samples are thousands of round trips. A downstream that hung (10 s calls)
     * left a few completions of hung work among the fast ones of the windows after it, whose {@code cv} (30 and
     * more) kept windows at 10,000 samples, 15-30 s each at a limit of 5: the limit stayed at 3-7 (ideal 100) for
     * a minute after the downstream was back.
     */
    static final int ROUND_TRIPS = 100;
    static final int SHORT_WINDOW = 8;
    /** Clock ticks a window's completions must span: one tick in this many is the target error. */
    static final int MIN_TICKS = 16;
    static final double TARGET_ERROR = 0.06;
    static final int PROBE_EXTENSIONS = 3;

    private final OperatingPoint at;
    private final Baseline baseline;
    private final SampleWindow window = new SampleWindow();
    /** Whether a window has ended (the first only warms up: it holds work admitted before any limit). */
    private boolean warm;
    /** Since when admitted work counts towards the severe-latency alarm. */
    private long alarmFrom = SampleWindow.UNBOUNDED;
    /** Smoothed coefficient of variation of latencies. */
    private double variation = 0.5;
    /** How many times the current probe window was extended because its gain was inconclusive. */
    private int extensions;

    WindowPacing(OperatingPoint at, Baseline baseline) {
        this.at = at;
        this.baseline = baseline;
    }

    /** The window being filled. */
    SampleWindow current() {
        return window;
    }

    /** Records a completion; returns whether it was fresh (admitted since the window began). */
    boolean add(long startNanos, long rttNanos, int inflight, boolean dropped) {
        return window.add(startNanos, rttNanos, inflight, dropped);
    }

    /** Whether the window has its samples, spread over enough clock ticks. */
    boolean full() {
        return window.count() >= target() && timed();
    }

    /**
     * Whether the window's first completions are far slower than the reference latency, beyond noise: it ends
     * early. The caller leaves out the window that measures a cut.
     */
    boolean severe() {
        int n = window.alarmCount();
        // Eight completions at distinct times: a coarse clock measures a few as a whole tick, the rest as 0.
        return baseline.isKnown() && n >= SHORT_WINDOW && window.alarmTicks() >= SHORT_WINDOW
                && window.alarmMean() > baseline.reference()
                        * Math.max(AdaptiveLimit.SEVERE, 1 + Baseline.Z * variation / Math.sqrt(n));
    }

    /**
     * Whether the window's completions span enough clock ticks that its rate (and Little's latency) has the
     * target precision: a clock coarser than the work (1 ms ticks, 10 µs work) put whole windows in one tick,
     * with no rate at all, and the limit sawed between 1 and 23 at 0.73 of a fixed limit's goodput. At the
     * minimum, or with {@value #MAX_WINDOW} samples, the window ends anyway (a clock that stands still).
     */
    private boolean timed() {
        return window.ticks() >= MIN_TICKS || at.windowLimit <= at.min || window.count() >= MAX_WINDOW;
    }

    private int target() {
        if (at.windowLimit <= at.min) {
            return SHORT_WINDOW; // at the minimum a window only needs to show that work succeeds
        }
        return (1 + extensions) * normalWindow();
    }

    private int normalWindow() {
        double precise = Math.min(Math.min(MAX_WINDOW, (double) ROUND_TRIPS * at.windowLimit),
                Math.pow(variation / TARGET_ERROR, 2));
        return (int) Math.max(Math.max(MIN_WINDOW, WINDOW_PER_LIMIT * at.windowLimit), precise);
    }

    /** The relative error of one window of the usual size: {@code cv / √N}. */
    double error() {
        return variation / Math.sqrt(normalWindow());
    }

    /** Whether a window has ended before: the current one is judged when it ends. */
    boolean warm() {
        return warm;
    }

    /** Whether the current window may go on for more samples (a probe's, inconclusive so far). */
    boolean extendable() {
        return extensions < PROBE_EXTENSIONS;
    }

    /** The same window goes on for another window length: more samples, less noise. */
    void extend() {
        extensions++;
    }

    /** How long the current window is, in window lengths. */
    int lengths() {
        return 1 + extensions;
    }

    /** Window {@code w}, just ended, smooths the coefficient of variation that sizes the windows. */
    void learnVariation(SampleWindow w) {
        variation += (w.variation() - variation) * Baseline.GAIN;
    }

    /** A new window begins at {@code now}, under the limit now in force. */
    void restart(long now) {
        extensions = 0;
        warm = true;
        // After a decrease, older work speaks of the higher limit; otherwise the current limit may slow it.
        alarmFrom = at.limit < at.windowLimit ? now : alarmFrom;
        window.restart(now, alarmFrom);
        at.windowLimit = at.limit;
    }
}
