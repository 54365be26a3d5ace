package io.sweetasync.limit;

import io.sweetasync.TaskPriority;
import io.sweetasync.limit.AdmissionQueue.Waiter;
import io.sweetasync.limit.ConcurrencyLimiter.Permit;
import io.sweetasync.limit.ConcurrencyLimiter.Rejection;
import io.sweetasync.limit.ConcurrencyLimiter.Request;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The permits of a {@link ConcurrencyLimiter}, from grant to release, under its one lock: a request is granted
 * at once, queued ({@link AdmissionQueue}) or rejected ({@link Rejections}); every permit released, suspended
 * or no longer needed lets the queue's head have one while the {@link LimitInForce} allows; every released
 * permit's latency is a sample for the algorithm.
 *
 * <p>Invariants, under the lock: {@code inFlight} counts permits granted and not yet released, and never
 * exceeds the limit at the moment of a grant; a permit is granted at once only when nobody waits, so waiters
 * are served first. A permit is counted back exactly once: its {@code released} flag is set by compare-and-set
 * before {@link #release} is called. A {@linkplain Permit#suspend suspended} permit is not counted in
 * {@code inFlight}; {@link #resume} counts it again even above the limit (the one way {@code inFlight} can
 * exceed it), and a permit released while suspended is not uncounted twice: its {@code suspensions} count
 * (suspends nest; the outermost counts it out and back), read and written under the lock, says which. {@code inFlight}, {@code accepted} and {@code waitedNanos} are
 * written under the lock and read without it. Callbacks run outside the lock: those of waiters granted here are
 * collected in the caller's lists, for the hand-over to run.
 */
final class PermitAccounting {

    private static final System.Logger LOG = System.getLogger(ConcurrencyLimiter.class.getName());

    private final ConcurrencyLimiter limiter;
    private final TaskClock clock;
    private final ReentrantLock lock;
    private final LimitInForce limit;
    private final AdmissionQueue queue;
    private final Rejections rejections;
    /** Written under lock. */
    private volatile int inFlight;
    /** Written under lock: permits granted so far. */
    private volatile long accepted;
    /** Written under lock: the time granted permits waited in the queue, summed (0 for those granted at once). */
    private volatile long waitedNanos;

    /** {@code limiter} makes the permits ({@link Permit} is its inner class); the rest are its parts. */
    PermitAccounting(ConcurrencyLimiter limiter, TaskClock clock, ReentrantLock lock, LimitInForce limit,
            AdmissionQueue queue, Rejections rejections) {
        this.limiter = limiter;
        this.clock = clock;
        this.lock = lock;
        this.limit = limit;
        this.queue = queue;
        this.rejections = rejections;
    }

    int inFlight() {
        return inFlight;
    }

    long accepted() {
        return accepted;
    }

    long waitedNanos() {
        return waitedNanos;
    }

    /** See {@link ConcurrencyLimiter#tryAcquire()}. */
    Optional<Permit> tryAcquire() {
        lock.lock();
        try {
            return queue.isEmpty() && inFlight < limit.value() ? Optional.of(grant()) : Optional.empty();
        }
        finally {
            lock.unlock();
        }
    }

    /** See {@link ConcurrencyLimiter#acquire}; the arguments are not null. */
    Request acquire(TaskPriority priority, Consumer<Permit> onGranted, Consumer<Rejection> onRejected,
            boolean counted) {
        Permit permit = null;
        Rejection rejection = null;
        Waiter waiter = null;
        Waiter displaced = null;
        Rejection displacedRejection = null;
        lock.lock();
        try {
            if (queue.isEmpty() && inFlight < limit.value()) {
                permit = grant();
            }
            else if (queue.refuses() && (displaced = queue.displaceFor(priority)) == null) {
                rejection = rejections.queueFull(counted);
            }
            else {
                if (displaced != null) {
                    displacedRejection = rejections.displaced(displaced.counted, TaskPriority.values()[displaced.priority],
                            priority);
                }
                waiter = queue.add(priority, onGranted, onRejected, counted);
            }
        }
        finally {
            lock.unlock();
        }
        if (permit != null) {
            try {
                onGranted.accept(permit);
            }
            catch (Throwable ex) { // a checked exception too, from a callback in a language without them
                permit.ignore(); // the caller's callback failed to take it: give it back, then let the caller see why
                throw ex;
            }
            return AdmissionQueue.DONE;
        }
        if (rejection != null) {
            onRejected.accept(rejection);
            return AdmissionQueue.DONE;
        }
        Request request = queue.time(waiter);
        if (displaced != null) {
            displaced.cancelExpiry();
            try {
                displaced.onRejected.accept(displacedRejection);
            }
            catch (Throwable ex) {
                // another request's callback (a checked exception too): its failure is not this caller's
                LOG.log(System.Logger.Level.WARNING, "a displaced request's rejection callback threw", ex);
            }
        }
        return request;
    }

    /** This member's share of a cluster-wide limit changed: grants what it allows now. */
    void share(int value, int members, List<Waiter> granted, List<Permit> permits) {
        lock.lock();
        try {
            limit.share(value, members);
            grantWaiting(granted, permits);
        }
        finally {
            lock.unlock();
        }
    }

    /** Call under lock. */
    private Permit grant() {
        inFlight++;
        accepted++;
        return limiter.newPermit(clock.nanoTime(), inFlight);
    }

    /** Call under lock: grants permits to waiters, first first, while the limit allows. */
    private void grantWaiting(List<Waiter> granted, List<Permit> permits) {
        while (!queue.isEmpty() && inFlight < limit.value()) {
            Waiter next = queue.grantHead();
            granted.add(next);
            Permit handed = grant();
            waitedNanos += Math.max(0, handed.startNanos - next.enqueuedNanos);
            permits.add(handed);
        }
        queue.published();
    }

    /** The permit's work waits for other work: it stops counting, and waiters may get its place. */
    void suspend(Permit permit, List<Waiter> granted, List<Permit> permits) {
        lock.lock();
        try {
            if (permit.released.get() || permit.suspensions++ > 0) {
                return;
            }
            inFlight--;
            grantWaiting(granted, permits);
        }
        finally {
            lock.unlock();
        }
    }

    /** The permit's work goes on: it counts again, even above the limit, and its sample starts again. */
    void resume(Permit permit) {
        lock.lock();
        try {
            // Released while suspended: it stays marked suspended, so the release (which may not have taken
            // the lock yet) knows it is not counted; nothing to count again.
            if (permit.suspensions == 0 || permit.released.get() || --permit.suspensions > 0) {
                return;
            }
            inFlight++;
            permit.startNanos = clock.nanoTime();
            permit.inflightAtStart = inFlight;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Once per permit, its {@code released} flag just set: counts it back in, records its sample, grants
     * waiters.
     */
    void release(Permit permit, boolean sample, boolean dropped, List<Waiter> granted, List<Permit> permits) {
        lock.lock();
        try {
            if (permit.suspensions > 0) {
                return; // released while waiting: suspend() already took it out of inFlight, and sampled nothing
            }
            inFlight--;
            if (sample) {
                long rtt = Math.max(0, clock.nanoTime() - permit.startNanos);
                limit.sample(permit.startNanos, rtt, permit.inflightAtStart, dropped);
            }
            grantWaiting(granted, permits);
        }
        finally {
            lock.unlock();
        }
    }

    /** The group's state now. */
    LimiterSnapshot snapshot(String group, LimiterConfig config) {
        lock.lock();
        try {
            LatencyFigures latencies = limit.latencies();
            return new LimiterSnapshot(group, config.algorithm(), limit.value(), inFlight, queue.size(), accepted,
                    rejections.total(), latencies.noLoad(), latencies.shortAverage(), latencies.longAverage(),
                    config.queueCapacity(), config.maxWait(), limit.phase(), Duration.ofNanos(limit.baselineNanos()),
                    limit.capacity(), config.clusterWide() ? config.clusterLimit() : 0, limit.members());
        }
        finally {
            lock.unlock();
        }
    }
}
