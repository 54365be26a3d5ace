package io.sweetasync.limit;

/**
 * {@link AdaptiveLimit}'s probes: when CRUISE tries a higher limit, and what the PROBE window concludes.
 * <pre>
 * schedule  after 6 busy cruise windows (doubling up to 96 after probes that hurt, halving after one that
 *           did not), at once at the minimum limit, soon after a cut that was judged
 * PROBE     one window at P = max(L + 2, 1.25 max(BDP, Lₑ)), only up to the ceiling while below it,
 *           compared with the mean rate of the cruise windows since the last probe ({@link StepUp}):
 *           G ≥ max(2σ_G, (P / L)^¼ − 1): earned: Lₑ ← min(P, L(1 + G)), Rₑ ← R_P · Lₑ / P, probe again from
 *                   P (ceiling permitting);
 *           it would pay but σ_G ≤ G &lt; 2σ_G: the same window goes on ({@link WindowPacing#extend()});
 *           latency &gt; 2 R_ref or dropping: a cliff, back to L, ceiling ← probe limit, probe half as often;
 *           demand did not fill it: back to L;
 *           otherwise DRAIN
 * </pre>
 *
 * <p>Invariants: {@code PROBE_EVERY ≤ probeEvery ≤ PROBE_EVERY_MAX}; {@code cruised} counts the busy cruise
 * windows since the last probe, drain or judged cut (0 after each, or {@code probeEvery − 1} to probe on the
 * next one); the {@link StepUp} holds the rates of the cruise windows since the last probe or cut, and
 * during PROBE the limit the probe started from. Plain fields, no allocation. Not thread-safe.
 */
final class Probing {

    static final double PROBE_GAIN = 1.25;
    static final int PROBE_EVERY = 6;
    static final int PROBE_EVERY_MAX = 96;

    private final OperatingPoint at;
    private final Baseline baseline;
    private final StepDown step;
    private int cruised;
    private int probeEvery = PROBE_EVERY;
    /** The current or last probe, against the cruise windows before it. */
    private final StepUp probe = new StepUp();

    Probing(OperatingPoint at, Baseline baseline, StepDown step) {
        this.at = at;
        this.baseline = baseline;
        this.step = step;
    }

    /** A busy cruise window, neither slow nor dropping: the next probe is compared with it. */
    void before(SampleWindow w) {
        probe.before(w);
    }

    /** The cruise windows so far describe a limit that was cut. */
    void clear() {
        probe.clear();
    }

    /** Counts one more cruise window; whether it is time to probe (at once at the minimum limit). */
    boolean due() {
        return ++cruised >= probeEvery || at.windowLimit <= at.min;
    }

    /** Probes on the next cruise window. */
    void soon() {
        cruised = probeEvery - 1;
    }

    /** Counts cruise windows afresh towards the next probe. */
    void countAfresh() {
        cruised = 0;
    }

    void start() {
        at.phase = LimitPhase.PROBE;
        cruised = 0;
        probe.start(at.limit, at.rates.mean());
        double target = Math.max(at.limit + 2, PROBE_GAIN * Math.max(at.bdp(), baseline.earnedLimit()));
        at.limit = at.clamp(at.limit < at.ceiling - 1 ? Math.min(at.ceiling - 1.0, target) : target);
    }

    /**
     * Judges the probe window {@code w}, {@code lengths} window lengths long, {@code windowError} the relative
     * error of one usual window; returns whether the probe did not pay, so that DRAIN follows.
     */
    boolean judge(SampleWindow w, boolean dropping, int lengths, double windowError) {
        if (w.latency() > AdaptiveLimit.SEVERE * baseline.reference() || dropping) {
            // The probe hurt far more than queueing would: a cliff. Back off, and probe less often.
            probeEvery = Math.min(PROBE_EVERY_MAX, 2 * probeEvery);
            at.ceiling = Math.min(at.ceiling, at.windowLimit);
            at.limit = at.clamp(Math.min(probe.from(), at.windowLimit - 1));
            at.phase = LimitPhase.CRUISE;
            return false;
        }
        if (!at.busy(w)) {
            at.limit = probe.from(); // demand did not fill the probe
            at.phase = LimitPhase.CRUISE;
            return false;
        }
        at.rates.add(w.goodRate());
        if (at.windowLimit >= at.ceiling) {
            at.ceiling = Integer.MAX_VALUE; // whatever made this limit too high before, it hurts no more
        }
        if (probe.gained(w, at.windowLimit, windowError)) {
            // The probe delivered more, enough to pay for its latency: the concurrency the gain accounts for
            // buys throughput, and the latency there is not queueing. Cruise no lower (Lₑ, Rₑ). Probe on from
            // here while the rate follows (up to a known ceiling): the limit climbs while throughput rises,
            // even when latency rises with it.
            double useful = probe.useful(w, at.windowLimit);
            baseline.earn((int) Math.round(useful), w.latency() * useful / at.windowLimit);
            step.from(w);
            at.lastGood = at.windowLimit;
            probeEvery = PROBE_EVERY;
            probe.chain(at.windowLimit, w, lengths);
            double next = Math.max(at.windowLimit + 2, PROBE_GAIN * Math.max(at.windowLimit, at.bdp()));
            at.limit = at.clamp(Math.min(at.ceiling - 1.0, next));
            if (at.limit <= at.windowLimit) {
                at.phase = LimitPhase.CRUISE;
            }
            return false;
        }
        probeEvery = Math.max(PROBE_EVERY, probeEvery / 2);
        return true;
    }

    /**
     * Whether a probe window's gain would pay but is only between one and two standard errors, the window
     * busy, neither dropping nor collapsing: worth more samples at the same limit.
     */
    boolean inconclusive(SampleWindow w, double windowError) {
        return at.busy(w) && !baseline.isDropping(w) && w.latency() <= AdaptiveLimit.SEVERE * baseline.reference()
                && probe.inconclusive(w, at.windowLimit, windowError);
    }
}
