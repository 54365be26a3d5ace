package io.sweetasync.emit;

import java.time.Instant;
import java.util.Arrays;

/**
 * Events a receiver worker took from the buffer and has not received yet: their data, sequences and
 * emission instants side by side, as {@link EventBuffer#take} filled them. The {@link Event} a receiver
 * is handed is made only as it is received ({@link #event}), on the receiver's own thread, so where the
 * receiver does not keep it the compiler can do without allocating it at all.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>Owned by one receiver worker: filled by its {@link EventBuffer#take} calls under the buffer's
 * lock, read by the same worker afterwards.</li>
 * <li>Slots {@code [0, taken)} hold the taken events; {@link #clear} drops them once they are received,
 * so a received event's data is not kept alive by the worker.</li>
 * </ul>
 */
final class TakenEvents {

    private final Object[] data;
    private final long[] sequences;
    private final Instant[] emittedAt;

    TakenEvents(int capacity) {
        data = new Object[capacity];
        sequences = new long[capacity];
        emittedAt = new Instant[capacity];
    }

    /** Fills a slot; called by {@link EventBuffer#take}. */
    void set(int slot, long sequence, Object item, Instant at) {
        data[slot] = item;
        sequences[slot] = sequence;
        emittedAt[slot] = at;
    }

    /** The event in {@code slot}, made now. */
    @SuppressWarnings("unchecked")
    <E> Event<E> event(int slot) {
        return new Event<>(sequences[slot], (E) data[slot], emittedAt[slot]);
    }

    /** Drops the events in {@code [0, count)}. */
    void clear(int count) {
        Arrays.fill(data, 0, count, null);
        Arrays.fill(emittedAt, 0, count, null);
    }
}
