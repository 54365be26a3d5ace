package io.sweetasync.emit;

import java.time.Instant;

/**
 * The instant events are emitted at, derived from the monotonic clock: reading the wall clock for
 * every event would cost more than the rest of emitting it. Re-anchored every second, and whenever the
 * monotonic clock seems to have gone back.
 *
 * <h2>Invariants</h2>
 * The anchor (a wall-clock instant and the monotonic time read with it) is replaced whole through one
 * volatile field, so a reader never pairs one anchor's instant with another's time. Senders that
 * re-anchor at once each write a consistent anchor; the last one stays.
 */
final class EmissionClock {

    /** A wall-clock instant and the monotonic time read with it. */
    private record Anchor(Instant instant, long nanos) {
    }

    private volatile Anchor anchor = new Anchor(Instant.now(), System.nanoTime());

    /** The current instant, within the wall clock's drift over a second. */
    Instant now() {
        long nanos = System.nanoTime();
        Anchor current = anchor;
        long since = nanos - current.nanos();
        if (since > 1_000_000_000L || since < 0) {
            current = new Anchor(Instant.now(), nanos);
            anchor = current;
            return current.instant();
        }
        return current.instant().plusNanos(since);
    }
}
