package io.sweetasync.limit;

import io.sweetasync.TaskPriority;
import io.sweetasync.limit.ConcurrencyLimiter.Permit;
import io.sweetasync.limit.ConcurrencyLimiter.Rejection;
import io.sweetasync.limit.ConcurrencyLimiter.Request;
import io.sweetasync.spi.TaskClock;
import java.util.Comparator;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The requests of a {@link ConcurrencyLimiter} that wait for a permit: in priority order, then first come
 * first served, at most {@code queueCapacity} of them, each for at most {@code maxWait} (rejected
 * {@link RejectionReason#WAIT_TIMEOUT} then), each withdrawn by {@link Request#cancel()} while it waits.
 * When the queue is full, a request of a higher priority than its last waiter takes that waiter's place
 * ({@link #displaceFor}): the newest of the lowest priority is rejected {@link RejectionReason#QUEUE_FULL}
 * instead, so a queue full of background work never turns critical work away.
 *
 * <p>Invariants, under the limiter's lock: a waiter is in the queue exactly while its state is
 * {@code WAITING}, and leaves it once: granted (taken from the head by the permit accounting), rejected by
 * its expiry, or cancelled; whichever comes first wins, the others find it no longer waiting and do nothing.
 * {@code queued} is written under the lock and read without it. A waiter's expiry, once set, is cancelled
 * whenever the waiter leaves the queue another way (by whoever takes it out, or by {@link #time} if it left
 * before its expiry was set), so no timer keeps a finished request and its callbacks alive until
 * {@code maxWait}. Callbacks run outside the lock.
 */
final class AdmissionQueue {

    private static final System.Logger LOG = System.getLogger(ConcurrencyLimiter.class.getName());

    /** A request that no longer waits: granted or rejected already. */
    static final Request DONE = () -> false;

    private enum State { WAITING, GRANTED, REJECTED, CANCELLED }

    private final LimiterConfig config;
    private final TaskClock clock;
    private final ReentrantLock lock;
    private final Rejections rejections;
    /** Guarded by lock. */
    private final TreeSet<Waiter> waiters = new TreeSet<>(
            Comparator.comparingInt((Waiter w) -> w.priority).thenComparingLong(w -> w.seq));
    /** Guarded by lock. */
    private long seq;
    /** Written under lock: the number of waiters. */
    private volatile int queued;

    AdmissionQueue(LimiterConfig config, TaskClock clock, ReentrantLock lock, Rejections rejections) {
        this.config = config;
        this.clock = clock;
        this.lock = lock;
        this.rejections = rejections;
    }

    /** A request waiting for a permit. */
    final class Waiter implements Request {

        final int priority;
        final long seq;
        final Consumer<Permit> onGranted;
        final Consumer<Rejection> onRejected;
        /** Whether its rejection is counted ({@link ConcurrencyLimiter#acquireUncounted}: not). */
        final boolean counted;
        final long enqueuedNanos = clock.nanoTime();
        /** Guarded by lock. */
        State state = State.WAITING;
        volatile TaskClock.Scheduled expiry;

        Waiter(int priority, long seq, Consumer<Permit> onGranted, Consumer<Rejection> onRejected, boolean counted) {
            this.counted = counted;
            this.priority = priority;
            this.seq = seq;
            this.onGranted = onGranted;
            this.onRejected = onRejected;
        }

        boolean isWaiting() {
            lock.lock();
            try {
                return state == State.WAITING;
            }
            finally {
                lock.unlock();
            }
        }

        @Override
        public boolean cancel() {
            lock.lock();
            try {
                if (state != State.WAITING) {
                    return false;
                }
                waiters.remove(this);
                queued = waiters.size();
                state = State.CANCELLED;
            }
            finally {
                lock.unlock();
            }
            cancelExpiry();
            return true;
        }

        /** Its expiry will not fire (it no longer waits). */
        void cancelExpiry() {
            TaskClock.Scheduled scheduled = expiry;
            if (scheduled != null) {
                cancelQuietly(scheduled);
            }
        }
    }

    /** Written under lock; read without it, without allocating. */
    int queued() {
        return queued;
    }

    /** Call under lock. */
    boolean isEmpty() {
        return waiters.isEmpty();
    }

    /** Call under lock. */
    int size() {
        return waiters.size();
    }

    /** Call under lock: whether a request that finds no permit free is rejected rather than queued. */
    boolean refuses() {
        return waiters.size() >= config.queueCapacity() || config.maxWait().isZero();
    }

    /** Call under lock: queues a request; {@link #time} it once the lock is released. */
    Waiter add(TaskPriority priority, Consumer<Permit> onGranted, Consumer<Rejection> onRejected, boolean counted) {
        Waiter waiter = new Waiter(priority.ordinal(), seq++, onGranted, onRejected, counted);
        waiters.add(waiter);
        queued = waiters.size();
        return waiter;
    }

    /**
     * Call under lock, the queue full ({@link #refuses()} with a capacity and a wait): takes out the newest
     * waiter of the lowest priority, rejected, if its priority is lower than {@code priority}'s, so that a
     * request of {@code priority} takes its place; null if none is lower. The caller tells it
     * ({@link Waiter#onRejected}) and cancels its expiry, outside the lock.
     */
    Waiter displaceFor(TaskPriority priority) {
        if (waiters.isEmpty() || waiters.last().priority <= priority.ordinal()) {
            return null;
        }
        Waiter last = waiters.pollLast();
        last.state = State.REJECTED;
        queued = waiters.size();
        return last;
    }

    /**
     * Call under lock, the queue not empty: takes the head out, granted. {@link #published()} the size once
     * done taking.
     */
    Waiter grantHead() {
        Waiter next = waiters.pollFirst();
        next.state = State.GRANTED;
        return next;
    }

    /** Call under lock: publishes the number of waiters for lock-free reads. */
    void published() {
        queued = waiters.size();
    }

    /**
     * Outside the lock: schedules the expiry of a waiter just queued, after {@code maxWait}. If the clock
     * cannot schedule it (shut down, or failing any other way), the waiter is rejected
     * {@link RejectionReason#SHUTDOWN} now, unless it left the queue already. Returns the request to give its
     * caller.
     */
    Request time(Waiter waiter) {
        if (TaskClock.isPracticallyNever(config.maxWait())) {
            return waiter; // honoured by never expiring
        }
        TaskClock.Scheduled expiry;
        try {
            expiry = clock.schedule(config.maxWait(), () -> expire(waiter));
        }
        catch (Throwable ex) {
            // A user's clock may fail any way (an Error: no thread could be made for its scheduler, a checked
            // exception its language does not declare): thrown from here, it left the request queued with no
            // expiry, never returned to be cancelled, to be granted later to a caller who had seen acquire fail.
            if (waiter.cancel()) {
                Rejection rejection;
                lock.lock();
                try {
                    rejection = rejections.cannotTime(ex);
                }
                finally {
                    lock.unlock();
                }
                waiter.onRejected.accept(rejection);
            }
            return DONE;
        }
        waiter.expiry = expiry;
        // Granted or withdrawn before the expiry was set: cancel it now, or it would keep the waiter
        // (and whatever its callbacks reach) alive until maxWait.
        if (!waiter.isWaiting()) {
            cancelQuietly(expiry);
        }
        return waiter;
    }

    /**
     * Cancels an expiry whose waiter no longer waits. A user's clock may fail here too: thrown from the hand-over,
     * it left the granted waiter's permit counted with its callback never run (leaked for good) and reached the
     * work that released the permit. An expiry that still fires finds its waiter no longer waiting: logged only.
     */
    private static void cancelQuietly(TaskClock.Scheduled expiry) {
        try {
            expiry.cancel();
        }
        catch (Throwable ex) { // a user's clock: a checked exception its language does not declare too
            LOG.log(System.Logger.Level.WARNING, "the clock failed to cancel a permit wait's expiry; it will find "
                    + "the request no longer waiting", ex);
        }
    }

    private void expire(Waiter waiter) {
        Rejection rejection;
        lock.lock();
        try {
            if (waiter.state != State.WAITING) {
                return;
            }
            waiters.remove(waiter);
            waiter.state = State.REJECTED;
            queued = waiters.size();
            rejection = rejections.waitTimeout(waiter.counted, queued);
        }
        finally {
            lock.unlock();
        }
        waiter.onRejected.accept(rejection);
    }
}
