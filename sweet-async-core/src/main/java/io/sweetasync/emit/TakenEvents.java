package io.sweetasync.emit;

import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Events a receiver worker took from the buffer and has not received yet: their data, sequences and
 * emission instants side by side, as {@link EventBuffer#take} filled them. The {@link Event} a receiver
 * is handed is made only as it is received ({@link #event}), on the receiver's own thread, so where the
 * receiver does not keep it the compiler can do without allocating it at all.
 *
 * <p>A <em>shared</em> batch ({@link #shared}) can be claimed from by other workers too: a worker stuck
 * in one event (blocked, or waiting for another event of its own batch) must not hold the events it
 * took after it hostage while its siblings idle. Its owner claims slot after slot ({@link #claim}); a
 * worker that found nothing to take steals the unclaimed ones ({@link #steal}), one at a time.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>Owned by one receiver worker: filled by its {@link EventBuffer#take} calls under the buffer's
 * lock, read by the same worker afterwards; others only read the slots of a shared batch, and keep what
 * they read only if their claim succeeds.</li>
 * <li>Slots {@code [0, taken)} hold the taken events; {@link #clear} drops them once they are received,
 * so a received event's data is not kept alive by the worker. A stolen event's slot is dropped by its
 * thief as it claims it: the thief receives and releases it while the owner may still be stuck in its
 * own event, and the released event must not stay reachable beside the buffer's new ones.</li>
 * <li>Shared batches: {@code claims} packs a generation (bumped at every {@link #open}), the batch's
 * count and the next unclaimed slot; every slot is claimed exactly once, by a successful increment of
 * the next slot within the generation it was read in. Slot 0 is the owner's from the start (taken in
 * hand). Between {@link #close} and the next {@link #open} nothing can be claimed, so the owner
 * refills slots that no claim can reach, and a claim that read a slot being refilled fails. A thief
 * drops the slot it claimed inside {@link #steal}, counted in {@code thieves}; {@link #close} returns only
 * once no thief is inside, so no drop of the old batch's slot lands on the owner's refill.</li>
 * </ul>
 */
final class TakenEvents {

    private static final int NEXT_BITS = 8;
    private static final long NEXT_MASK = (1L << NEXT_BITS) - 1;
    private static final long GENERATION = 1L << (2 * NEXT_BITS);

    /** Grown only by the owner of a batch that is not shared ({@link #ensureCapacity}). */
    private Object[] data;
    private long[] sequences;
    private Instant[] emittedAt;
    /** Null unless shared: generation, count and next unclaimed slot (see the invariants). */
    private final AtomicLong claims;
    /** Null unless shared: workers inside {@link #steal}, each of which may still drop its claimed slot. */
    private final AtomicInteger thieves;

    private TakenEvents(int capacity, boolean shared) {
        data = new Object[capacity];
        sequences = new long[capacity];
        emittedAt = new Instant[capacity];
        claims = shared ? new AtomicLong() : null;
        thieves = shared ? new AtomicInteger() : null;
    }

    /** A batch only its owner reads; it grows as the owner needs ({@link #ensureCapacity}). */
    TakenEvents(int capacity) {
        this(capacity, false);
    }

    /** How many events fit now. */
    int capacity() {
        return data.length;
    }

    /**
     * Makes room for {@code capacity} events, keeping those held: a batch that is not shared grows as
     * events come, so a huge batch size is a bound, not an allocation.
     */
    void ensureCapacity(int capacity) {
        if (claims != null) {
            throw new IllegalStateException("a shared batch does not grow");
        }
        if (capacity > data.length) {
            data = Arrays.copyOf(data, capacity);
            sequences = Arrays.copyOf(sequences, capacity);
            emittedAt = Arrays.copyOf(emittedAt, capacity);
        }
    }

    /** A batch other workers may claim from (at most {@link EventBuffer#MAX_BATCH} events). */
    static TakenEvents shared(int capacity) {
        if (capacity > EventBuffer.MAX_BATCH) {
            throw new IllegalArgumentException("a shared batch holds at most " + EventBuffer.MAX_BATCH + ": " + capacity);
        }
        return new TakenEvents(capacity, true);
    }

    /**
     * Opens slots {@code [0, count)} of a shared batch to claims, slot 0 already the owner's; called by
     * {@link EventBuffer#take} under its lock, so a worker that then finds the buffer drained finds this
     * batch. Nothing for a batch that is not shared.
     */
    void open(int count) {
        if (claims != null) {
            long generation = (claims.get() & ~(GENERATION - 1)) + GENERATION;
            claims.set(generation | (long) count << NEXT_BITS | 1);
        }
    }

    /** The owner's next slot of a shared batch, or {@code -1} once every slot is claimed. */
    int claim() {
        long state = claims.getAndIncrement();
        int next = (int) (state & NEXT_MASK);
        return next < (int) (state >>> NEXT_BITS & NEXT_MASK) ? next : -1;
    }

    /**
     * Another worker's claim of one unclaimed slot of this shared batch: its event, or null when none is
     * left. The slot is dropped as it is claimed: the event is the thief's alone from then on.
     */
    @SuppressWarnings("unchecked")
    <E> Event<E> steal() {
        thieves.incrementAndGet();
        try {
            while (true) {
                long state = claims.get();
                int next = (int) (state & NEXT_MASK);
                if (next >= (int) (state >>> NEXT_BITS & NEXT_MASK)) {
                    return null;
                }
                Object item = data[next];
                long sequence = sequences[next];
                Instant at = emittedAt[next];
                VarHandle.acquireFence(); // the slot's reads before the claim that validates them
                if (claims.compareAndSet(state, state + 1)) {
                    // the owner refills no slot before close() has seen this thief leave (thieves lowered after)
                    data[next] = null;
                    emittedAt[next] = null;
                    return new Event<>(sequence, (E) item, at);
                }
            }
        }
        finally {
            thieves.decrementAndGet();
        }
    }

    /**
     * Ends the claims of a shared batch: how many slots were still unclaimed (none is claimable after).
     * Returns once no thief is inside {@link #steal}, so the owner may refill every slot.
     */
    int close() {
        int unclaimed = endClaims();
        boolean interrupted = false;
        for (int turn = 0; thieves.get() != 0; turn++) {
            interrupted |= Waits.spin(turn); // a thief between its claim and its drop, or about to find nothing
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return unclaimed;
    }

    private int endClaims() {
        while (true) {
            long state = claims.get();
            int next = (int) (state & NEXT_MASK);
            int count = (int) (state >>> NEXT_BITS & NEXT_MASK);
            if (next >= count) {
                return 0;
            }
            if (claims.compareAndSet(state, (state & ~NEXT_MASK) | count)) {
                return count - next;
            }
        }
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
