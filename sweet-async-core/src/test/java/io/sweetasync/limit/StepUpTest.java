package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * {@link StepUp}: when a probe's gain in delivery earns its concurrency. Windows here have constant
 * latencies (no noise of their own), so the noise is only the one given for the windows before.
 */
class StepUpTest {

    private static final double NO_NOISE = 0;

    @Test
    void aGainWorthAQuarterOfTheConcurrencyAddedIsEarned() {
        StepUp probe = startedAt(20, 200);
        // 20 → 25: the step must gain (25/20)^¼ − 1 = 5.7%; 10% does.
        SampleWindow up = window(220);
        assertThat(probe.minGain(25)).isCloseTo(0.0574, within(0.0001));
        assertThat(probe.gain(up)).isCloseTo(0.10, within(0.001));
        assertThat(probe.gained(up, 25, NO_NOISE)).isTrue();
    }

    @Test
    void aGainTooSmallForTheLatencyItCostsIsNotEarnedHoweverCertain() {
        StepUp probe = startedAt(20, 200);
        SampleWindow up = window(206); // 3%: three quarters and more of the added concurrency queued
        assertThat(probe.gained(up, 25, NO_NOISE)).isFalse();
        assertThat(probe.inconclusive(up, 25, NO_NOISE)).isFalse();
    }

    @Test
    void aGainWithinTwoStandardErrorsAsksForMoreSamples() {
        StepUp probe = startedAt(20, 200);
        SampleWindow up = window(214); // 7%, with one window before of relative error 4%: σ = 4%
        assertThat(probe.gained(up, 25, 0.04)).isFalse();
        assertThat(probe.inconclusive(up, 25, 0.04)).isTrue();
        // Beyond two standard errors it counts.
        assertThat(probe.gained(window(218), 25, 0.04)).isTrue();
    }

    @Test
    void onlyTheConcurrencyTheGainAccountsForIsUseful() {
        StepUp probe = startedAt(32, 600);
        // 32 → 48 delivering 25% more: a knee near 40 inside the step; the rest of it queued.
        assertThat(probe.useful(window(750), 48)).isCloseTo(40, within(0.01));
        // Contention: each step gains less than its size, all of it counts up to the probe's limit.
        assertThat(probe.useful(window(1200), 48)).isEqualTo(48);
    }

    @Test
    void theWindowsBeforeAreAveragedAndForgottenOnceUsed() {
        StepUp probe = new StepUp();
        probe.before(window(190));
        probe.before(window(210));
        probe.start(20, 999);
        assertThat(probe.gain(window(220))).isCloseTo(0.10, within(0.001));
        probe.start(20, 300); // no windows since: the fallback rate
        assertThat(probe.gain(window(330))).isCloseTo(0.10, within(0.001));
    }

    private static StepUp startedAt(int limit, double rate) {
        StepUp probe = new StepUp();
        probe.before(window(rate));
        probe.start(limit, 0);
        return probe;
    }

    /** 101 completions of 50 ms each, evenly spaced at {@code rate} per second. */
    private static SampleWindow window(double rate) {
        SampleWindow w = new SampleWindow();
        w.restart(0, 0);
        long gap = (long) (1e9 / rate);
        for (int i = 0; i <= 100; i++) {
            w.add(i * gap, 50_000_000L, 10, false);
        }
        return w;
    }
}
