package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/**
 * Review of {@link JfrClock}: a vague first mark (its thread stopped inside it, at a safepoint for a GC pause,
 * say: 68 ms was seen for a stream started during allocation) is used because there is no other, but once a
 * precise mark arrives it must not count any more: measured against it, its error is taken for a drift, and
 * every event is then mapped off by that rate times its distance from the latest mark for a baseline.
 */
class JfrClockReviewTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long OFFSET = 1_700_000_000L * SECOND;

    private final JfrClock clock = new JfrClock();

    @Test
    void aVagueFirstMarkDoesNotMakeADriftOfItsError() {
        // 10 ms wide, nanoTime read at its start: its midpoint is 5 ms off (under MAX_RATE per second: not a jump)
        clock.onMark(OFFSET + 10 * SECOND, OFFSET + 10 * SECOND + 10_000_000, 10 * SECOND);
        for (long second = 11; second <= 16; second++) { // precise marks, the offset constant all along
            clock.onMark(OFFSET + second * SECOND - 5_000, OFFSET + second * SECOND + 5_000, second * SECOND);
        }
        long later = 16 * SECOND + 900_000_000L; // an event 0.9 s after the latest mark
        assertThat(clock.nanoTime(OFFSET + later)).isCloseTo(later, offset(20_000L));
    }
}
