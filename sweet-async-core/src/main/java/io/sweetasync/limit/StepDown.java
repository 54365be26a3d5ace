package io.sweetasync.limit;

/**
 * A step down in concurrency, for {@link AdaptiveLimit}: the window before the step is remembered, the
 * window after it is compared with it. By Little's law {@code R = n / X}, so the elasticity of delivery
 * <pre>
 * e = ln(X↑ / X↓) / ln(n↑ / n↓)
 * </pre>
 * tells what the step removed: {@code e ≈ 0}, delivery held and latency fell, only queue went away;
 * {@code e ≈ 1}, delivery fell in proportion and latency stayed, there was no queue. Plain fields, no
 * allocation. Not thread-safe.
 */
final class StepDown {

    /** The step must cut concurrency by at least 15% to tell anything. */
    static final double CONCLUSIVE = 0.85;
    /** Work that succeeded a window must hold for its delivery rate to mean anything. */
    static final int MIN_GOOD = 8;

    private double concurrency;
    private double latency;
    private double error;
    private double rate;
    private boolean measurable;

    /** Remembers {@code w} as the window before the step. */
    void from(SampleWindow w) {
        concurrency = w.concurrency();
        latency = w.latency();
        error = w.relativeError();
        rate = w.goodRate();
        measurable = good(w);
    }

    private static boolean good(SampleWindow w) {
        return w.count() - w.drops() >= MIN_GOOD;
    }

    /** Whether the step to {@code w} cut concurrency by at least 15%: enough to tell anything. */
    boolean conclusive(SampleWindow w) {
        return w.concurrency() <= CONCLUSIVE * concurrency;
    }

    /**
     * {@code e} for the step to {@code w}; {@code NaN} when the step was too small to tell, or either window had
     * fewer than {@value #MIN_GOOD} successes (a downstream shedding load failed everything after a cut that
     * was not deep enough: its "delivery" was noise, and read as load-independent drops).
     */
    double elasticity(SampleWindow w) {
        if (w.concurrency() > CONCLUSIVE * concurrency || w.goodRate() <= 0 || rate <= 0 || !measurable || !good(w)) {
            return Double.NaN;
        }
        return Math.log(rate / w.goodRate()) / Math.log(concurrency / w.concurrency());
    }

    /**
     * Whether the window before the step measured a delivery rate, from at least {@value #MIN_GOOD} successes:
     * one that a severe latency ended after a few completions may not have, and no step can be compared with it
     * ({@link #elasticity} is {@code NaN} against it).
     */
    boolean measured() {
        return measurable && rate > 0;
    }

    /** The latency of the window before the step, in nanoseconds. */
    double latency() {
        return latency;
    }

    /** The standard error of {@link #elasticity}: the two windows' relative errors over the step's log size. */
    double elasticityError(SampleWindow w) {
        return Math.hypot(error, w.relativeError()) / Math.log(concurrency / w.concurrency());
    }

    /** Whether {@code w}, with less concurrency, has clearly higher latency: the downstream got slower. */
    boolean worse(SampleWindow w) {
        double noise = Baseline.Z * Math.max(error, w.relativeError());
        return w.latency() > latency * (1 + Math.max(Baseline.MIN_TOLERANCE, noise));
    }
}
