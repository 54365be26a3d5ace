package io.sweetasync;

import io.sweetasync.spi.TaskClock;
import java.lang.System.Logger.Level;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;

/**
 * The wall-clock instants of monotonic times ({@link TaskClock#nanoTime()}), for snapshots: reading the
 * wall clock for every task event costs far more than the monotonic clock, so an instant is derived from
 * an anchor (an instant and the monotonic time read with it). At most once a second of monotonic time the
 * wall clock is read again; the anchor is replaced only if the two clocks have drifted apart by more than
 * {@link #MAX_DRIFT} (a clock step, or NTP slewing adding up), so the same monotonic time gives the same
 * instant read after read (a live task's {@code createdAt} does not move between snapshots), and times
 * before the anchor are derived from it too.
 *
 * <p>Invariants: an anchor is immutable and replaced whole by one volatile write, so a reader always sees a
 * consistent triple; racing checks are harmless (each writes a valid anchor, the last write stays). An
 * instant differs from the wall clock read at that moment by at most {@link #MAX_DRIFT} plus the drift of
 * one second.
 *
 * <p>The clock is user code ({@link TaskClock#now()}): one that throws or answers {@code null} is replaced
 * by the system's wall clock for that reading (a warning says so, once), and instants beyond
 * {@link Instant#MIN}..{@link Instant#MAX} are held at those bounds. Snapshots are taken while a task
 * finishes: a failing reading there left the task's waiters waiting for ever.
 */
final class WallClockAnchor {

    private static final long CHECK_NANOS = 1_000_000_000L;
    /** How far the derived instants may drift from the wall clock before the anchor is renewed. */
    static final Duration MAX_DRIFT = Duration.ofMillis(1);

    /**
     * An instant, the monotonic time it was read at, and when the wall clock was last compared with it: what
     * instants are derived from. A finished root's history entry keeps the one its instants were derived
     * from, to derive them when read ({@link FinishedRoot}) exactly as they were when it finished.
     */
    record Anchor(Instant instant, long nanos, long checkedNanos) {

        Instant at(long time) {
            long elapsed = time - nanos;
            try {
                return instant.plusNanos(elapsed);
            }
            catch (DateTimeException | ArithmeticException beyond) {
                return elapsed > 0 ? Instant.MAX : Instant.MIN;
            }
        }
    }

    private static final System.Logger LOG = System.getLogger(WallClockAnchor.class.getName());

    private final TaskClock clock;
    private volatile Anchor anchor;
    /** Whether the clock's failure has been logged (once is enough: every snapshot would log it). */
    private volatile boolean warned;

    WallClockAnchor(TaskClock clock) {
        this.clock = clock;
    }

    /** The instant of monotonic time {@code nanos}. */
    Instant instantAt(long nanos) {
        return anchorAt(nanos).at(nanos);
    }

    /** The anchor that gives the instant of monotonic time {@code nanos} now (checked, as {@link #instantAt}). */
    Anchor anchorAt(long nanos) {
        Anchor current = anchor;
        if (current == null) {
            long now = clock.nanoTime();
            current = new Anchor(wallNow(), now, now);
            anchor = current;
        }
        else if (nanos - current.checkedNanos() > CHECK_NANOS) {
            current = checked(current);
            anchor = current;
        }
        return current;
    }

    /** The clock's instant; the system's when it throws or answers null. */
    private Instant wallNow() {
        Instant wall;
        try {
            wall = clock.now();
        }
        catch (Throwable broken) { // a checked exception too, from a clock in a language without them
            warnOnce(broken);
            return Instant.now();
        }
        if (wall == null) {
            warnOnce(null);
            return Instant.now();
        }
        return wall;
    }

    private void warnOnce(Throwable error) {
        if (!warned) {
            warned = true;
            String message = "the task clock " + clock.getClass().getName() + " could not tell the time ("
                    + (error == null ? "now() returned null" : "now() threw") + "): snapshots use the system clock instead";
            if (error == null) {
                LOG.log(Level.WARNING, message);
            }
            else {
                LOG.log(Level.WARNING, message, error);
            }
        }
    }

    /** {@code current}, or a new anchor if the wall clock has drifted from it by more than {@link #MAX_DRIFT}. */
    private Anchor checked(Anchor current) {
        long now = clock.nanoTime();
        Instant wall = wallNow();
        Duration drift = Duration.between(current.at(now), wall).abs();
        return drift.compareTo(MAX_DRIFT) > 0 ? new Anchor(wall, now, now)
                : new Anchor(current.instant(), current.nanos(), now);
    }
}
