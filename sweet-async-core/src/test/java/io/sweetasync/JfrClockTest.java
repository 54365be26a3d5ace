package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link JfrClock} maps JFR's times onto {@code System.nanoTime()} from the marks it is given: exactly for a
 * constant offset, following a steady drift, starting afresh after a jump, and never on a vague mark once it
 * has a good one. (That the mapping keeps real events in their tasks under a slewed wall clock is
 * {@link SlewedWallClockTest}.)
 */
class JfrClockTest {

    private static final long SECOND = 1_000_000_000L;
    /** JFR's clock ahead of nanoTime by this, at first. */
    private static final long OFFSET = 1_700_000_000L * SECOND;

    private final JfrClock clock = new JfrClock();

    /** A mark at JFR time {@code jfr}, timed for {@code width} ns, with the nanoTime {@code jfr - offset}. */
    private void mark(long jfr, long width, long offset) {
        clock.onMark(jfr - width / 2, jfr - width / 2 + width, jfr - offset);
    }

    @Test
    void aConstantOffsetMapsExactlyBeforeAndAfterAMark() {
        assertThat(clock.calibrated()).isFalse();
        mark(OFFSET + 10 * SECOND, 10_000, OFFSET);
        assertThat(clock.calibrated()).isTrue();
        assertThat(clock.nanoTime(OFFSET + 9 * SECOND)).isEqualTo(9 * SECOND);
        assertThat(clock.nanoTime(OFFSET + 11 * SECOND)).isEqualTo(11 * SECOND);
        mark(OFFSET + 11 * SECOND, 10_000, OFFSET);
        assertThat(clock.nanoTime(OFFSET + 10_500_000_000L)).isEqualTo(10_500_000_000L);
    }

    /** JFR's ticks 0.1% fast (a mis-estimated tick frequency): after the baseline, events between marks follow it. */
    @Test
    void aSteadyDriftIsFollowedBetweenMarks() {
        double drift = 0.001;
        for (int second = 0; second <= 12; second++) {
            long nano = 100 * SECOND + second * SECOND;
            long jfr = OFFSET + nano + (long) (drift * second * SECOND);
            mark(jfr, 10_000, jfr - nano);
        }
        long lastNano = 112 * SECOND;
        long halfLater = lastNano + SECOND / 2;
        long jfrHalfLater = OFFSET + halfLater + (long) (drift * (halfLater - 100 * SECOND));
        assertThat(clock.nanoTime(jfrHalfLater)).isCloseTo(halfLater, org.assertj.core.data.Offset.offset(20_000L));
    }

    /** Several streams' marks may come microseconds apart: their own few microseconds of error are no jump. */
    @Test
    void marksMicrosecondsApartKeepTheDrift() {
        double drift = 0.001;
        long nano = 0;
        for (int second = 0; second <= 12; second++) {
            nano = 100 * SECOND + second * SECOND;
            long jfr = OFFSET + nano + (long) (drift * second * SECOND);
            mark(jfr, 10_000, jfr - nano);
        }
        long jfr = OFFSET + nano + (long) (drift * 12 * SECOND);
        mark(jfr + 10_000, 10_000, jfr - nano + 4_000); // another stream's, 10 µs later, 4 µs off
        long halfLater = nano + SECOND / 2;
        long jfrHalfLater = OFFSET + halfLater + (long) (drift * (halfLater - 100 * SECOND));
        assertThat(clock.nanoTime(jfrHalfLater)).as("the drift is still followed")
                .isCloseTo(halfLater, org.assertj.core.data.Offset.offset(30_000L));
    }

    @Test
    void aJumpIsTakenAsItIsAndNoRateIsMadeOfIt() {
        mark(OFFSET + 10 * SECOND, 10_000, OFFSET);
        mark(OFFSET + 11 * SECOND, 10_000, OFFSET + 300_000_000L); // a re-anchored chunk: 300 ms in one second
        long jfr = OFFSET + 300_000_000L + 12 * SECOND;
        assertThat(clock.nanoTime(jfr)).isEqualTo(jfr - OFFSET - 300_000_000L);
        for (int second = 12; second <= 20; second++) {
            mark(OFFSET + 300_000_000L + second * SECOND, 10_000, OFFSET + 300_000_000L);
        }
        assertThat(clock.nanoTime(jfr + 5 * SECOND)).as("no drift made of the jump")
                .isEqualTo(jfr + 5 * SECOND - OFFSET - 300_000_000L);
    }

    @Test
    void aVagueMarkIsUsedOnlyWhenThereIsNoOther() {
        mark(OFFSET + 10 * SECOND, 5_000_000, OFFSET + 2_000_000); // descheduled 5 ms inside: still the first
        assertThat(clock.calibrated()).isTrue();
        mark(OFFSET + 11 * SECOND, 10_000, OFFSET);
        mark(OFFSET + 12 * SECOND, 5_000_000, OFFSET + 2_000_000); // vague: ignored
        mark(OFFSET + 12 * SECOND + 1, -1, OFFSET + 2_000_000); // end before start: ignored
        assertThat(clock.nanoTime(OFFSET + 12 * SECOND)).isEqualTo(12 * SECOND);
    }

    @Test
    void aMarkOlderThanTheLastIsIgnored() {
        mark(OFFSET + 10 * SECOND, 10_000, OFFSET);
        mark(OFFSET + 9 * SECOND, 10_000, OFFSET + 1_000_000);
        assertThat(clock.nanoTime(OFFSET + 10 * SECOND)).isEqualTo(10 * SECOND);
    }
}
