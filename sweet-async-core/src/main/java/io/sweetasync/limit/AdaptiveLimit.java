package io.sweetasync.limit;

/**
 * {@link LimitAlgorithm#ADAPTIVE}, the default: the limit is the downstream's measured bandwidth-delay
 * product, and every cut is an experiment, undone when it did not help.
 *
 * <h2>Model</h2>
 * Whatever the downstream is (slots and a queue, processor sharing, a network hop, a cache that thrashes),
 * at concurrency {@code n} it delivers {@code X(n)} per second with mean latency {@code R(n) = n / X(n)}
 * (Little's law). With {@code R₀} the latency without a queue of ours ({@link Baseline}) and {@code X̂} the
 * most a recent busy window delivered, the concurrency it serves at full rate without queueing is
 * <pre>
 * BDP = X̂ · R₀
 * </pre>
 * TCP BBR's operating point: full delivery, least latency. Where latency rises from the first request on
 * (contention: the universal scalability law, {@code X(n) = n / (S(1 + α(n − 1) + β·n(n − 1)))}) there is no
 * such {@code R₀}: every extra request costs latency, and the BDP sits at the latency knee, well below the
 * throughput peak. So concurrency is also judged by what it delivers, by its <em>elasticity</em>
 * <pre>
 * e = d ln X / d ln n        and, by Little's law,   d ln R / d ln n = 1 − e
 * </pre>
 * ({@code e = 1}: no queue, latency flat; {@code e = 0}: pure queue, latency grows in proportion; the slots'
 * knee jumps from 1 to 0, contention slides from 1 to 0 at its peak). A probe that shows
 * {@code e ≥ e_min = ¼} beyond noise ({@link StepUp}) <em>earns</em> its concurrency: the concurrency its gain
 * accounts for, {@code Lₑ}, and the latency there, {@code Rₑ}, are not queueing ({@link Baseline}). The
 * algorithm cruises at
 * <pre>
 * L = max(BDP, Lₑ)         judged against the reference latency  R_ref = max(R₀, Rₑ)
 * </pre>
 * so it climbs while throughput rises by at least a quarter of the concurrency added, even when latency rises
 * with it, and stops where more concurrency is mostly queue.
 *
 * <h2>Windows</h2>
 * Samples are judged in windows of about {@code max(32, 3L, min((cv / 6%)², 100 L))} samples, so that a window's
 * relative error {@code ε} stays near 6% however noisy the downstream, within about 100 round trips
 * ({@link WindowPacing} says when one ends). Latency
 * is Little's {@code R = n̄ / X} over the work admitted since the window began ({@link SampleWindow}). A window
 * is <em>busy</em> when {@code n̄ ≥ 0.75 L}; one that is not says nothing about capacity and only grows the
 * limit by 10% when demand touched it with latency at the baseline.
 *
 * <h2>Phases</h2>
 * Each ended window goes to the phase in force; where the limit stands is an {@link OperatingPoint}.
 * <pre>
 * STARTUP  L ← 1.5 L while X grows by g = max(10%, 2√2 ε); then DRAIN
 * CRUISE   L ← min(ceiling − 1, max(X̂ · R₀, Lₑ)); PROBE after 6 busy windows (up to 96 after probes that hurt),
 *          at once at the minimum limit; slow or dropping ({@link Baseline}): cut
 * PROBE    one window at P = max(L + 2, 1.25 max(BDP, Lₑ)) against the cruise windows before it: a gain
 *          worth elasticity ¼ beyond noise is earned (Lₑ, Rₑ) and probes on, a cliff backs off, else DRAIN
 *          ({@link Probing})
 * DRAIN    L ← 0.75 max(BDP, Lₑ), then steps of ×0.75 while a step only removed queue (e &lt; ½, below),
 *          never below Lₑ; a step below Lₑ with e + σ_e &lt; ¼ (delivery held: it was queue) forgets Lₑ, Rₑ;
 *          the last window measures R₀; then CRUISE
 * cut      L ← max(X · R₀, L / 4), or back to the last good limit after a collapse; then RECOVER
 *          ({@link CutExperiment})
 * RECOVER  the window after a cut against the one that called for it, by the elasticity
 *          e = ln(X↑ / X↓) / ln(n↑ / n↓): a cut that removed only queue stays, one that cost delivery in
 *          proportion is undone (the downstream moved: R₀ re-measured), a downstream that changed under
 *          the experiment is held one window ({@link CutExperiment})
 * </pre>
 * All limits are clamped to {@code [min, max]}.
 *
 * <h2>Invariants</h2>
 * A sample with a negative latency is ignored; only a fresh one (work admitted since the window began) can end
 * a window. Every window after the first (which only warms up) is judged exactly once, when it ends, by the
 * phase in force then, after the baseline has seen it; judging ends with the limit in {@code [min, max]} and
 * no lower than a quarter of the window's limit. The parts share one {@link OperatingPoint} and one
 * {@link Baseline}; only this class calls them, one window at a time. Not thread-safe: the limiter calls it
 * under its lock.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li>At the minimum limit while work succeeds, the window's latency becomes {@code R₀} and the next
 * window probes: the limit spends at most one window of 8 samples there (two for a new limiter,
 * whose first window only warms up).</li>
 * <li>A latency shift with no capacity change (a slower network hop) costs one cut: the cut is
 * conclusive, delivery falls in proportion, {@code R₀} is re-measured and the limit restored; it
 * cannot spiral down, because a cut stays only if it removed queue.</li>
 * <li>{@code R₀} cannot creep up under load: it rises only on RECOVER's evidence that latency does not
 * depend on concurrency, or at the minimum limit. {@code Rₑ} is set only with {@code Lₑ}, by a probe whose
 * gain is beyond two standard errors and worth elasticity ¼, or refreshed at {@code Lₑ} by a cut that cost
 * throughput; a step below {@code Lₑ} or a cut that shows it was queue forgets both. Each earned step from
 * {@code L} to {@code P} raised latency by {@code (P / L) / (1 + G) ≤ (P / L)^(3/4)}: at most three quarters
 * of the concurrency added (in logs) became latency, the rest throughput.</li>
 * <li>After a collapse (a cliff) the limit returns to the last good limit and stays below the bad one
 * until a probe shows it harmless; probes that hurt back off to one in 96 windows (a collapse stalls
 * the downstream for a few windows: so it costs a few percent at most).</li>
 * <li>The limit falls at most fourfold per window, and rises at most fourfold (a downstream that got much faster
 * delivers at its new rate before {@code R₀} has caught up); drops the load does not cause ({@code d₀}) are
 * tolerated, not chased.</li>
 * <li>Reading {@link #limit()}, {@link #phase()}, {@link #baselineNanos()}, {@link #estimatedCapacity()}
 * does not allocate; neither does a sample.</li>
 * </ul>
 * Where it falls short: the earned limit rests on probes of one to four windows, so near a flat throughput
 * peak it stops where a ×1.25 step gains about two standard errors (contention: about 0.9-0.95 of the peak,
 * at 2-3 times the solo latency; less where the peak lies at small concurrency, whose windows are short
 * and noisy); where more concurrency buys a little throughput (slots fed by bursty arrivals) it may run up
 * to {@code L(1 + G)}, above the knee. A downstream that gets faster while probes run (a latency drifting back
 * down) delivers more whatever the concurrency, and that gain can earn a limit it did not buy: it holds, at the
 * latency it was earned at, until a drain below it shows delivery held (seen once in three runs: 31 against 4
 * slots, latency 7x, for 30 s after a tenfold slowdown drifted back over 27 s).
 */
final class AdaptiveLimit implements Limit {

    static final double STARTUP_GAIN = 1.5;
    static final double DRAIN_GAIN = 0.75;
    static final double GROWTH = 0.1;
    /** A window whose latency is over this many times the reference latency collapsed. */
    static final double SEVERE = 2;
    /** A step down whose elasticity is below this removed mostly queue. */
    static final double QUEUE_ELASTICITY = 0.5;

    private final Baseline baseline = new Baseline();
    private final OperatingPoint at;
    private final WindowPacing windows;
    /** The window a step down (DRAIN, RECOVER) is compared with. */
    private final StepDown step = new StepDown();
    private final Probing probing;
    private final CutExperiment cuts;
    private double startupRate;

    AdaptiveLimit(LimiterConfig config) {
        this.at = new OperatingPoint(config, baseline);
        this.windows = new WindowPacing(at, baseline);
        this.probing = new Probing(at, baseline, step);
        this.cuts = new CutExperiment(at, baseline, step, probing);
    }

    @Override
    public int limit() {
        return at.limit;
    }

    @Override
    public LimitPhase phase() {
        return at.phase;
    }

    @Override
    public long baselineNanos() {
        return (long) baseline.reference();
    }

    @Override
    public double estimatedCapacity() {
        return at.rates.max();
    }

    @Override
    public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
        if (rttNanos < 0 || !windows.add(startNanos, rttNanos, inflight, dropped)) {
            return;
        }
        if (!cuts.measuring() && windows.severe() || windows.full()) {
            endWindow(startNanos + rttNanos);
        }
    }

    private void endWindow(long now) {
        SampleWindow w = windows.current();
        if (windows.warm() && at.phase == LimitPhase.PROBE && windows.extendable()
                && probing.inconclusive(w, windows.error())) {
            windows.extend(); // the same probe window goes on: more samples, less noise
            return;
        }
        if (windows.warm()) {
            judge(w);
        }
        windows.restart(now);
    }

    /** The rules every ended window obeys, around the phase in force. */
    private void judge(SampleWindow w) {
        windows.learnVariation(w);
        boolean dropping = baseline.isDropping(w);
        if (!baseline.isKnown() || (at.windowLimit <= at.min && !dropping)) {
            baseline.reset(w.latency()); // the first window, or the limit cannot go lower: take what it gives
        }
        else if (!dropping && w.latency() < baseline.latency() - baseline.tolerance(w)) {
            // Faster than the baseline beyond noise: it was measured with a queue. (Not when dropping: work that
            // fails fast, as a downstream shedding load answers, is not the downstream's latency.)
            baseline.measure(w);
        }
        boolean congested = baseline.isSlow(w) || dropping;
        if (!at.busy(w) && at.phase != LimitPhase.PROBE && at.phase != LimitPhase.DRAIN) {
            // Demand did not fill the limit: no evidence about capacity. Grow if it touched the limit.
            if (w.maxInflight() >= at.windowLimit && !congested) {
                at.limit = at.clamp(Math.min(at.ceiling - 1.0, at.limit + Math.max(1, at.limit / 10.0)));
            }
        }
        else {
            long ratesAdded = at.rates.added();
            switch (at.phase) {
                case STARTUP -> startup(w, congested);
                case CRUISE -> cruise(w, congested);
                case PROBE -> {
                    if (probing.judge(w, dropping, windows.lengths(), windows.error())) {
                        startDrain();
                    }
                }
                case DRAIN -> drain(w);
                case RECOVER -> cuts.recover(w, congested);
                default -> throw new IllegalStateException(at.phase.name());
            }
            if (at.phase == LimitPhase.CRUISE && at.limit <= at.min && at.windowLimit <= at.min && at.busy(w)
                    && !congested) {
                // A DRAIN step or a cut came down to the minimum, and this window there, its work succeeding, measured
                // R₀: probe now, as CRUISE does at the minimum (see Guarantees). Going to CRUISE there first left the
                // limit at the minimum for a second window before that one probed. A cut that helped (RECOVER) may have
                // counted this window's rate already: once, not twice (it would push an older window's out).
                if (at.rates.added() == ratesAdded) {
                    at.rates.add(w.goodRate());
                }
                acceptCounted(w);
                probing.start();
            }
        }
        if (!dropping) {
            baseline.averageDrops(w);
        }
        // The limit falls at most fourfold per window (see Guarantees), whatever a phase concluded from one
        // window: a cruise limit from a window whose rate fell with the downstream (DRAIN, RECOVER or PROBE
        // into CRUISE) fell 44x at once; the next window, if it agrees, takes it further.
        at.limit = Math.max(at.limit, at.clamp(at.windowLimit / 4.0));
        // Nor does it rise more than fourfold: a downstream that got 100x faster delivered at its new rate in a
        // window whose R₀ still held much of the old latency, and X̂ · R₀ took 5 slots' limit to 813 in 20 ms.
        at.limit = Math.min(at.limit, at.clamp(at.windowLimit * 4.0));
    }

    private void startup(SampleWindow w, boolean congested) {
        if (congested) {
            cuts.cut(w);
            return;
        }
        accept(w);
        if (w.goodRate() > startupRate * (1 + growth(w))) {
            startupRate = w.goodRate();
            at.limit = at.clamp(Math.max(at.windowLimit + 1, STARTUP_GAIN * at.windowLimit));
        }
        else {
            startDrain();
        }
    }

    private void cruise(SampleWindow w, boolean congested) {
        if (congested) {
            cuts.cut(w);
            return;
        }
        accept(w);
        // At the minimum with work succeeding, probe at once: the minimum is a floor, not a place.
        if (probing.due()) {
            probing.start();
        }
        else {
            at.limit = at.cruiseLimit();
        }
    }

    /** A busy window that was neither slow nor dropping: its rate counts, its limit was good. */
    private void accept(SampleWindow w) {
        at.rates.add(w.goodRate());
        acceptCounted(w);
    }

    /** As {@link #accept}, for a window whose rate {@code at.rates} already holds. */
    private void acceptCounted(SampleWindow w) {
        probing.before(w);
        step.from(w);
        at.lastGood = at.windowLimit;
    }

    /** The rate growth that counts as more capacity: 10%, or two standard errors of a difference. */
    private static double growth(SampleWindow w) {
        return Math.max(GROWTH, 2 * Math.sqrt(2) * w.relativeError());
    }

    private void startDrain() {
        at.phase = LimitPhase.DRAIN;
        probing.countAfresh();
        at.limit = at.clamp(Math.min(at.windowLimit - 1, DRAIN_GAIN * Math.max(at.bdp(), baseline.earnedLimit())));
    }

    private void drain(SampleWindow w) {
        if (step.worse(w)) {
            cuts.cut(w); // latency rose as concurrency fell: the downstream itself got slower
            return;
        }
        boolean busy = at.busy(w);
        double e = step.elasticity(w);
        if (at.windowLimit < baseline.earnedLimit() && busy && e + step.elasticityError(w) < StepUp.MIN_ELASTICITY) {
            baseline.forget(); // below the earned limit delivery held: what was earned is queue now
        }
        if (busy && e < QUEUE_ELASTICITY && at.windowLimit > at.min && at.windowLimit >= baseline.earnedLimit()) {
            step.from(w); // only queue went away: descend further
            at.limit = at.clamp(Math.min(at.windowLimit - 1, DRAIN_GAIN * at.windowLimit));
            return;
        }
        if (busy || !Double.isNaN(e)) {
            baseline.measure(w); // no queue of ours here
        }
        at.phase = LimitPhase.CRUISE;
        at.limit = at.cruiseLimit();
    }

    @Override
    public String toString() {
        return "AdaptiveLimit[" + at.limit + ", " + at.phase + ", baseline=" + baselineNanos() + "ns]";
    }
}
