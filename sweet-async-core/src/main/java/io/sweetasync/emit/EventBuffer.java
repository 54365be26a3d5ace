package io.sweetasync.emit;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The bounded buffer between a pipeline's senders and receivers. It hands events over in batches
 * (one lock and at most one wake-up per batch) without loosening the memory bound.
 *
 * <h2>Accounting</h2>
 * {@code used} counts every event admitted and not yet released: events queued, slots a sender has
 * reserved and is filling, and events a receiver has taken but not finished, except the one in its
 * hands. A sender waits while {@code used == capacity}, so the events in memory are at most
 * {@code capacity} plus one per receiver worker (plus the item a blocked {@code emit} caller holds).
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>Sequences are dense, 0-based, and in queue order: the queue holds the data of events
 * {@code [emitted - size, emitted)}, and beside it ({@code stamps}, in step) when each was emitted.
 * The {@link Event} itself is made only when a receiver receives it ({@link TakenEvents}).</li>
 * <li>Each queued event is taken by exactly one {@link #take} call.</li>
 * <li>{@code 0 <= used <= capacity}; every reservation is published or released, every take is
 * released by its caller ({@link #release}).</li>
 * <li>After {@link #close}, {@link #take} drains what is queued, then returns {@code -1} to every
 * caller (at once after {@link #discard}, which drops what is queued); {@link #put}, {@link #reserve}
 * and {@link #publish} throw the buffer's refusal (waiting ones are woken to throw it, or
 * {@link InterruptedException} if they were interrupted too), so nothing enters a closed buffer to be
 * lost there.</li>
 * </ul>
 */
final class EventBuffer {

    /** The largest batch a sender publishes or a receiver takes at once. */
    static final int MAX_BATCH = 64;
    /** Stands for a {@code null} event in the queue, which takes no nulls. */
    private static final Object NULL = new Object();

    /**
     * The next batch size for whoever publishes or takes batches: doubled (up to {@link #MAX_BATCH})
     * while the {@code events} of the last batch cost at most {@code cheapNanos} each, else one.
     */
    static int nextBatchSize(int size, long elapsedNanos, int events, long cheapNanos) {
        return elapsedNanos / events <= cheapNanos ? Math.min(MAX_BATCH, size * 2) : 1;
    }

    private final int capacity;
    /**
     * A waiting sender is woken once this many slots are free (or when the queue runs dry), and else at the
     * coordinator's next tick ({@link #wakeStalledSender}).
     */
    private final int refill;
    /** Queued events' data ({@link #NULL} for {@code null}). */
    private final ArrayDeque<Object> queue;
    /** When each queued event was emitted, in step with {@code queue}. */
    private final ArrayDeque<Instant> stamps;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private int used;
    private int waitingSenders;
    private int waitingReceivers;
    private boolean closed;
    private volatile int queued;
    private volatile long emitted;
    /** What a sender gets when it puts into a closed buffer. */
    private final Supplier<? extends RuntimeException> refusal;

    EventBuffer(int capacity) {
        this(capacity, () -> new IllegalStateException("the buffer is closed"));
    }

    EventBuffer(int capacity, Supplier<? extends RuntimeException> refusal) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.refusal = refusal;
        this.capacity = capacity;
        this.refill = Math.max(1, Math.min(MAX_BATCH, capacity / 4));
        this.queue = new ArrayDeque<>(Math.min(capacity, 1024));
        this.stamps = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** How many events may be admitted and not yet released ({@code bufferSize}). */
    int capacity() {
        return capacity;
    }

    /** Events queued now (not counting those in receivers' hands). */
    int queued() {
        return queued;
    }

    /** Events published so far; also the next sequence number. */
    long emitted() {
        return emitted;
    }

    /** Admitted and not yet released, for tests and the stress test. */
    int used() {
        lock.lock();
        try {
            return used;
        }
        finally {
            lock.unlock();
        }
    }

    // ---- senders ------------------------------------------------------------------------------

    /** Publishes one item, waiting while the buffer is full. */
    void put(Object item, Instant emittedAt) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            awaitRoom();
            used++;
            enqueue(item, emittedAt);
            published(emitted + 1);
            wakeReceiver();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least one slot is free and reserves up to {@code max} slots; the caller fills
     * them and hands them to {@link #publish}, which releases what it did not fill.
     */
    int reserve(int max) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            awaitRoom();
            int granted = Math.min(max, capacity - used);
            used += granted;
            return granted;
        }
        finally {
            lock.unlock();
        }
    }

    /** Enqueues {@code items[0..count)} under a reservation of {@code reserved >= count} slots. */
    void publish(Object[] items, int count, int reserved, Instant emittedAt) {
        if (count > reserved || count < 0) {
            throw new IllegalArgumentException(count + " items under a reservation of " + reserved);
        }
        lock.lock();
        try {
            if (closed) {
                used -= reserved;
                throw refusal.get();
            }
            for (int i = 0; i < count; i++) {
                enqueue(items[i], emittedAt);
            }
            published(emitted + count);
            used -= reserved - count;
            if (count > 0) {
                wakeReceiver();
            }
            wakeSender();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a slot is free; throws the refusal once the buffer is closed, or
     * {@link InterruptedException} if the caller was interrupted too. A pipeline being stopped interrupts
     * its senders and then closes the buffer; a waiting sender may wake to both (the close's signal
     * first, so {@code await} returns with the interrupt still pending): the interrupt is what it was
     * promised ({@link Emitter}), not the refusal meant for emitters kept past the run.
     */
    private void awaitRoom() throws InterruptedException {
        while (used >= capacity && !closed) {
            waitingSenders++;
            try {
                Waits.await(notFull);
            }
            finally {
                waitingSenders--;
            }
        }
        if (closed) {
            if (Thread.interrupted()) {
                throw new InterruptedException("the pipeline is being stopped");
            }
            throw refusal.get();
        }
    }

    private void enqueue(Object item, Instant emittedAt) {
        queue.addLast(item == null ? NULL : item);
        stamps.addLast(emittedAt);
    }

    /** Publishes the counters for readers outside the lock: once per batch, not per event. */
    private void published(long nextSequence) {
        emitted = nextSequence;
        queued = queue.size();
    }

    /** One receiver at a time: a woken receiver that leaves events behind wakes the next. */
    private void wakeReceiver() {
        if (waitingReceivers > 0) {
            notEmpty.signal();
        }
    }

    private void wakeSender() {
        if (waitingSenders > 0 && used < capacity && (capacity - used >= refill || queue.isEmpty())) {
            notFull.signal();
        }
    }

    /**
     * Called on the coordinator's tick: wakes a sender waiting for room beside free slots, fewer than
     * {@code refill}. The threshold batches wake-ups while receivers keep taking and releasing; when they
     * stop (every one busy in a long event, or waiting for an event the sender has yet to emit), no take or
     * release comes to reach it, and the sender slept beside a free slot for good.
     */
    void wakeStalledSender() {
        lock.lock();
        try {
            if (waitingSenders > 0 && used < capacity) {
                notFull.signal();
            }
        }
        finally {
            lock.unlock();
        }
    }

    // ---- receivers ----------------------------------------------------------------------------

    /**
     * Waits up to {@code timeoutNanos} for events and takes up to {@code max} of them. With
     * {@code inHand}, the first event taken stops counting against the capacity at once, and a shared
     * batch is opened to claims ({@link TakenEvents#open}) before the lock is released; the caller (or
     * whoever claims an event from it) releases the rest with {@link #release} when finished.
     *
     * @return how many were taken, {@code 0} on timeout, {@code -1} once closed and drained
     * @throws InterruptedException if the caller is interrupted, even with events queued
     */
    int take(TakenEvents into, int offset, int max, boolean inHand, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            // a volatile read; Thread.interrupted() is dearer on virtual threads and this runs per batch
            if (Thread.currentThread().isInterrupted()) {
                Thread.interrupted();
                throw new InterruptedException();
            }
            long left = timeoutNanos;
            while (queue.isEmpty()) {
                if (closed) {
                    return -1;
                }
                if (left <= 0) {
                    return 0;
                }
                waitingReceivers++;
                try {
                    left = Waits.awaitNanos(notEmpty, left);
                }
                finally {
                    waitingReceivers--;
                }
            }
            int size = queue.size();
            int taken = Math.min(max, size);
            long first = emitted - size;
            for (int i = 0; i < taken; i++) {
                Object item = queue.pollFirst();
                into.set(offset + i, first + i, item == NULL ? null : item, stamps.pollFirst());
            }
            queued = size - taken;
            if (inHand) {
                used--;
                into.open(taken);
            }
            if (size > taken) {
                wakeReceiver();
            }
            wakeSender();
            return taken;
        }
        finally {
            lock.unlock();
        }
    }

    /** Releases {@code count} taken events the caller has finished. */
    void release(int count) {
        if (count <= 0) {
            return;
        }
        lock.lock();
        try {
            used -= count;
            wakeSender();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Throws the refusal if the buffer is closed: for an emitter's call that may publish nothing (an empty
     * {@code emitAll}), which must be refused past the run as a call that publishes is.
     */
    void checkOpen() {
        lock.lock();
        try {
            if (closed) {
                throw refusal.get();
            }
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * No more events will be published: receivers drain the queue and then see {@code -1}; senders,
     * waiting or not, get the refusal. Idempotent.
     */
    void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * {@link #close} for a pipeline being stopped, whose receivers take nothing more: the queued events are
     * dropped (and their slots released), so they do not stay reachable from the pipeline's handle.
     */
    void discard() {
        lock.lock();
        try {
            used -= queue.size();
            queue.clear();
            stamps.clear();
            queued = 0;
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        }
        finally {
            lock.unlock();
        }
    }
}
