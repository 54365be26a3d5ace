package io.sweetasync.limit;

import io.sweetasync.TaskPriority;
import io.sweetasync.limit.AdmissionQueue.Waiter;
import io.sweetasync.spi.TaskClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The limiter of one concurrency group: at most {@code limit} permits out at once; requests beyond
 * that wait in priority order (then FIFO) in a bounded queue, each for at most {@code maxWait}; each
 * returned permit is a sample that moves the limit.
 *
 * <p>Invariants: one lock guards the parts, each stating its own: the permits out against the limit
 * ({@link PermitAccounting}: never more than the limit at the moment of a grant, each counted back exactly
 * once, a suspended one not counted), the limit in force ({@link LimitInForce}: the algorithm's, at most a
 * cluster-wide group's share), the requests that wait ({@link AdmissionQueue}: each leaves once, granted,
 * rejected or cancelled) and the rejections ({@link Rejections}: each counted once). Callbacks run outside
 * the lock ({@link HandOver} for waiters granted by a release). A permit is released exactly once
 * ({@link Permit} guards it), so permits never leak and are never returned twice. {@link #limit()},
 * {@link #inFlight()}, {@link #queued()}, {@link #phase()}, {@link #baselineNanos()},
 * {@link #estimatedCapacity()} and {@link #rejected(RejectionReason)} read values written under the lock and
 * published through volatile fields, without the lock and without allocating (for gauges scraped often).
 *
 * <p>A {@linkplain LimiterConfig#clusterWide() cluster-wide} group also has this member's share
 * of the cluster's limit, set by the cluster engine under the lock: permits are granted while
 * {@code inFlight < min(algorithm's limit, share)}, and {@link #limit()} is that minimum. A share that
 * shrinks below {@code inFlight} takes no permit back: grants stop until releases bring it below.
 *
 * <pre>{@code
 * ConcurrencyLimiter limiter = new ConcurrencyLimiter("pricing", LimiterConfig.defaults(), clock);
 * limiter.acquire(TaskPriority.NORMAL,
 *         permit -> executor.execute(() -> {
 *             try { callPricing(); permit.success(); }
 *             catch (TimeoutException e) { permit.dropped(); }  // the overload signal
 *             catch (RuntimeException e) { permit.ignore(); }   // no sample: a fast failure is no good news
 *         }),
 *         rejection -> log.warn("{}: {}", rejection.reason(), rejection.message()));
 * }</pre>
 */
public final class ConcurrencyLimiter {

    private final String group;
    private final LimiterConfig config;
    private final LimitInForce limit;
    private final Rejections rejections;
    private final AdmissionQueue queue;
    private final PermitAccounting permits;
    private final HandOver handOver;

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
        long startNanos;
        /** Guarded by the limiter's lock after the grant. */
        int inflightAtStart;
        final AtomicBoolean released = new AtomicBoolean();
        /**
         * Guarded by the limiter's lock: how many {@link #suspend}s are not yet matched by a {@link #resume};
         * not counted in {@code inFlight} while above 0.
         */
        int suspensions;
        /** Set by the hand-over before it runs the grant callback, on that callback's thread. */
        boolean handedOver;

        /**
         * Whether this permit reached its {@code onGranted} callback through a hand-over, on the thread of other work
         * that gave a permit back, began to wait or was displaced from the queue (or as the limit rose), rather than
         * at once, inside {@link #acquire} on the requesting thread. Work that the callback runs inline would then
         * run inside that other work's release or wait; start it elsewhere:
         *
         * <pre>{@code
         * limiter.acquire(TaskPriority.NORMAL,
         *         permit -> {
         *             if (permit.handedOver()) Thread.ofVirtual().start(() -> work(permit));
         *             else work(permit);
         *         },
         *         rejection -> log.warn(rejection.message()));
         * }</pre>
         *
         * Read it in that callback, on its thread.
         */
        public boolean handedOver() {
            return handedOver;
        }

        private Permit(long startNanos, int inflightAtStart) {
            this.startNanos = startNanos;
            this.inflightAtStart = inflightAtStart;
        }

        /**
         * The work is about to wait for other work (its task blocked joining another task): the permit
         * stops counting against the limit until {@link #resume}, so the work it waits for, perhaps of this
         * group, can get one. Without it, a task holding its group's last permit that waits for another
         * task of the group waits for ever (or until that one's {@code maxWait}). Suspends nest, as waits do
         * (a wait the engine manages inside a {@link io.sweetasync.TaskRuntime#managedBlock}): the permit counts
         * again only at the resume that matches the first suspend. No effect once released.
         *
         * <pre>{@code
         * permit.suspend();
         * try { child.join(); } finally { permit.resume(); }
         * }</pre>
         */
        public void suspend() {
            List<Waiter> granted = new ArrayList<>(2);
            List<Permit> handed = new ArrayList<>(2);
            permits.suspend(this, granted, handed);
            handOver.serve(granted, handed);
        }

        /**
         * The work goes on after its wait: the permit counts again, at once, even if that takes the group
         * over its limit for a moment (the work cannot wait for a permit in the middle of itself), and its
         * latency sample starts again from now; the resume of a nested suspend only ends that one. No effect
         * unless suspended, or once released.
         */
        public void resume() {
            permits.resume(this);
        }

        /** The work finished (successfully or with an ordinary failure): its latency is a sample. */
        public void success() {
            release(true, false);
        }

        /** The work timed out or was rejected downstream: a sample that signals overload. */
        public void dropped() {
            release(true, true);
        }

        /** The work was cancelled or never ran: no sample. */
        public void ignore() {
            release(false, false);
        }

        private void release(boolean sample, boolean dropped) {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            List<Waiter> granted = new ArrayList<>(2);
            List<Permit> handed = new ArrayList<>(2);
            permits.release(this, sample, dropped, granted, handed);
            handOver.serve(granted, handed);
        }
    }

    /**
     * @param group  the group's name, used in messages
     * @param config limits, algorithm, queue bounds
     * @param clock  measures latencies and schedules wait expiry
     */
    public ConcurrencyLimiter(String group, LimiterConfig config, TaskClock clock) {
        this(group, config, clock, HandOver::onVirtualThread);
    }

    /**
     * As the public constructor; {@code offStack} starts the rest of a hand-over too deep to nest ({@link HandOver}) on
     * a thread of its own (a test's may fail, as a thread that cannot start does).
     */
    ConcurrencyLimiter(String group, LimiterConfig config, TaskClock clock, Executor offStack) {
        this.group = Objects.requireNonNull(group, "group");
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        this.limit = new LimitInForce(config);
        ReentrantLock lock = new ReentrantLock();
        this.rejections = new Rejections(group, config, limit);
        this.queue = new AdmissionQueue(config, clock, lock, rejections);
        this.permits = new PermitAccounting(this, clock, lock, limit, queue, rejections);
        this.handOver = new HandOver(permits, offStack);
    }

    /** Call under the lock ({@link PermitAccounting}): a permit granted now. */
    Permit newPermit(long startNanos, int inflightAtStart) {
        return new Permit(startNanos, inflightAtStart);
    }

    /** The name of the concurrency group this limiter admits tasks of. */
    public String group() {
        return group;
    }

    /** The configuration it was made with (the limit it has learned since is {@link #limit()}). */
    public LimiterConfig config() {
        return config;
    }

    /**
     * The current limit: the algorithm's, and for a cluster-wide group at most this member's share. Lock-free
     * and allocation-free, for gauges.
     */
    public int limit() {
        return limit.value();
    }

    /** Permits held now. Lock-free and allocation-free. */
    public int inFlight() {
        return permits.inFlight();
    }

    /** Requests waiting for a permit now. Lock-free and allocation-free. */
    public int queued() {
        return queue.queued();
    }

    /** What the limit algorithm is doing ({@link LimiterSnapshot#phase()}). Lock-free and allocation-free. */
    public LimitPhase phase() {
        return limit.phase();
    }

    /** The algorithm's latency baseline in nanoseconds, 0 if none. Lock-free and allocation-free. */
    public long baselineNanos() {
        return limit.baselineNanos();
    }

    /** Completions per second the algorithm believes the downstream sustains, 0 if none. Lock-free. */
    public double estimatedCapacity() {
        return limit.capacity();
    }

    /** Permits granted so far, to tasks and pipeline receives alike. Lock-free and allocation-free. */
    public long accepted() {
        return permits.accepted();
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
        return permits.waitedNanos();
    }

    /** Requests rejected so far for {@code reason}. Lock-free and allocation-free. */
    public long rejected(RejectionReason reason) {
        return rejections.count(reason);
    }

    /** A permit now if one is free and nobody waits; empty otherwise (not counted as a rejection). */
    public Optional<Permit> tryAcquire() {
        return permits.tryAcquire();
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
        return permits.acquire(priority, onGranted, onRejected, true);
    }

    /**
     * As {@link #acquire}, for a request whose rejection turns away nobody's work: its caller keeps the work and asks
     * again later, as the orchestrator does with a durable task's re-run it claimed for a group that is full (the
     * invocation stays pending and runs at a later look). Granted, queued, displaced and timed out as any other
     * request, with the same {@link Rejection}s, but a rejection of it for a full queue or a wait too long is not
     * counted in {@link #rejected} ({@code sweet.async.limit.rejected}, the snapshot's rejected figure): those count
     * work callers saw refused, and one such request turned away at every look while a group stays full would count
     * over and over. A {@link RejectionReason#SHUTDOWN} rejection is counted (refused for good).
     *
     * <pre>{@code
     * limiter.acquireUncounted(TaskPriority.NORMAL, permit -> runThenRelease(job, permit),
     *         rejection -> retryQueue.offer(job)); // kept and asked again later: refused nobody
     * }</pre>
     */
    public Request acquireUncounted(TaskPriority priority, Consumer<Permit> onGranted,
            Consumer<Rejection> onRejected) {
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(onGranted, "onGranted");
        Objects.requireNonNull(onRejected, "onRejected");
        return permits.acquire(priority, onGranted, onRejected, false);
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
        List<Permit> handed = new ArrayList<>(2);
        permits.share(value, members, granted, handed);
        handOver.serve(granted, handed);
    }

    /** The group's state now. */
    public LimiterSnapshot snapshot() {
        return permits.snapshot(group, config);
    }

    @Override
    public String toString() {
        return "ConcurrencyLimiter[" + group + ", " + limit + "]";
    }
}
