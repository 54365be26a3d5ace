package io.sweetasync;

import io.sweetasync.spi.TaskClock;
import java.time.Instant;

/**
 * The wall-clock instants of monotonic times ({@link TaskClock#nanoTime()}), for snapshots: reading the
 * wall clock for every task event costs far more than the monotonic clock, so an instant is derived from
 * an anchor (an instant and the monotonic time read with it) renewed every second, and whenever a time
 * before the anchor is asked for.
 *
 * <p>Invariants: an anchor is immutable and replaced whole by one volatile write, so a reader always sees a
 * consistent pair; racing renewals are harmless (each is a valid anchor, the last write stays). An instant
 * differs from the wall clock read at that moment by at most the clock's drift over a second.
 */
final class WallClockAnchor {

    private static final long RENEW_NANOS = 1_000_000_000L;

    /** An instant and the monotonic time it was read at. */
    private record Anchor(Instant instant, long nanos) {
    }

    private final TaskClock clock;
    private volatile Anchor anchor;

    WallClockAnchor(TaskClock clock) {
        this.clock = clock;
    }

    /** The instant of monotonic time {@code nanos}. */
    Instant instantAt(long nanos) {
        Anchor current = anchor;
        if (current == null || nanos - current.nanos() > RENEW_NANOS || nanos < current.nanos()) {
            current = new Anchor(clock.now(), clock.nanoTime());
            anchor = current;
        }
        return current.instant().plusNanos(nanos - current.nanos());
    }
}
