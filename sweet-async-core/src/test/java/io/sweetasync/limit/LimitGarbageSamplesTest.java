package io.sweetasync.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Limit} is public: anyone may feed it samples, and a bug of theirs (a start read from another clock, a
 * latency of {@code Long.MAX_VALUE} for "never answered", a negative one from a clock that stepped back, an in-flight
 * count of 0) must neither throw nor push the limit out of its bounds; a negative latency says nothing and changes
 * nothing; and the default algorithm goes on following the downstream afterwards. All in virtual time, with a fixed
 * seed ({@link ClosedLoop}): the figures are the same at every run.
 */
class LimitGarbageSamplesTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long[][] GARBAGE = {
        {0, Long.MAX_VALUE, 1}, {Long.MAX_VALUE, MS, 1}, {Long.MIN_VALUE, MS, 1}, {Long.MAX_VALUE, Long.MAX_VALUE, 1},
        {0, -MS, 5}, {0, Long.MIN_VALUE, 5}, {0, 0, 0}, {0, MS, -3}, {0, MS, Integer.MAX_VALUE},
        {Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE}, {TimeUnit.DAYS.toNanos(365 * 300), MS, 5},
    };
    /** Narrower and slower, far wider, in between: slots and milliseconds per request. */
    private static final int[][] SHAPES = {{5, 10}, {300, 1}, {20, 2}};

    @ParameterizedTest
    @EnumSource(LimitAlgorithm.class)
    void garbageSamplesNeverThrowNorPushTheLimitOutOfItsBounds(LimitAlgorithm algorithm) {
        Limit limit = Limit.of(config(algorithm));
        new ClosedLoop(limit, 50, MS).run(TimeUnit.SECONDS.toNanos(3));
        for (int round = 0; round < 50; round++) {
            boolean dropped = round % 2 == 0;
            for (long[] sample : GARBAGE) {
                assertThatCode(() -> limit.onSample(sample[0], sample[1], (int) sample[2], dropped))
                        .as("sample %s %s %s", sample[0], sample[1], sample[2]).doesNotThrowAnyException();
                assertThat(limit.limit()).as("limit after a garbage sample").isBetween(1, 400);
            }
        }
    }

    /**
     * Before: GRADIENT2 took a negative latency for 1 ns (as a coarse clock's 0) and ended at 21 against 83. VEGAS
     * draws its probe times at random (two of them never agree) and returns first thing on a latency not above 0.
     */
    @ParameterizedTest
    @EnumSource(value = LimitAlgorithm.class, names = "VEGAS", mode = EnumSource.Mode.EXCLUDE)
    void aNegativeLatencyChangesNothing(LimitAlgorithm algorithm) {
        Limit limit = Limit.of(config(algorithm));
        Limit control = Limit.of(config(algorithm));
        ClosedLoop loop = new ClosedLoop(limit, 50, MS);
        ClosedLoop controlLoop = new ClosedLoop(control, 50, MS);
        loop.run(TimeUnit.SECONDS.toNanos(3));
        controlLoop.run(TimeUnit.SECONDS.toNanos(3));
        for (int round = 0; round < 50; round++) {
            limit.onSample(TimeUnit.SECONDS.toNanos(3), -MS, limit.limit(), false);
            limit.onSample(TimeUnit.SECONDS.toNanos(3), Long.MIN_VALUE, limit.limit(), false);
        }
        assertThat(follow(limit, loop)).as("limits after negative latencies")
                .isEqualTo(follow(control, controlLoop));
    }

    /** The samples that move its windows' clock: a completion (start + latency) far ahead, behind, or overflowing. */
    @Test
    void theDefaultAlgorithmFollowsTheDownstreamAfterGarbageTimes() {
        Limit control = Limit.of(config(LimitAlgorithm.ADAPTIVE));
        ClosedLoop controlLoop = new ClosedLoop(control, 50, MS);
        controlLoop.run(TimeUnit.SECONDS.toNanos(3));
        List<Integer> without = follow(control, controlLoop);
        long[][] times = {GARBAGE[0], GARBAGE[1], GARBAGE[2], GARBAGE[9], GARBAGE[10]};
        for (long[] sample : times) {
            Limit limit = Limit.of(config(LimitAlgorithm.ADAPTIVE));
            ClosedLoop loop = new ClosedLoop(limit, 50, MS);
            loop.run(TimeUnit.SECONDS.toNanos(3));
            for (int round = 0; round < 50; round++) {
                limit.onSample(sample[0], sample[1], (int) sample[2], false);
            }
            List<Integer> after = follow(limit, loop);
            for (int i = 0; i < SHAPES.length; i++) {
                assertThat(after.get(i)).as("limit after 50 samples %s %s %s, once the downstream had %s slots of %s "
                        + "ms, against %s without them", sample[0], sample[1], sample[2], SHAPES[i][0], SHAPES[i][1],
                        without.get(i)).isBetween(without.get(i) / 2, without.get(i) * 2);
            }
        }
    }

    private static LimiterConfig config(LimitAlgorithm algorithm) {
        return LimiterConfig.defaults().withAlgorithm(algorithm).withLimits(10, 1, 400);
    }

    /** The limit at the end of 10 s of each of {@link #SHAPES}. */
    private static List<Integer> follow(Limit limit, ClosedLoop loop) {
        List<Integer> limits = new ArrayList<>();
        for (int[] shape : SHAPES) {
            loop.reshape(shape[0], shape[1] * MS);
            loop.run(TimeUnit.SECONDS.toNanos(10));
            limits.add(limit.limit());
        }
        return limits;
    }
}
