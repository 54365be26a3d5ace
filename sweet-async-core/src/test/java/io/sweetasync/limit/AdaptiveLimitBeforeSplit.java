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
 * Samples are judged in windows of {@code N = max(32, 3L, (cv / 6%)²)} samples (at most 10,000; 8 at the
 * minimum limit), {@code cv} the smoothed coefficient of variation of latencies, so that a window's
 * relative error {@code ε = cv / √N} stays near 6% however noisy the downstream; and its completions must
 * span 16 clock ticks (a clock coarser than the work measures most of it as 0 ns). Only work admitted since
 * the window began counts ({@link SampleWindow}); latency is Little's {@code R = n̄ / X}. A window is
 * <em>busy</em> when {@code n̄ ≥ 0.75 L}; one that is not says nothing about capacity and only grows the
 * limit by 10% when demand touched it with latency at the baseline. A window ends early, as
 * <em>severe</em>, once its first 8 completions (at 8 distinct times) average over {@code 2 R_ref} (beyond
 * noise), except the window that measures a conclusive cut (RECOVER): it is the experiment, and needs its rate.
 *
 * <h2>Phases</h2>
 * <pre>
 * STARTUP  L ← 1.5 L while X grows by g = max(10%, 2√2 ε); then DRAIN
 * CRUISE   L ← min(ceiling − 1, max(X̂ · R₀, Lₑ)); PROBE after 6 busy windows (up to 96 after probes that hurt),
 *          at once at the minimum limit; slow or dropping ({@link Baseline}): cut
 * PROBE    one window at P = max(L + 2, 1.25 max(BDP, Lₑ)), only up to the ceiling while below it,
 *          compared with the mean rate of the cruise windows since the last probe:
 *          G = X_P / X_L − 1,  σ_G = √(ε_P² + ε²/k);   it pays when G ≥ (P / L)^¼ − 1   (e ≥ ¼)
 *          G ≥ max(2σ_G, (P / L)^¼ − 1): earned: Lₑ ← min(P, L(1 + G)), Rₑ ← R_P · Lₑ / P (Little's law at
 *                   the rate of P: with a knee inside the step only L(1 + G) of it bought throughput);
 *                   probe again from P (ceiling permitting);
 *          it would pay but σ_G ≤ G &lt; 2σ_G: the same window goes on (up to 4 window lengths): more samples;
 *          latency &gt; 2 R_ref or dropping: a cliff, back to L, ceiling ← probe limit, probe half as often;
 *          otherwise DRAIN
 * DRAIN    L ← 0.75 max(BDP, Lₑ), then steps of ×0.75 while a step only removed queue (e &lt; ½, below),
 *          never below Lₑ; a step below Lₑ with e + σ_e &lt; ¼ (delivery held: it was queue) forgets Lₑ, Rₑ;
 *          the last window measures R₀; then CRUISE
 * cut      L ← max(X · R₀, L / 4): Little's law, what the downstream serves at the baseline latency;
 *          but if the window collapsed (latency &gt; 2 R_ref) back to the last good limit, ceiling ← L → RECOVER;
 *          if that limit is slow too, there is no cliff above it but a downstream that changed: cut afresh
 *          from that window (a step back of less than 15% measures nothing: its window ends early if severe)
 * RECOVER  the window after a cut against the one that called for it, by the elasticity
 *          e = ln(X↑ / X↓) / ln(n↑ / n↓)   (conclusive when n↓ ≤ 0.85 n↑; σ_e its standard error)
 *          with Lₑ: e + σ_e &lt; ¼: the cut removed only queue, forget Lₑ, Rₑ (and go on below);
 *                   e ≥ ¼ with latency and drops unchanged: the cut cost throughput, as when Lₑ was
 *                   earned: Rₑ ← the latency before the cut, back to the limit before it, probe soon
 *                   (and with e ≥ ½, R₀ ← max(R₀, R): the latency after the cut was hardly queue);
 *          e ≈ 0: delivery held, the cut removed queue: keep it (cut again while still slow), probe soon;
 *          e ≥ ½ with latency and drops unchanged: the cut removed no queue of ours, the downstream moved:
 *          R₀ ← R (or d₀ ← d), forget Lₑ, Rₑ and the rates, back to the limit before the cut, probe soon;
 *          still slow but latency rose as concurrency fell, or the window before measured no rate: the
 *          downstream changed under the experiment, hold the limit one window (once per cut) and compare
 *          with this one; after a hold, R₀ is in doubt: cut again no deeper than half
 * </pre>
 * All limits are clamped to {@code [min, max]}.
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
 * <li>The limit falls at most fourfold per window; drops the load does not cause ({@code d₀}) are
 * tolerated, not chased.</li>
 * <li>Reading {@link #limit()}, {@link #phase()}, {@link #baselineNanos()}, {@link #estimatedCapacity()}
 * does not allocate; neither does a sample.</li>
 * </ul>
 * Where it falls short: the earned limit rests on probes of one to four windows, so near a flat throughput
 * peak it stops where a ×1.25 step gains about two standard errors (contention: about 0.9-0.95 of the peak,
 * at 2-3 times the solo latency; less where the peak lies at small concurrency, whose windows are short
 * and noisy); where more concurrency buys a little throughput (slots fed by bursty arrivals) it may run up
 * to {@code L(1 + G)}, above the knee.
 */
final class AdaptiveLimitBeforeSplit implements Limit {

    static final int MIN_WINDOW = 32;
    static final int WINDOW_PER_LIMIT = 3;
    static final int MAX_WINDOW = 10_000;
    static final int SHORT_WINDOW = 8;
    /** Clock ticks a window's completions must span: one tick in this many is the target error. */
    static final int MIN_TICKS = 16;
    static final double TARGET_ERROR = 0.06;
    static final int RATE_WINDOWS = 8;
    static final double BUSY = 0.75;
    static final double STARTUP_GAIN = 1.5;
    static final double PROBE_GAIN = 1.25;
    static final double DRAIN_GAIN = 0.75;
    static final double GROWTH = 0.1;
    static final double SEVERE = 2;
    static final double QUEUE_ELASTICITY = 0.5;
    static final int PROBE_EVERY = 6;
    static final int PROBE_EVERY_MAX = 96;
    static final int PROBE_EXTENSIONS = 3;

    private final int min;
    private final int max;
    private int limit;
    private LimitPhase phase = LimitPhase.STARTUP;

    private final SampleWindow window = new SampleWindow();
    /** Whether a window has ended (the first only warms up: it holds work admitted before any limit). */
    private boolean warm;
    /** The limit in force when the current window began. */
    private int windowLimit;
    /** Since when admitted work counts towards the severe-latency alarm. */
    private long alarmFrom = SampleWindow.UNBOUNDED;
    /** Smoothed coefficient of variation of latencies. */
    private double variation = 0.5;

    private final Baseline baseline = new Baseline();
    /** Delivery rates (not dropped, per second) of busy windows since the last cut. */
    private final Window rates = new Window(RATE_WINDOWS);

    /** The window a step down (DRAIN, RECOVER) is compared with. */
    private final StepDown step = new StepDown();
    /** The limit of the last busy window that was neither slow nor dropping; 0 once used. */
    private int lastGood;
    /** A limit that collapsed the downstream, until a probe shows it harmless; MAX_VALUE when none. */
    private int ceiling = Integer.MAX_VALUE;

    private int cruised;
    private int probeEvery = PROBE_EVERY;
    /** The current or last probe, against the cruise windows before it. */
    private final StepUp probe = new StepUp();
    /** How many times the current probe window was extended because its gain was inconclusive. */
    private int extensions;
    private double startupRate;
    /** The limit when the current cut began, whether drops (not latency) called for it, and their share. */
    private int cutFrom;
    private boolean cutForDrops;
    private double cutDropShare;
    /** Whether this cut already held its limit for a window because the downstream changed under it. */
    private boolean cutHeld;
    /** Whether this cut went back to the last good limit (a cliff just above it), not yet judged there. */
    private boolean backToGood;

    AdaptiveLimitBeforeSplit(LimiterConfig config) {
        this.min = config.minLimit();
        this.max = config.maxLimit();
        this.limit = config.initialLimit();
        this.windowLimit = limit;
    }

    @Override
    public int limit() {
        return limit;
    }

    @Override
    public LimitPhase phase() {
        return phase;
    }

    @Override
    public long baselineNanos() {
        return (long) baseline.reference();
    }

    @Override
    public double estimatedCapacity() {
        return rates.max();
    }

    @Override
    public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
        if (rttNanos < 0 || !window.add(startNanos, rttNanos, inflight, dropped)) {
            return;
        }
        if (severe() || window.count() >= windowTarget() && timed()) {
            endWindow(startNanos + rttNanos);
        }
    }

    private boolean severe() {
        int n = window.alarmCount();
        // Eight completions at distinct times: a coarse clock measures a few as a whole tick, the rest as 0.
        return !measuringCut() && baseline.isKnown() && n >= SHORT_WINDOW && window.alarmTicks() >= SHORT_WINDOW
                && window.alarmMean() > baseline.reference()
                        * Math.max(SEVERE, 1 + Baseline.Z * variation / Math.sqrt(n));
    }

    /**
     * Whether the window measures a cut that was large enough to tell ({@link StepDown#CONCLUSIVE}), or follows
     * a hold (which is there to measure the downstream as it is now): it runs its full length whatever the
     * latency, since the latency was why the limit is here, and a window of a few completions measures no rate
     * to compare (a latency shift read as a collapse cut again and again).
     */
    private boolean measuringCut() {
        return phase == LimitPhase.RECOVER && (windowLimit <= StepDown.CONCLUSIVE * cutFrom || cutHeld);
    }

    /**
     * Whether the window's completions span enough clock ticks that its rate (and Little's latency) has the
     * target precision: a clock coarser than the work (1 ms ticks, 10 µs work) put whole windows in one tick,
     * with no rate at all, and the limit sawed between 1 and 23 at 0.73 of a fixed limit's goodput. At the
     * minimum, or with {@value #MAX_WINDOW} samples, the window ends anyway (a clock that stands still).
     */
    private boolean timed() {
        return window.ticks() >= MIN_TICKS || windowLimit <= min || window.count() >= MAX_WINDOW;
    }

    private int windowTarget() {
        if (windowLimit <= min) {
            return SHORT_WINDOW; // at the minimum a window only needs to show that work succeeds
        }
        return (1 + extensions) * normalWindow();
    }

    private int normalWindow() {
        double precise = Math.min(MAX_WINDOW, Math.pow(variation / TARGET_ERROR, 2));
        return (int) Math.max(Math.max(MIN_WINDOW, WINDOW_PER_LIMIT * windowLimit), precise);
    }

    private void endWindow(long now) {
        if (warm && phase == LimitPhase.PROBE && inconclusive(window)) {
            extensions++; // the same probe window goes on: more samples, less noise
            return;
        }
        if (warm) {
            judge(window);
        }
        extensions = 0;
        warm = true;
        // After a decrease, older work speaks of the higher limit; otherwise the current limit may slow it.
        alarmFrom = limit < windowLimit ? now : alarmFrom;
        window.restart(now, alarmFrom);
        windowLimit = limit;
    }

    private void judge(SampleWindow w) {
        variation += (w.variation() - variation) * Baseline.GAIN;
        boolean dropping = baseline.isDropping(w);
        if (!baseline.isKnown() || (windowLimit <= min && !dropping)) {
            baseline.reset(w.latency()); // the first window, or the limit cannot go lower: take what it gives
        }
        else if (!dropping && w.latency() < baseline.latency() - baseline.tolerance(w)) {
            // Faster than the baseline beyond noise: it was measured with a queue. (Not when dropping: work that
            // fails fast, as a downstream shedding load answers, is not the downstream's latency.)
            baseline.measure(w);
        }
        boolean congested = baseline.isSlow(w) || dropping;
        if (w.concurrency() < BUSY * windowLimit && phase != LimitPhase.PROBE && phase != LimitPhase.DRAIN) {
            // Demand did not fill the limit: no evidence about capacity. Grow if it touched the limit.
            if (w.maxInflight() >= windowLimit && !congested) {
                limit = clamp(Math.min(ceiling - 1.0, limit + Math.max(1, limit / 10.0)));
            }
        }
        else {
            switch (phase) {
                case STARTUP -> startup(w, congested);
                case CRUISE -> cruise(w, congested);
                case PROBE -> probe(w, dropping);
                case DRAIN -> drain(w);
                case RECOVER -> recover(w, congested);
                default -> throw new IllegalStateException(phase.name());
            }
        }
        if (!dropping) {
            baseline.averageDrops(w);
        }
        // The limit falls at most fourfold per window (see Guarantees), whatever a phase concluded from one
        // window: a cruise limit from a window whose rate fell with the downstream (DRAIN, RECOVER or PROBE
        // into CRUISE) fell 44x at once; the next window, if it agrees, takes it further.
        limit = Math.max(limit, clamp(windowLimit / 4.0));
    }

    private void startup(SampleWindow w, boolean congested) {
        if (congested) {
            cut(w);
            return;
        }
        accept(w);
        if (w.goodRate() > startupRate * (1 + growth(w))) {
            startupRate = w.goodRate();
            limit = clamp(Math.max(windowLimit + 1, STARTUP_GAIN * windowLimit));
        }
        else {
            startDrain();
        }
    }

    private void cruise(SampleWindow w, boolean congested) {
        if (congested) {
            cut(w);
            return;
        }
        accept(w);
        // At the minimum with work succeeding, probe at once: the minimum is a floor, not a place.
        if (++cruised >= probeEvery || windowLimit <= min) {
            startProbe();
        }
        else {
            limit = cruiseLimit();
        }
    }

    /** A busy window that was neither slow nor dropping: its rate counts, its limit was good. */
    private void accept(SampleWindow w) {
        rates.add(w.goodRate());
        probe.before(w);
        step.from(w);
        lastGood = windowLimit;
    }

    private void startProbe() {
        phase = LimitPhase.PROBE;
        cruised = 0;
        probe.start(limit, rates.mean());
        double target = Math.max(limit + 2, PROBE_GAIN * Math.max(bdp(), baseline.earnedLimit()));
        limit = clamp(limit < ceiling - 1 ? Math.min(ceiling - 1.0, target) : target);
    }

    private void probe(SampleWindow w, boolean dropping) {
        if (w.latency() > SEVERE * baseline.reference() || dropping) {
            // The probe hurt far more than queueing would: a cliff. Back off, and probe less often.
            probeEvery = Math.min(PROBE_EVERY_MAX, 2 * probeEvery);
            ceiling = Math.min(ceiling, windowLimit);
            limit = clamp(Math.min(probe.from(), windowLimit - 1));
            phase = LimitPhase.CRUISE;
            return;
        }
        if (w.concurrency() < BUSY * windowLimit) {
            limit = probe.from(); // demand did not fill the probe
            phase = LimitPhase.CRUISE;
            return;
        }
        rates.add(w.goodRate());
        if (windowLimit >= ceiling) {
            ceiling = Integer.MAX_VALUE; // whatever made this limit too high before, it hurts no more
        }
        if (probe.gained(w, windowLimit, windowError())) {
            // The probe delivered more, enough to pay for its latency: the concurrency the gain accounts for
            // buys throughput, and the latency there is not queueing. Cruise no lower (Lₑ, Rₑ). Probe on from
            // here while the rate follows (up to a known ceiling): the limit climbs while throughput rises,
            // even when latency rises with it.
            double useful = probe.useful(w, windowLimit);
            baseline.earn((int) Math.round(useful), w.latency() * useful / windowLimit);
            step.from(w);
            lastGood = windowLimit;
            probeEvery = PROBE_EVERY;
            probe.chain(windowLimit, w, 1 + extensions);
            double next = Math.max(windowLimit + 2, PROBE_GAIN * Math.max(windowLimit, bdp()));
            limit = clamp(Math.min(ceiling - 1.0, next));
            if (limit <= windowLimit) {
                phase = LimitPhase.CRUISE;
            }
            return;
        }
        probeEvery = Math.max(PROBE_EVERY, probeEvery / 2);
        startDrain();
    }

    /** The relative error of one window of the usual size: {@code cv / √N}. */
    private double windowError() {
        return variation / Math.sqrt(normalWindow());
    }

    /**
     * Whether a probe window's gain would pay but is only between one and two standard errors, the window
     * neither dropping nor collapsing: worth more samples at the same limit, up to
     * {@value #PROBE_EXTENSIONS} times.
     */
    private boolean inconclusive(SampleWindow w) {
        return extensions < PROBE_EXTENSIONS && w.concurrency() >= BUSY * windowLimit && !baseline.isDropping(w)
                && w.latency() <= SEVERE * baseline.reference() && probe.inconclusive(w, windowLimit, windowError());
    }

    /** The rate growth that counts as more capacity: 10%, or two standard errors of a difference. */
    private static double growth(SampleWindow w) {
        return Math.max(GROWTH, 2 * Math.sqrt(2) * w.relativeError());
    }

    private void startDrain() {
        phase = LimitPhase.DRAIN;
        cruised = 0;
        limit = clamp(Math.min(windowLimit - 1, DRAIN_GAIN * Math.max(bdp(), baseline.earnedLimit())));
    }

    private void drain(SampleWindow w) {
        if (step.worse(w)) {
            cut(w); // latency rose as concurrency fell: the downstream itself got slower
            return;
        }
        boolean busy = w.concurrency() >= BUSY * windowLimit;
        double e = step.elasticity(w);
        if (windowLimit < baseline.earnedLimit() && busy && e + step.elasticityError(w) < StepUp.MIN_ELASTICITY) {
            baseline.forget(); // below the earned limit delivery held: what was earned is queue now
        }
        if (busy && e < QUEUE_ELASTICITY && windowLimit > min && windowLimit >= baseline.earnedLimit()) {
            step.from(w); // only queue went away: descend further
            limit = clamp(Math.min(windowLimit - 1, DRAIN_GAIN * windowLimit));
            return;
        }
        if (busy || !Double.isNaN(e)) {
            baseline.measure(w); // no queue of ours here
        }
        phase = LimitPhase.CRUISE;
        limit = cruiseLimit();
    }

    private void cut(SampleWindow w) {
        cutFrom = windowLimit;
        probe.clear();
        cutForDrops = !baseline.isSlow(w);
        cutDropShare = w.dropShare();
        cutHeld = false;
        backToGood = false;
        rates.clear();
        if (w.goodRate() > 0) {
            rates.add(w.goodRate());
        }
        step.from(w);
        cutAgain(w);
    }

    private void cutAgain(SampleWindow w) {
        // After a hold R₀ is in doubt (the downstream changed): no deeper than half, a step that still tells.
        int little = clamp(Math.max(w.goodRate() * baseline.latency() / 1e9, windowLimit / (cutHeld ? 2.0 : 4.0)));
        double collapse = SEVERE * baseline.reference();
        if ((w.latency() > collapse || w.alarmMean() > collapse) && lastGood > little && lastGood < windowLimit) {
            // Far slower than queueing explains: a cliff just above the last limit that was fine. Little's
            // law does not hold across a collapse: go back there, however close (a cliff at 30 met at 32 was cut
            // to 8 when the way back had to be 15% long), and stay below this one. If it is slow there too, the
            // downstream changed: recover() cuts afresh.
            limit = lastGood;
            ceiling = Math.min(ceiling, windowLimit);
            backToGood = true;
        }
        else {
            limit = Math.min(little, Math.max(min, windowLimit - 1));
        }
        lastGood = 0;
        phase = LimitPhase.RECOVER;
    }

    private void recover(SampleWindow w, boolean congested) {
        double e = step.elasticity(w);
        boolean dropsFell = cutForDrops && w.dropShare() < cutDropShare / 2;
        if (baseline.earnedLimit() > 0 && !Double.isNaN(e)) {
            if (e + step.elasticityError(w) < StepUp.MIN_ELASTICITY) {
                baseline.forget(); // the cut removed only queue: what was earned is queue now
            }
            else if (e >= StepUp.MIN_ELASTICITY && !step.worse(w) && !dropsFell && !cutForDrops) {
                // The cut cost delivery: the latency it removed was buying throughput, as when it was earned.
                // Undo it, and take the latency at the earned limit as it is now. That latency moved, so what
                // more concurrency would earn may have moved with it: probe soon (a latency that keeps rising,
                // each step undone this way, held the limit where the first step left it).
                baseline.earn(baseline.earnedLimit(), step.latency());
                if (e >= QUEUE_ELASTICITY) {
                    // Delivery fell at least half in proportion: the latency at the lower limit was hardly
                    // queue. R₀ is no higher than it, but no lower either: kept low, it would stand for the
                    // downstream as it was once Lₑ is forgotten (a 4x slower mix cruised at a quarter).
                    baseline.raise(w.latency());
                }
                phase = LimitPhase.CRUISE;
                cruised = probeEvery - 1;
                limit = cutFrom;
                return;
            }
        }
        if (e >= QUEUE_ELASTICITY && !step.worse(w) && !dropsFell) {
            // The cut cut delivery in proportion and left latency and drops where they were: there was no
            // queue of ours. The downstream moved (a slower network, a busier neighbour), or some work fails
            // whatever the load. Undo the cut, no further than where it began (a change during the
            // experiment can mimic this), and probe from there soon.
            if (cutForDrops) {
                baseline.resetDrops(w.dropShare());
            }
            else {
                baseline.reset(w.latency());
            }
            ceiling = Integer.MAX_VALUE;
            rates.clear(); // they measured the downstream as it was
            phase = LimitPhase.CRUISE;
            cruised = probeEvery - 1;
            limit = cutFrom;
            return;
        }
        if (backToGood && congested) {
            // The last good limit is slow too: no cliff just above it (going back there fixed a cliff at 30 at
            // once), the downstream changed. This window, not the collapsed one, is the downstream as it is:
            // cut afresh from it, as a first cut (Little's estimate, a window that measures the cut, a hold).
            // A step back of less than 15% was no experiment: it may not hold, and its window ended early if
            // severe, so a capacity drop from 105 costs one short window at 104, not a window held there.
            cut(w);
            return;
        }
        backToGood = false;
        if (congested && !cutHeld && step.conclusive(w) && (step.worse(w) || !step.measured())) {
            // Latency rose although concurrency fell (by 15% at least): no queue of ours does that (a queue's
            // latency does not rise as its load falls), the downstream changed after the window this one is
            // compared with; or
            // that window, ended early by a severe latency, measured no rate. Either way the comparison tells
            // nothing, and Little's estimate with an R₀ that may be stale would cut again for a queue that may
            // not be there (a 5x latency shift spiralled to the minimum). Hold the limit one window, against
            // this one: the next step compares two windows of the downstream as it is now.
            cutHeld = true;
            step.from(w);
            return;
        }
        rates.add(w.goodRate());
        if (congested) {
            if (!Double.isNaN(e)) {
                step.from(w);
            }
            cutAgain(w);
            return;
        }
        // The cut helped. Little's estimate rests on one window's rate: check it upwards soon (a return
        // below a ceiling rests on experience: keep to the probe schedule).
        lastGood = windowLimit;
        phase = LimitPhase.CRUISE;
        cruised = windowLimit < ceiling - 1 ? probeEvery - 1 : 0;
        limit = cruiseLimit();
    }

    /** {@code X̂ · R₀}: the most a recent busy window delivered, times the baseline latency. */
    private double bdp() {
        return rates.isEmpty() ? limit : rates.max() * baseline.latency() / 1e9;
    }

    private int cruiseLimit() {
        return clamp(Math.min(ceiling - 1.0, Math.max(bdp(), baseline.earnedLimit())));
    }

    private int clamp(double value) {
        return (int) Math.max(min, Math.min(max, Math.round(value)));
    }

    @Override
    public String toString() {
        return "AdaptiveLimit[" + limit + ", " + phase + ", baseline=" + baselineNanos() + "ns]";
    }
}
