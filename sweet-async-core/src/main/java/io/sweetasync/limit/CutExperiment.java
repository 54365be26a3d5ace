package io.sweetasync.limit;

/**
 * {@link AdaptiveLimit}'s cuts, each an experiment: how deep a cut goes, and what the window after it
 * (RECOVER) concludes, compared with the window that called for it ({@link StepDown}).
 * <pre>
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
 *          R₀ ← R (or d₀ ← d), forget Lₑ, Rₑ and the rates, back to the limit before this step of the cut
 *          (the steps before it removed queue), probe soon;
 *          still slow but latency rose as concurrency fell, or the window before measured no rate: the
 *          downstream changed under the experiment, hold the limit one window (once per cut) and compare
 *          with this one; after a hold, R₀ is in doubt: cut again no deeper than half
 * </pre>
 *
 * <p>Invariants: a cut always ends in RECOVER with the last good limit cleared (used at most once); a cut
 * sets the limit below the window's limit (but not below the minimum), or back to the last good limit below
 * it, which then lowers the ceiling to the collapsed limit; {@code cutFrom}, {@code cutForDrops} and {@code cutDropShare}
 * describe the first cut of the current experiment and are set only by {@link #cut}; the hold happens at
 * most once per cut ({@code cutHeld}); an undone cut returns to {@code cutFrom} (the cut cost throughput) or to
 * {@code stepFrom} (its last step removed no queue), never higher. Plain fields,
 * no allocation. Not thread-safe.
 */
final class CutExperiment {

    private final OperatingPoint at;
    private final Baseline baseline;
    private final StepDown step;
    private final Probing probing;
    /** The limit when the current cut began, whether drops (not latency) called for it, and their share. */
    private int cutFrom;
    private boolean cutForDrops;
    private double cutDropShare;
    /**
     * The limit the latest step of the current experiment cut from (for the first cut, {@code cutFrom}): the window
     * {@link StepDown} compares with ran there. A step that removed no queue of ours is undone back to it, not to
     * {@code cutFrom}: the steps before it each removed queue (a series 1000 → 250 → 125 → 63 against a downstream
     * of 100, whose last step cost delivery in proportion, went back to 1000).
     */
    private int stepFrom;
    /** Whether this cut already held its limit for a window because the downstream changed under it. */
    private boolean cutHeld;
    /** Whether this cut went back to the last good limit (a cliff just above it), not yet judged there. */
    private boolean backToGood;

    CutExperiment(OperatingPoint at, Baseline baseline, StepDown step, Probing probing) {
        this.at = at;
        this.baseline = baseline;
        this.step = step;
        this.probing = probing;
    }

    /**
     * Whether the window measures a cut that was large enough to tell ({@link StepDown#CONCLUSIVE}), or follows
     * a hold (which is there to measure the downstream as it is now): it runs its full length whatever the
     * latency, since the latency was why the limit is here, and a window of a few completions measures no rate
     * to compare (a latency shift read as a collapse cut again and again).
     */
    boolean measuring() {
        return at.phase == LimitPhase.RECOVER && (at.windowLimit <= StepDown.CONCLUSIVE * cutFrom || cutHeld);
    }

    /** Window {@code w} was slow or dropping: a new experiment, cutting from its limit. */
    void cut(SampleWindow w) {
        cutFrom = at.windowLimit;
        probing.clear();
        cutForDrops = !baseline.isSlow(w);
        cutDropShare = w.dropShare();
        cutHeld = false;
        backToGood = false;
        at.rates.clear();
        if (w.goodRate() > 0) {
            at.rates.add(w.goodRate());
        }
        step.from(w);
        cutAgain(w);
    }

    private void cutAgain(SampleWindow w) {
        stepFrom = at.windowLimit;
        // After a hold R₀ is in doubt (the downstream changed): no deeper than half, a step that still tells.
        int little = at.clamp(Math.max(w.goodRate() * baseline.latency() / 1e9,
                at.windowLimit / (cutHeld ? 2.0 : 4.0)));
        double collapse = AdaptiveLimit.SEVERE * baseline.reference();
        if ((w.latency() > collapse || w.alarmMean() > collapse) && at.lastGood > little
                && at.lastGood < at.windowLimit) {
            // Far slower than queueing explains: a cliff just above the last limit that was fine. Little's
            // law does not hold across a collapse: go back there, however close (a cliff at 30 met at 32 was cut
            // to 8 when the way back had to be 15% long), and stay below this one. If it is slow there too, the
            // downstream changed: recover() cuts afresh.
            at.limit = at.lastGood;
            at.ceiling = Math.min(at.ceiling, at.windowLimit);
            backToGood = true;
        }
        else {
            at.limit = Math.min(little, Math.max(at.min, at.windowLimit - 1));
        }
        at.lastGood = 0;
        at.phase = LimitPhase.RECOVER;
    }

    /** Judges the window after a cut, {@code congested} when it was slow or dropping. */
    void recover(SampleWindow w, boolean congested) {
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
                if (e >= AdaptiveLimit.QUEUE_ELASTICITY) {
                    // Delivery fell at least half in proportion: the latency at the lower limit was hardly
                    // queue. R₀ is no higher than it, but no lower either: kept low, it would stand for the
                    // downstream as it was once Lₑ is forgotten (a 4x slower mix cruised at a quarter).
                    baseline.raise(w.latency());
                }
                undo(cutFrom); // the latency was buying throughput all the way down from the earned regime
                return;
            }
        }
        if (e >= AdaptiveLimit.QUEUE_ELASTICITY && !step.worse(w) && !dropsFell) {
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
            at.ceiling = Integer.MAX_VALUE;
            at.rates.clear(); // they measured the downstream as it was
            undo(stepFrom);
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
        at.rates.add(w.goodRate());
        if (congested) {
            if (!Double.isNaN(e)) {
                step.from(w);
            }
            cutAgain(w);
            return;
        }
        // The cut helped. Little's estimate rests on one window's rate: check it upwards soon (a return
        // below a ceiling rests on experience: keep to the probe schedule).
        at.lastGood = at.windowLimit;
        at.phase = LimitPhase.CRUISE;
        if (at.windowLimit < at.ceiling - 1) {
            probing.soon();
        }
        else {
            probing.countAfresh();
        }
        at.limit = at.cruiseLimit();
    }

    /** The cut is undone: back to {@code limit} (where it began, or where its last step began), probing soon. */
    private void undo(int limit) {
        at.phase = LimitPhase.CRUISE;
        probing.soon();
        at.limit = limit;
    }
}
