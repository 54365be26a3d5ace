package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WallClockAnchorTest {

    /** A wall clock and a monotonic clock moved by the test, apart when it says so. */
    private static final class TwoClocks implements TaskClock {

        Instant wall = Instant.parse("2026-12-01T10:00:00Z");
        long nanos = 5_000_000_000L;
        int wallReads;

        void advance(Duration duration) {
            wall = wall.plus(duration);
            nanos += duration.toNanos();
        }

        @Override
        public Instant now() {
            wallReads++;
            return wall;
        }

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable action) {
            throw new UnsupportedOperationException();
        }
    }

    private final TwoClocks clocks = new TwoClocks();
    private final WallClockAnchor anchor = new WallClockAnchor(clocks);

    /** A live task's createdAt must not move between snapshots (it moved by microseconds before). */
    @Test
    void theSameMonotonicTimeGivesTheSameInstantReadAfterRead() {
        long created = clocks.nanos;
        Instant first = anchor.instantAt(created);
        assertThat(first).isEqualTo(clocks.wall);
        for (int second = 0; second < 10; second++) {
            clocks.advance(Duration.ofMillis(700));
            clocks.wall = clocks.wall.plusNanos(3_000); // the wall clock slewed a little (NTP)
            anchor.instantAt(clocks.nanos); // later events: the anchor is checked now and then
            assertThat(anchor.instantAt(created)).as("after %s s", (second + 1) * 0.7).isEqualTo(first);
        }
    }

    @Test
    void oldTimesAreDerivedNotReadFromTheWallClockEachTime() {
        long created = clocks.nanos;
        anchor.instantAt(created);
        clocks.advance(Duration.ofSeconds(3));
        anchor.instantAt(clocks.nanos);
        int reads = clocks.wallReads;
        for (int i = 0; i < 10_000; i++) {
            assertThat(anchor.instantAt(created - i)).isEqualTo(clocks.wall.minusSeconds(3).minusNanos(i));
        }
        assertThat(clocks.wallReads).as("no wall-clock read for times before the anchor").isEqualTo(reads);
    }

    @Test
    void aWallClockStepIsFollowedWithinASecondAndSmallDriftIsNot() {
        anchor.instantAt(clocks.nanos);
        clocks.wall = clocks.wall.plus(Duration.ofMillis(500)); // a step of the wall clock (NTP, a user)
        clocks.advance(Duration.ofMillis(1_100));
        assertThat(anchor.instantAt(clocks.nanos)).as("renewed at the check").isEqualTo(clocks.wall);

        Instant before = anchor.instantAt(clocks.nanos);
        clocks.wall = clocks.wall.plus(Duration.ofNanos(WallClockAnchor.MAX_DRIFT.toNanos() / 2)); // slewing
        clocks.advance(Duration.ofMillis(1_100));
        assertThat(anchor.instantAt(clocks.nanos)).as("within the drift allowed: not renewed")
                .isEqualTo(before.plusMillis(1_100));
    }
}
