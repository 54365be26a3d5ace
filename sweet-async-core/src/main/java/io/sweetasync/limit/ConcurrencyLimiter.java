package io.sweetasync.limit;

import io.sweetasync.TaskPriority;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The limiter of one concurrency group: at most {@code limit} permits out at once; requests beyond
 * that wait in priority order (then FIFO) in a bounded queue, each for at most {@code maxWait}; each
 * returned permit is a sample that moves the limit.
 *
 * <p>Invariants, under {@link #lock}: {@code inFlight} counts permits granted and not yet released,
 * and never exceeds the limit at the moment of a grant; a waiter is in {@link #waiters} exactly while
 * its state is {@code WAITING}, and leaves it once, granted, rejected or cancelled. Callbacks run
 * outside the lock. A permit is released exactly once ({@link Permit} guards it), so permits never
 * leak and are never returned twice. A {@linkplain Permit#suspend suspended} permit is not counted in
 * {@code inFlight}; {@link Permit#resume} counts it again even above the limit (the one way
 * {@code inFlight} can exceed it), and a permit released while suspended is not uncounted twice: its
 * {@code suspended} flag, read and written under the lock, says which. The limit, in-flight and queued counts are written under the
 * lock and published through volatile fields, as is the algorithm's state after each sample, so
 * {@link #limit()}, {@link #inFlight()}, {@link #queued()}, {@link #phase()}, {@link #baselineNanos()},
 * {@link #estimatedCapacity()} and {@link #rejected(RejectionReason)} read them without the lock and
 * without allocating (for gauges scraped often).
 *
 * <p>A {@linkplain LimiterConfig#clusterWide() cluster-wide} group also has this member's {@link #share}
 * of the cluster's limit, set by the cluster engine under the lock: permits are granted while
 * {@code inFlight < min(algorithm's limit, share)}, and {@link #limit()} is that minimum. A share that
 * shrinks below {@code inFlight} takes no permit back: grants stop until releases bring it below.
 *
 * <pre>{@code
 * ConcurrencyLimiter limiter = new ConcurrencyLimiter("pricing", LimiterConfig.defaults(), clock);
 * limiter.acquire(TaskPriority.NORMAL,
 *         permit -> executor.execute(() -> {
 *             try { callPricing(); permit.success(); }
 *             catch (TimeoutException e) { permit.dropped(); }
 *         }),
 *         rejection -> log.warn("{}: {}", rejection.reason(), rejection.message()));
 * }</pre>
 */
public final class ConcurrencyLimiter {

    private static final System.Logger LOG = System.getLogger(ConcurrencyLimiter.class.getName());

    private static final Request DONE = () -> false;

    /**
     * How deep each thread is in nested hand-overs (a grant callback that releases a permit inline starts
     * another): past {@link #MAX_NESTED_HAND_OVERS} the rest moves to a thread of its own. A map rather than
     * a thread-local, which would give every virtual thread that hands over a permit a thread-local map.
     */
    private static final ConcurrentHashMap<Thread, int[]> HAND_OVER_DEPTHS = new ConcurrentHashMap<>();
    private static final int MAX_NESTED_HAND_OVERS = 32;

    private enum State { WAITING, GRANTED, REJECTED, CANCELLED }

    private final String group;
    private final LimiterConfig config;
    private final TaskClock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private final Limit limit;
    /** Guarded by lock. */
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(
            Comparator.comparingInt((Waiter w) -> w.priority).thenComparingLong(w -> w.seq));
    /** Written under lock. */
    private volatile int inFlight;
    /**
     * Written under lock: this member's share of a cluster-wide group's limit, and the number of members it
     * was split between; {@code MAX_VALUE} and 0 until the cluster engine sets them (and for a group whose
     * limits are per member).
     */
    private volatile int share = Integer.MAX_VALUE;
    private volatile int members;
    /** Written under lock: the limit in force (the algorithm's, at most the share) and the algorithm's state. */
    private volatile int currentLimit;
    private volatile LimitPhase currentPhase;
    private volatile long currentBaseline;
    private volatile double currentCapacity;
    /** Written under lock: the number of waiters. */
    private volatile int queued;
    /** Written under lock: permits granted so far. */
    private volatile long accepted;
    /** Written under lock: the time granted permits waited in the queue, summed (0 for those granted at once). */
    private volatile long waitedNanos;
    /** Rejections so far, by {@link RejectionReason#ordinal()}. */
    private final AtomicLongArray rejections = new AtomicLongArray(RejectionReason.values().length);
    /** Guarded by lock. */
    private long seq;
    /** Guarded by lock. */
    private final LatencyFigures latencies = new LatencyFigures();

    /** A request for a permit that may still be waiting. */
    @FunctionalInterface
    public interface Request {
        /** Withdraws the request if it is still waiting; returns whether it was (no callback will follow). */
        boolean cancel();
    }

    /**
     * Why a request was not granted, and a message naming the group and what happened.
     *
     * @param reason  why
     * @param message for people, e.g. {@code group 'pricing' is at its limit of 8 and its queue is full (capacity 200)}
     */
    public record Rejection(RejectionReason reason, String message) {
    }

    /**
     * A granted permit. Release it exactly once: {@link #success()} (a sample), {@link #dropped()} (a
     * sample that signals overload) or {@link #ignore()} (no sample, e.g. cancelled work). Further
     * calls do nothing.
     */
    public final class Permit {

        /** When the work started, or last resumed (guarded by the limiter's lock after the grant). */
        private long startNanos;
        private int inflightAtStart;
        private final AtomicBoolean released = new AtomicBoolean();
        /** Guarded by the limiter's lock: not counted in {@code inFlight} while it waits (see {@link #suspend}). */
        private boolean suspended;

        private Permit(long startNanos, int inflightAtStart) {
            this.startNanos = startNanos;
            this.inflightAtStart = inflightAtStart;
        }

        /**
         * The work is about to wait for other work (its task blocked joining another task): the permit
         * stops counting against the limit until {@link #resume}, so the work it waits for, perhaps of this
         * group, can get one. Without it, a task holding its group's last permit that waits for another
         * task of the group waits for ever (or until that one's {@code maxWait}). No effect once released or
         * suspended already.
         *
         * <pre>{@code
         * permit.suspend();
         * try { child.join(); } finally { permit.resume(); }
         * }</pre>
         */
        public void suspend() {
            ConcurrencyLimiter.this.suspend(this);
        }

        /**
         * The work goes on after its wait: the permit counts again, at once, even if that takes the group
         * over its limit for a moment (the work cannot wait for a permit in the middle of itself), and its
         * latency sample starts again from now. No effect unless suspended, or once released.
         */
        public void resume() {
            ConcurrencyLimiter.this.resume(this);
        }

        /** The work finished (successfully or with an ordinary failure): its latency is a sample. */
        public void success() {
            release(this, true, false);
        }

        /** The work timed out or was rejected downstream: a sample that signals overload. */
        public void dropped() {
            release(this, true, true);
        }

        /** The work was cancelled or never ran: no sample. */
        public void ignore() {
            release(this, false, false);
        }
    }

    private final class Waiter implements Request {

        final int priority;
        final long seq;
        final Consumer<Permit> onGranted;
        final Consumer<Rejection> onRejected;
        final long enqueuedNanos = clock.nanoTime();
        /** Guarded by lock. */
        State state = State.WAITING;
        volatile TaskClock.Scheduled expiry;

        Waiter(int priority, long seq, Consumer<Permit> onGranted, Consumer<Rejection> onRejected) {
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
            cancelExpiry(this);
            return true;
        }
    }

    /**
     * @param group  the group's name, used in messages
     * @param config limits, algorithm, queue bounds
     * @param clock  measures latencies and schedules wait expiry
     */
    public ConcurrencyLimiter(String group, LimiterConfig config, TaskClock clock) {
        this.group = Objects.requireNonNull(group, "group");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limit = Limit.of(config);
        publish();
    }

    /** Call under lock (or before the limiter is shared). */
    private void publish() {
        currentLimit = Math.min(limit.limit(), share);
        currentPhase = limit.phase();
        currentBaseline = limit.baselineNanos();
        currentCapacity = limit.estimatedCapacity();
    }

    public String group() {
        return group;
    }

    public LimiterConfig config() {
        return config;
    }

    /**
     * The current limit: the algorithm's, and for a cluster-wide group at most this member's share. Lock-free
     * and allocation-free, for gauges.
     */
    public int limit() {
        return currentLimit;
    }

    /** Permits held now. Lock-free and allocation-free. */
    public int inFlight() {
        return inFlight;
    }

    /** Requests waiting for a permit now. Lock-free and allocation-free. */
    public int queued() {
        return queued;
    }

    /** What the limit algorithm is doing ({@link LimiterSnapshot#phase()}). Lock-free and allocation-free. */
    public LimitPhase phase() {
        return currentPhase;
    }

    /** The algorithm's latency baseline in nanoseconds, 0 if none. Lock-free and allocation-free. */
    public long baselineNanos() {
        return currentBaseline;
    }

    /** Completions per second the algorithm believes the downstream sustains, 0 if none. Lock-free. */
    public double estimatedCapacity() {
        return currentCapacity;
    }

    /** Permits granted so far, to tasks and pipeline receives alike. Lock-free and allocation-free. */
    public long accepted() {
        return accepted;
    }

    /**
     * The time the permits granted so far waited for their grant, summed, in nanoseconds (those granted
     * at once count as zero). With {@link #accepted()}, the mean wait. Lock-free and allocation-free.
     *
     * <pre>{@code
     * double meanWaitMillis = limiter.waitedNanos() / 1e6 / Math.max(1, limiter.accepted());
     * }</pre>
     */
    public long waitedNanos() {
        return waitedNanos;
    }

    /** Requests rejected so far for {@code reason}. Lock-free and allocation-free. */
    public long rejected(RejectionReason reason) {
        return rejections.get(reason.ordinal());
    }

    /** A permit now if one is free and nobody waits; empty otherwise (not counted as a rejection). */
    public Optional<Permit> tryAcquire() {
        lock.lock();
        try {
            return waiters.isEmpty() && inFlight < currentLimit ? Optional.of(grant()) : Optional.empty();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Asks for a permit. Exactly one of the callbacks runs once, unless the returned request is
     * cancelled while waiting: {@code onGranted} (on this thread if a permit is free, else on the thread
     * that frees one), or {@code onRejected} with the reason ({@link RejectionReason#QUEUE_FULL},
     * {@link RejectionReason#WAIT_TIMEOUT} after {@code maxWait}, {@link RejectionReason#SHUTDOWN} when
     * waits can no longer be timed) and a message naming the group. An {@code onGranted} that throws gives
     * its permit back: on this thread the exception is then rethrown to the caller; on the thread that freed
     * the permit it is logged, and the permit goes to the next waiter.
     */
    public Request acquire(TaskPriority priority, Consumer<Permit> onGranted, Consumer<Rejection> onRejected) {
        // A null was found only on the path that used it: a null priority when the request had to wait, a null
        // callback once a permit or a rejection was counted for it, each as an NPE naming nothing.
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(onGranted, "onGranted");
        Objects.requireNonNull(onRejected, "onRejected");
        Permit permit = null;
        Rejection rejection = null;
        Waiter waiter = null;
        lock.lock();
        try {
            if (waiters.isEmpty() && inFlight < currentLimit) {
                permit = grant();
            }
            else if (waiters.size() >= config.queueCapacity() || config.maxWait().isZero()) {
                rejection = rejection(RejectionReason.QUEUE_FULL, "group '" + group + "' is at its limit of "
                        + describeLimit() + " and " + (config.queueCapacity() == 0 || config.maxWait().isZero()
                                ? "does not queue" : "its queue is full (capacity " + config.queueCapacity() + ")"));
            }
            else {
                waiter = new Waiter(priority.ordinal(), seq++, onGranted, onRejected);
                waiters.add(waiter);
                queued = waiters.size();
            }
        }
        finally {
            lock.unlock();
        }
        if (permit != null) {
            try {
                onGranted.accept(permit);
            }
            catch (RuntimeException | Error ex) {
                permit.ignore(); // the caller's callback failed to take it: give it back, then let the caller see why
                throw ex;
            }
            return DONE;
        }
        if (rejection != null) {
            onRejected.accept(rejection);
            return DONE;
        }
        if (TaskClock.isPracticallyNever(config.maxWait())) {
            return waiter; // honoured by never expiring
        }
        Waiter scheduled = waiter;
        TaskClock.Scheduled expiry;
        try {
            expiry = clock.schedule(config.maxWait(), () -> expire(scheduled));
        }
        catch (RuntimeException ex) {
            if (waiter.cancel()) {
                lock.lock();
                try {
                    rejection = rejection(RejectionReason.SHUTDOWN,
                            "group '" + group + "' cannot time a wait for a permit: " + ex);
                }
                finally {
                    lock.unlock();
                }
                onRejected.accept(rejection);
            }
            return DONE;
        }
        waiter.expiry = expiry;
        // Granted or withdrawn before the expiry was set: cancel it now, or it would keep the waiter
        // (and whatever its callbacks reach) alive until maxWait.
        if (!waiter.isWaiting()) {
            expiry.cancel();
        }
        return waiter;
    }

    /** Call under lock: the limit in force, and for a cluster-wide group where it comes from. */
    private String describeLimit() {
        if (members == 0) {
            return String.valueOf(currentLimit);
        }
        return currentLimit + ", this member's share of the cluster-wide limit of " + config.clusterLimit() + " over "
                + members + (members == 1 ? " member" : " members")
                + (share == 0 ? " (0: more members than permits; it waits for a member to leave)" : "");
    }

    /**
     * Sets this member's share of a {@linkplain LimiterConfig#clusterWide() cluster-wide} group: it is at
     * {@code position} (0 = joined first) among {@code members} live members, and gets
     * {@link LimiterConfig#share(int, int)} of {@link LimiterConfig#clusterLimit()}. Called by the cluster
     * engine whenever the membership changes; does nothing for a group whose limits are per member. Work in
     * flight is never interrupted: above a smaller share, permits are granted again once enough are
     * released; when the share grew, waiting requests are granted at once (on this thread).
     *
     * <pre>{@code
     * limiter.share(0, 3); // a limit of 10 over three members: 4 here, 3 and 3 on the others
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code members} is less than 1, or {@code position} is not
     *                                  between 0 and {@code members - 1}
     */
    public void share(int position, int members) {
        int value = config.share(position, members);
        if (!config.clusterWide()) {
            return;
        }
        List<Waiter> granted = new ArrayList<>(2);
        List<Permit> permits = new ArrayList<>(2);
        lock.lock();
        try {
            this.share = value;
            this.members = members;
            publish();
            grantWaiting(granted, permits);
        }
        finally {
            lock.unlock();
        }
        handOver(granted, permits);
    }

    /** Call under lock: grants permits to waiters, first first, while the limit allows. */
    private void grantWaiting(List<Waiter> granted, List<Permit> permits) {
        while (!waiters.isEmpty() && inFlight < currentLimit) {
            Waiter next = waiters.poll();
            next.state = State.GRANTED;
            granted.add(next);
            Permit handed = grant();
            waitedNanos += Math.max(0, handed.startNanos - next.enqueuedNanos);
            permits.add(handed);
        }
        queued = waiters.size();
    }

    /**
     * Outside the lock: runs the callbacks of the waiters {@link #grantWaiting} granted. A callback that
     * throws is logged and its permit given back (nobody else holds it), so the next waiter gets it; the
     * other callbacks still run, and the thread that freed the permits never sees another caller's failure.
     * The waiters a permit given back is granted to join these lists, served by this same loop: a queue of
     * callbacks that all throw (an executor shut down) is served one after another, not one inside another
     * (which overflowed the stack of the thread that freed the permit, part way down the queue).
     */
    private void handOver(List<Waiter> granted, List<Permit> permits) {
        if (granted.isEmpty()) {
            return;
        }
        Thread thread = Thread.currentThread();
        int[] depth = HAND_OVER_DEPTHS.get(thread);
        if (depth == null) {
            depth = new int[1];
            HAND_OVER_DEPTHS.put(thread, depth);
        }
        else if (depth[0] >= MAX_NESTED_HAND_OVERS) {
            // A callback that runs the work inline (a caller-runs executor) released a permit, whose hand-over
            // ran the next waiter's work inline, and so on: one set of frames per waiter, which overflowed the
            // stack part way down a long queue and stranded the rest QUEUED with the permit free. Past this
            // depth the rest is served at once on a thread of its own: the work still starts now, only not
            // on this thread (a body on this stack waiting for it is not kept waiting).
            Thread.ofVirtual().name("sweet-async-hand-over").start(() -> handOver(granted, permits));
            return;
        }
        depth[0]++;
        try {
            serve(granted, permits);
        }
        finally {
            if (--depth[0] == 0) {
                HAND_OVER_DEPTHS.remove(thread);
            }
        }
    }

    private void serve(List<Waiter> granted, List<Permit> permits) {
        for (int i = 0; i < granted.size(); i++) {
            cancelExpiry(granted.get(i));
            try {
                granted.get(i).onGranted.accept(permits.get(i));
            }
            catch (RuntimeException | Error ex) {
                LOG.log(System.Logger.Level.WARNING, "a permit's grant callback threw; the permit is given back", ex);
                Permit failed = permits.get(i);
                if (failed.released.compareAndSet(false, true)) {
                    lock.lock();
                    try {
                        returned(failed, false, false, granted, permits);
                    }
                    finally {
                        lock.unlock();
                    }
                }
            }
        }
    }

    /** Call under lock: counts a rejection. */
    private Rejection rejection(RejectionReason reason, String message) {
        rejections.incrementAndGet(reason.ordinal());
        return new Rejection(reason, message);
    }

    /** Call under lock. */
    private Permit grant() {
        inFlight++;
        accepted++;
        return new Permit(clock.nanoTime(), inFlight);
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
            rejection = rejection(RejectionReason.WAIT_TIMEOUT, "waited longer than " + config.maxWait()
                    + " for a permit of group '" + group + "' (limit " + describeLimit() + ", " + queued
                    + " still queued)");
        }
        finally {
            lock.unlock();
        }
        waiter.onRejected.accept(rejection);
    }

    private void suspend(Permit permit) {
        List<Waiter> granted = new ArrayList<>(2);
        List<Permit> permits = new ArrayList<>(2);
        lock.lock();
        try {
            if (permit.suspended || permit.released.get()) {
                return;
            }
            permit.suspended = true;
            inFlight--;
            grantWaiting(granted, permits);
        }
        finally {
            lock.unlock();
        }
        handOver(granted, permits);
    }

    private void resume(Permit permit) {
        lock.lock();
        try {
            // Released while suspended: it stays marked suspended, so the release (which may not have taken
            // the lock yet) knows it is not counted; nothing to count again.
            if (!permit.suspended || permit.released.get()) {
                return;
            }
            permit.suspended = false;
            inFlight++;
            permit.startNanos = clock.nanoTime();
            permit.inflightAtStart = inFlight;
        }
        finally {
            lock.unlock();
        }
    }

    private void release(Permit permit, boolean sample, boolean dropped) {
        if (!permit.released.compareAndSet(false, true)) {
            return;
        }
        List<Waiter> granted = new ArrayList<>(2);
        List<Permit> permits = new ArrayList<>(2);
        lock.lock();
        try {
            returned(permit, sample, dropped, granted, permits);
        }
        finally {
            lock.unlock();
        }
        handOver(granted, permits);
    }

    /** Call under lock, once per permit (its {@code released} flag just set): counts it back in, grants waiters. */
    private void returned(Permit permit, boolean sample, boolean dropped, List<Waiter> granted, List<Permit> permits) {
        if (permit.suspended) {
            return; // released while waiting: suspend() already took it out of inFlight, and sampled nothing
        }
        inFlight--;
        if (sample) {
            long rtt = Math.max(0, clock.nanoTime() - permit.startNanos);
            limit.onSample(permit.startNanos, rtt, permit.inflightAtStart, dropped);
            latencies.record(rtt);
            publish();
        }
        grantWaiting(granted, permits);
    }

    private static void cancelExpiry(Waiter waiter) {
        TaskClock.Scheduled expiry = waiter.expiry;
        if (expiry != null) {
            expiry.cancel();
        }
    }

    /** The group's state now. */
    public LimiterSnapshot snapshot() {
        lock.lock();
        try {
            long rejected = 0;
            for (int i = 0; i < rejections.length(); i++) {
                rejected += rejections.get(i);
            }
            return new LimiterSnapshot(group, config.algorithm(), currentLimit, inFlight, waiters.size(), accepted,
                    rejected, latencies.noLoad(), latencies.shortAverage(), latencies.longAverage(),
                    config.queueCapacity(), config.maxWait(), currentPhase, Duration.ofNanos(currentBaseline),
                    currentCapacity, config.clusterWide() ? config.clusterLimit() : 0, members);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "ConcurrencyLimiter[" + group + ", " + limit + "]";
    }
}
