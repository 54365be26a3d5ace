package io.sweetasync.emit;

import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Events a sender pulled from a source and has not published yet. They sit in slots reserved in the
 * buffer (so they count against it) and are published as one batch when the reservation is full: one
 * lock and one wake-up per batch instead of per event. The reservation doubles (up to
 * {@link EventBuffer#MAX_BATCH}) while the source yields events fast and drops to one as soon as it does
 * not. If the source stalls with events staged (say it waits for the receivers to finish them), the
 * coordinator publishes them at its next tick ({@link #rescue}).
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>All state but {@code busy} is touched only while holding {@code busy}: by the sender while it
 * stages or finishes, by the coordinator while it rescues. The sender spins for it (the coordinator
 * holds it for one publish at most), parking after a while ({@link Waits#spin}: a coordinator that parked on
 * the buffer's lock needs a carrier back); the coordinator only tries, and skips a busy batch.</li>
 * <li>{@code 0 <= count <= reserved}: staged events always sit in reserved slots, and every
 * reservation is published (the unused part released) by {@link #finish} at the latest, once: a batch the
 * closed buffer refused is gone too (the refusal released its slots).</li>
 * <li>A staging is in {@code live} (the set the coordinator rescues from) from its creation until
 * {@link #finish}.</li>
 * </ul>
 */
final class StagedEvents implements Consumer<Object> {

    /**
     * Batches grow only while pulls are this fast, so a pulled event waits at most a few microseconds
     * (or one slow pull) for the rest of its batch.
     */
    private static final long BATCH_PULL_NANOS = 2_000;
    /** Staged events older than this are published by the coordinator's tick. */
    private static final long RESCUE_NANOS = 1_000_000;

    private final EventBuffer buffer;
    private final EmissionClock clock;
    private final Set<StagedEvents> live;
    /** What this staging's sender has emitted, raised as each batch is published (by whichever thread). */
    private final LongAdder published;
    /** Held by the sender while it stages, and by the coordinator while it rescues. */
    private final AtomicBoolean busy = new AtomicBoolean();
    private final Object[] items = new Object[EventBuffer.MAX_BATCH];
    private int size = 1;
    private int reserved;
    private int count;
    private long start;

    /**
     * A staging for one sender's drain of one source; it joins {@code live} until {@link #finish}, and adds
     * what it publishes to {@code published}.
     */
    StagedEvents(EventBuffer buffer, EmissionClock clock, Set<StagedEvents> live, LongAdder published) {
        this.buffer = buffer;
        this.clock = clock;
        this.live = live;
        this.published = published;
        live.add(this);
    }

    /** For a source's {@code forEachRemaining}: an interrupt comes out as {@link Interrupted}. */
    @Override
    public void accept(Object item) {
        try {
            offer(item);
        }
        catch (InterruptedException ex) {
            throw new Interrupted(ex);
        }
    }

    /** Stages {@code item}, waiting for room in the buffer first if nothing is reserved. */
    void offer(Object item) throws InterruptedException {
        acquire();
        try {
            if (reserved == 0) {
                reserved = buffer.reserve(size);
                start = System.nanoTime();
            }
            items[count++] = item;
            if (count == reserved) {
                publishStaged();
            }
        }
        finally {
            busy.setRelease(false);
        }
    }

    /** Publishes what is staged and releases the unused reservation. */
    void finish() {
        live.remove(this);
        acquire();
        try {
            publishStaged();
        }
        finally {
            busy.setRelease(false);
        }
    }

    /** For the sender; the coordinator only tries, and holds it for one publish at most. */
    private void acquire() {
        boolean interrupted = false;
        for (int turn = 0; !busy.compareAndSet(false, true); turn++) {
            interrupted |= Waits.spin(turn); // the coordinator is publishing the staged batch: a few microseconds
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Called by the coordinator: publishes a batch the source has been slow to fill. */
    void rescue(long now) {
        if (busy.compareAndSet(false, true)) {
            try {
                if (count > 0 && now - start > RESCUE_NANOS) {
                    publishStaged();
                    size = 1;
                }
            }
            finally {
                busy.setRelease(false);
            }
        }
    }

    private void publishStaged() {
        if (reserved == 0) {
            return;
        }
        Instant now = clock.now();
        int staged = count;
        int slots = reserved;
        // Published or refused (a closed buffer releases the slots as it refuses them), the batch is gone: a
        // finish() after a refusal must not release its slots a second time.
        count = 0;
        reserved = 0;
        try {
            buffer.publish(items, staged, slots, now);
            published.add(staged);
        }
        finally {
            Arrays.fill(items, 0, staged, null);
        }
        if (staged == slots) {
            size = EventBuffer.nextBatchSize(size, System.nanoTime() - start, staged, BATCH_PULL_NANOS);
        }
    }

    /** Carries an {@link InterruptedException} out of a {@code Consumer}. */
    static final class Interrupted extends RuntimeException {

        private static final long serialVersionUID = 1L;

        Interrupted(InterruptedException cause) {
            super(cause.getMessage(), cause, false, false);
        }

        @Override
        public synchronized InterruptedException getCause() {
            return (InterruptedException) super.getCause();
        }
    }
}
