package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Review of "ADAPTIVE probes after one window at the minimum also when a DRAIN step or a cut brought it there": a
 * window ends at most once, and its delivery rate is one of the busy windows' rates ({@code OperatingPoint.rates},
 * whose max and mean set the cruise limit and the probe's reference). A cut that helped at the minimum (RECOVER into
 * CRUISE there) counted its window's rate, then the new probe-at-the-minimum rule accepted the same window again: its
 * rate twice, pushing an older window's out. Checked on every sample of closed loops that cut down to the minimum:
 * no sample adds two rates. Virtual time, fixed seed ({@link ClosedLoop}).
 */
class Review19RevAdaptiveMinimumRateTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Wraps an ADAPTIVE limit and counts the rates each sample adds (the ring's index moving by more than one). */
    private static final class Counting implements Limit {
        private final AdaptiveLimit limit = new AdaptiveLimit(LimiterConfig.defaults().withLimits(10, 1, 1000));
        private final Object rates;
        private final Field next;
        private final Field count;
        private final int capacity;
        int doubled;
        int recoveredAtTheMinimum;

        Counting() throws ReflectiveOperationException {
            Field at = AdaptiveLimit.class.getDeclaredField("at");
            at.setAccessible(true);
            Object point = at.get(limit);
            Field ratesField = OperatingPoint.class.getDeclaredField("rates");
            ratesField.setAccessible(true);
            rates = ratesField.get(point);
            next = Window.class.getDeclaredField("next");
            next.setAccessible(true);
            count = Window.class.getDeclaredField("count");
            count.setAccessible(true);
            Field values = Window.class.getDeclaredField("values");
            values.setAccessible(true);
            capacity = ((double[]) values.get(rates)).length;
            phase = OperatingPoint.class.getDeclaredField("phase");
            phase.setAccessible(true);
            this.point = point;
        }

        private final Field phase;
        private final Object point;

        @Override
        public int limit() {
            return limit.limit();
        }

        @Override
        public void onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
            try {
                int nextBefore = next.getInt(rates);
                int countBefore = count.getInt(rates);
                Object phaseBefore = phase.get(point);
                limit.onSample(startNanos, rttNanos, inflight, dropped);
                int nextAfter = next.getInt(rates);
                int countAfter = count.getInt(rates);
                int added = Math.floorMod(nextAfter - nextBefore, capacity);
                boolean cleared = countAfter < countBefore || countAfter == 0;
                if (!cleared && added > 1) {
                    doubled++;
                }
                if (phaseBefore == LimitPhase.RECOVER && phase.get(point) == LimitPhase.PROBE) {
                    recoveredAtTheMinimum++;
                }
            }
            catch (IllegalAccessException ex) {
                throw new AssertionError(ex);
            }
        }
    }

    @ParameterizedTest(name = "{0} slots of {1} ms, then {2} of {3} ms")
    @CsvSource({"1, 5, 1, 5", "20, 1, 1, 100", "5, 10, 1, 1000", "20, 1, 1, 20", "50, 2, 2, 200", "10, 1, 1, 50"})
    void aWindowAtTheMinimumCountsItsRateOnce(int slots, int millis, int laterSlots, int laterMillis)
            throws Exception {
        Counting limit = new Counting();
        ClosedLoop loop = new ClosedLoop(limit, slots, millis * MS);
        loop.run(TimeUnit.SECONDS.toNanos(10));
        loop.reshape(laterSlots, laterMillis * MS);
        loop.run(TimeUnit.SECONDS.toNanos(120));
        assertThat(limit.doubled).as("samples that added one window's rate twice (%s recoveries at the minimum)",
                limit.recoveredAtTheMinimum).isZero();
    }
}
