package io.sweetasync;

import io.sweetasync.limit.RejectionReason;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link TaskRuntime.Kind#PLATFORM} and {@link TaskRuntime.Kind#SINGLE}: {@code size} slots for running
 * bodies, taken from one priority queue (priority, then FIFO), and the threads that fill them.
 *
 * This class queues the work and starts and ends the threads; the counts of threads, slots, waits and runaways,
 * and invariant I over them (every blocked or stuck thread is compensated by a spare), are {@link PoolCounts}'s,
 * which it changes under its lock.
 *
 * <h2>State, all under {@link #lock}</h2>
 * <ul>
 * <li>{@link #counts}: see {@link PoolCounts}. {@link #block} and {@link #threadStuck} start a spare when
 * invariant I would break (a platform thread while fewer than {@code maxSpares} spares exist, a virtual thread
 * beyond that), and a thread retires only if I still holds without it.</li>
 * <li>{@link #home}: a {@code SINGLE} runtime's own thread; any other thread retires as soon as I holds without
 * it, before it takes more work, and signals {@link #work} so that the own thread takes what is queued
 * ({@link OwnThread}: also when a spare leaves the next task to that thread as it wakes).</li>
 * <li>{@link #queue}: the attempts waiting for a slot ({@link RunQueue}: priority, then FIFO; a task that
 * ends while its attempt waits is withdrawn from its count at once, its node dropped later).</li>
 * <li>{@link #started}, {@link #closed}: all {@code size} threads were started once; no more work is taken.</li>
 * </ul>
 * The argument below holds with {@code capacity = size + stuck} for {@code size}: a stuck body's slot is
 * replaced by the one its runaway adds.
 *
 * <h2>Why an acyclic set of waits always finishes</h2>
 * Threads not blocked number {@code threads - blocked >= size}; those not running a body are free.
 * So whenever a node is queued and {@code running < size}, a free thread exists; it re-checks the
 * queue under the lock before it parks and is signalled for every node queued, so it takes the node.
 * Slots are held only by bodies that run (a waiting body holds none), so a slot frees whenever a body
 * returns or starts to wait. Hence every queued node starts, and a task waits only for the tasks it
 * named: no waiter ever runs unrelated work on its own stack (the earlier "helping" design could
 * nest a task that waited, directly or not, for the very waiter below it). Deadlock needs a cycle of
 * waits, which task handles cannot form for tasks created in order.
 *
 * <h2>Happens-before</h2>
 * Queueing a node (under the lock) happens-before the thread that takes it (under the lock) runs it.
 */
final class PooledRuntime extends TaskRuntime {

    private static final System.Logger LOG = System.getLogger(PooledRuntime.class.getName());
    /** How long a surplus free thread waits for work before it retires. */
    private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Kind kind;
    private final int size;
    /**
     * {@link #KEEP_ALIVE_NANOS}; shortened by tests only, before the runtime's first task (a thread already idle
     * waits out the keep-alive it read).
     */
    volatile long keepAliveNanos = KEEP_ALIVE_NANOS;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled for each node queued, and on close. */
    private final Condition work = lock.newCondition();
    /** Guarded by lock. */
    private final RunQueue queue = new RunQueue();
    /** Every worker thread started and not yet ended, for close(). */
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    /** This runtime's stall as {@link StallWatch} sees it, and the workers' carriers it looks at. */
    final StallWatch.Stall stall = new StallWatch.Stall();
    /** Attempts taken from the queue so far, for {@link StallWatch}. Guarded by lock. */
    private long taken;
    /** Guarded by lock. */
    private final PoolCounts counts;
    /**
     * A {@code SINGLE} runtime's own thread: a spare that stood in for it during a wait retires as soon as it is
     * surplus, before it takes more work, so tasks run on this one thread again (state confined to it stays whole).
     * Null for {@code PLATFORM}; its state is guarded by lock.
     */
    private final OwnThread home;
    /** Guarded by lock. */
    private boolean started;
    /** Guarded by lock. */
    private boolean closed;

    PooledRuntime(String name, Kind kind, int size, int maxSpares) {
        super(name);
        this.counts = new PoolCounts(lock, name, size, maxSpares);
        this.kind = kind;
        this.size = size;
        this.home = kind == Kind.SINGLE ? new OwnThread(lock) : null;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public int parallelism() {
        return size;
    }

    @Override
    public RuntimeSnapshot snapshot() {
        lock.lock();
        try {
            return counts.snapshot(name(), kind, queue.live());
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    boolean queuesByPriority() {
        return true;
    }

    @Override
    void execute(TaskNode<?> node) {
        lock.lock();
        try {
            if (closed) {
                throw new RejectedExecutionException("runtime '" + name() + "' is closed");
            }
            if (!started) {
                // Marked only once all started: a start that failed (no native thread) is retried by the next
                // task, rather than leaving later tasks queued with too few workers, or none.
                while (counts.threads() < size) {
                    startThread();
                }
                started = true;
                StallWatch.watch(this);
            }
            queue.add(node);
            work.signal();
        }
        finally {
            lock.unlock();
        }
    }

    /** Starts a worker: a platform thread while fewer than {@code size + maxSpares} exist, else a virtual one. Call under lock. */
    private void startThread() {
        boolean platform = counts.nextIsPlatform();
        int threads = counts.threads();
        Thread thread = platform
                ? Thread.ofPlatform().name("sweet-async-" + name() + (size == 1 && threads == 0 ? "" : "-" + (threads + 1)))
                        .daemon(true).unstarted(this::work)
                : Thread.ofVirtual().name("sweet-async-" + name() + "-spare").unstarted(this::work);
        counts.threadStarted(platform);
        workers.add(thread);
        try {
            thread.start();
        }
        catch (RuntimeException | Error ex) {
            retired(thread);
            throw ex;
        }
    }

    /** Counts a thread out; call under lock, in the same hold as the decision that it ends. */
    private void retired(Thread thread) {
        counts.threadEnded(thread.isVirtual());
        workers.remove(thread);
        if (home != null) {
            home.ended(thread);
        }
    }

    private void work() {
        ThreadCarrier carrier = Carrier.bindWorker(this);
        Thread self = Thread.currentThread();
        boolean retired = false;
        stall.entered(carrier);
        try {
            TaskNode<?> next;
            while ((next = take(carrier)) != null) {
                carrier.holdsSlot = true;
                try {
                    next.runAttempt();
                }
                catch (Throwable t) {
                    // runAttempt contains the user's code: what gets here is the engine's own failure.
                    LOG.log(Level.ERROR, "runtime '" + name() + "' failed running " + next.label(), t);
                    if (t instanceof Error) {
                        throw t;
                    }
                }
                finally {
                    carrier.holdsSlot = false;
                    slotReleased();
                }
            }
            retired = true; // take() counted it out
        }
        finally {
            stall.left(carrier);
            if (!retired) {
                // Died of an Error (in an attempt or in take()): count it out and replace it.
                lock.lock();
                try {
                    retired(self);
                    if (!closed && counts.shortOfThreads()) {
                        startThread();
                    }
                }
                finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Waits for a node this thread may run and takes a slot for it; null when the thread should end
     * (closed, or surplus and idle for the keep-alive).
     */
    private TaskNode<?> take(ThreadCarrier carrier) {
        lock.lock();
        try {
            Thread self = Thread.currentThread();
            long idleSince = System.nanoTime();
            OwnThread.Resume resume = home == null ? null : new OwnThread.Resume();
            while (true) {
                if (closed) {
                    retired(self);
                    return null;
                }
                OwnThread.Turn turn = home == null ? OwnThread.Turn.TAKE
                        : home.turn(self, carrier, counts.mayRetire(self.isVirtual()), resume);
                if (turn == OwnThread.Turn.RETIRE) {
                    // A spare whose wait has ended: the runtime's own thread takes the work from here on.
                    retired(self);
                    work.signal();
                    return null;
                }
                if (turn == OwnThread.Turn.LEAVE) {
                    // The own thread is waking to carry on its body: the next task is left to it; this spare retires
                    // once that thread's wait has ended (block() signals then).
                    try {
                        work.awaitNanos(OwnThread.CHECK_NANOS);
                    }
                    catch (InterruptedException ex) {
                        // a stray interrupt of an idle worker: look again
                    }
                    continue;
                }
                TaskNode<?> next = counts.slotFree() ? queue.poll() : null;
                if (next != null) {
                    counts.slotTaken();
                    taken++;
                    if (counts.slotFree() && !queue.isEmpty()) {
                        work.signal();
                    }
                    return next;
                }
                long keepAlive = keepAliveNanos;
                boolean idleLongEnough = System.nanoTime() - idleSince >= keepAlive;
                if (idleLongEnough && (home == null || !home.is(self)) && counts.mayRetire(self.isVirtual())) {
                    // Decided and counted in one hold of the lock: two idle spares cannot both read a
                    // count that still includes the other and leave invariant I broken.
                    retired(self);
                    return null;
                }
                try {
                    work.awaitNanos(keepAlive);
                }
                catch (InterruptedException ex) {
                    // A stray interrupt of an idle worker: nothing to stop, look again.
                }
            }
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * The task of {@code node} ended while its attempt waited in the queue: the node is marked, no longer
     * counted as queued, and purged with the others once they outnumber the live nodes, so that the queue of
     * a busy runtime does not keep ended tasks (and counts them) until a thread comes by. Any thread.
     */
    @Override
    void withdraw(TaskNode<?> node) {
        lock.lock();
        try {
            queue.withdraw(node);
        }
        finally {
            lock.unlock();
        }
    }

    private void slotReleased() {
        lock.lock();
        try {
            counts.slotReleased();
            if (!queue.isEmpty()) {
                work.signal();
            }
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code blocker} on the calling thread. On a thread of this runtime that holds a slot, the slot
     * is handed over for the wait (a spare thread starts if needed to keep invariant I) and taken back
     * when the wait ends. A single runtime's own thread waits for a task or a managed future through the future's
     * {@link OwnWake}, not {@code blocker.block()}.
     */
    void block(ThreadCarrier carrier, ForkJoinPool.ManagedBlocker blocker) throws InterruptedException {
        if (blocker.isReleasable()) {
            return;
        }
        OwnWake wake = home == null ? null : home.claimWake(carrier, blocker);
        boolean own;
        lock.lock();
        try {
            own = home != null && home.carries(carrier);
            counts.waitStarted(carrier);
            carrier.waitingOn = blocker;
            compensate("a wait");
        }
        finally {
            lock.unlock();
        }
        // The slot is handed over: a managed block nested in this one (a blocker that joins a task) must
        // not hand it over again.
        carrier.holdsSlot = false;
        try {
            if (wake != null) {
                if (!blocker.isReleasable()) {
                    wake.await(((OwnWake.Awaited) blocker).deadline());
                }
            }
            else {
                while (!blocker.isReleasable() && !blocker.block()) {
                    // block() returned false: not releasable yet, block again.
                }
            }
        }
        finally {
            carrier.holdsSlot = true;
            lock.lock();
            try {
                carrier.waitingOn = null;
                counts.waitEnded(carrier);
                if (own) {
                    work.signalAll(); // a spare that left the next task to this thread may retire now
                }
            }
            finally {
                lock.unlock();
            }
            if (wake != null) {
                wake.unclaim(Thread.currentThread()); // after: no spare reads the wake of a wait that ended
            }
        }
    }

    /** Starts a spare if invariant I would break, and wakes a free thread for queued work. Call under lock. */
    private void compensate(String what) {
        if (!closed && counts.shortOfThreads()) {
            try {
                startThread();
            }
            catch (RuntimeException | Error ex) {
                // No spare could start (out of threads?): go on without one rather than corrupt the counts.
                LOG.log(Level.ERROR, "runtime '" + name() + "' could not start a spare thread for " + what, ex);
            }
        }
        if (!queue.isEmpty()) {
            work.signal();
        }
    }

    /**
     * A body on one of this runtime's threads is becoming a runaway: its task is being ended at a deadline
     * (this is called before it ends), the body goes on. Until {@link #threadFreed} the runtime runs one more
     * body at a time, on a spare if needed, so that queued work (including work the forced end's fallback or
     * callbacks wait for) does not wait for a body that may never return. Called once per runaway, from any
     * thread. Counted per thread (runaways nested on one count once) while it holds a slot: not while it waits in
     * a managed block.
     */
    void threadStuck(ThreadCarrier worker) {
        lock.lock();
        try {
            counts.threadStuck(worker);
            compensate("a runaway");
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * The runaway body of a {@link #threadStuck} on {@code worker} returned: capacity back to what it was once none is
     * left there.
     */
    void threadFreed(ThreadCarrier worker) {
        lock.lock();
        try {
            counts.threadFreed(worker);
        }
        finally {
            lock.unlock();
        }
    }

    /** Whether it is open, its queued attempts and how many it took so far; for {@link StallWatch}. */
    StallWatch.Progress progress() {
        lock.lock();
        try {
            return new StallWatch.Progress(!closed, queue.live(), taken);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    boolean close(long timeoutMillis) throws InterruptedException {
        List<Thread> toJoin;
        List<TaskNode<?>> dropped;
        lock.lock();
        try {
            closed = true;
            dropped = queue.clear();
            work.signalAll();
            toJoin = List.copyOf(workers);
        }
        finally {
            lock.unlock();
        }
        // After closed is set: execute() watches under the lock only while not closed, so a first execute racing
        // this close has watched before (and is unwatched here) or is rejected (and never watches).
        StallWatch.unwatch(this);
        // Its own orchestrator cancelled its tasks before closing it, but a runtime registered in another
        // orchestrator too may hold that one's queued tasks: they end rejected, never silently dropped.
        for (TaskNode<?> node : dropped) {
            node.reject(RejectionReason.SHUTDOWN, "runtime '" + name() + "' was closed before the task started");
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        boolean allEnded = true;
        for (Thread worker : toJoin) {
            if (worker == Thread.currentThread()) {
                continue; // closed from one of its own bodies: this thread ends once that body returns
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !worker.join(Duration.ofNanos(left))) {
                allEnded = allEnded && !worker.isAlive();
            }
        }
        return allEnded;
    }
}
