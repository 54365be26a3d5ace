package io.sweetasync;

import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskStore;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps a {@link TaskStore} in step with an orchestrator, on two daemon threads of its own so that no
 * task ever waits for the store. This class tracks the tasks to write and the durable invocations this member
 * holds, owns the two threads and their lifecycle (start, the shared interval, close), and says when the store goes
 * down and comes back. The <em>writer</em> ({@link StoreWriter}, thread {@code sweet-async-store}) writes records and
 * durable ends every {@code flushInterval}, and purges every hour; the <em>lease keeper</em> ({@link LeaseKeeper},
 * thread {@code sweet-async-store-lease}) renews the lease every third of it, claims orphaned durable invocations,
 * and holds what the store says this member owns against what it knows of ({@link OwnedDurables}). They are apart
 * so that a write that takes long never keeps the lease of this live member from being renewed.
 *
 * <h2>Bounded, never silent</h2>
 * At most {@code maxTracked} tasks wait to be written; a task created while that many wait is not
 * tracked, and counted in {@link #dropped()} with a warning. While the store fails, writes are retried
 * each interval (tracked tasks stay tracked), failures are counted in {@link #failedWrites()}, and a
 * warning is logged when the store goes down and when it is back.
 *
 * <h2>Threads</h2>
 * {@link #tracked} is a concurrent map: task threads and the lease keeper (the runs it claims) add to it, the
 * writer reads, replaces and removes entries, the lease keeper reads it (runs another member took over). A
 * node's status is read after its terminal status was set, so a terminal record has the final snapshot.
 * {@link #released} is added to by the writer (runs the shutdown stopped) and the lease keeper (claims its
 * member's shutdown kept from starting), and read by {@link #close()} once both have stopped, and by the lease
 * keeper's looks at what the member owns ({@link #held}), as {@link #unended} is (added to by the writer).
 * These collections and counters are the writer's and the lease keeper's too (final, package-private, each takes
 * its references when built). {@link #lock} guards {@link #closing}; both threads wait on {@link #wake} for their
 * interval ({@link #awaitInterval}), which {@link #claimSoon()} and {@link #close()} signal. Each thread says when
 * its own writes go down and come back ({@link #storeDown}, {@link #storeUp}), counted together in
 * {@link #failedWrites()}.
 */
final class StoreSync implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(StoreSync.class.getName());
    static final String UNWRITTEN = "";

    final TaskOrchestrator orchestrator;
    private final TaskStore store;
    private final TaskStore.Incarnation incarnation;
    final StoreSettings settings;
    /** Tracked tasks and the status and attempts last written for each ({@code ""}: none yet; see StoreWriter). */
    final ConcurrentHashMap<TaskNode<?>, String> tracked = new ConcurrentHashMap<>();
    /**
     * Finished tasks whose sampled resource figures became final after their record may have been
     * written ({@code PENDING}): written once more when no longer tracked. Bounded like {@code tracked}.
     */
    final Set<TaskNode<?>> refigured = ConcurrentHashMap.newKeySet();
    /**
     * Durable invocations whose runs this process's shutdown stopped, or re-runs it turned away unrun: handed back to
     * the store on close. One leaves once its hand-over was answered, or once this member claimed it again: kept, the
     * looks at what the member owns ({@link #held}) counted it as known for the member's whole life, and a later claim
     * of it whose answer was lost after its commit left it owned here, unrun, for that long.
     */
    final Set<TaskId> released = ConcurrentHashMap.newKeySet();
    /**
     * Durable invocations that ended here but whose end the store refused (dropped, counted): pending still, they
     * are not run here again (another member claims them once this one stops); at most {@code maxTracked} (one
     * beyond is run here again, at least once, as any invocation this member owns and does not know of).
     */
    final Set<TaskId> unended = ConcurrentHashMap.newKeySet();
    private final AtomicInteger trackedCount = new AtomicInteger();
    final LongAdder dropped = new LongAdder();
    private final LongAdder failedWrites = new LongAdder();
    final LongAdder written = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final StoreWriter writer;
    private final LeaseKeeper lease;
    private final Thread thread;
    private final Thread leaseKeeper;
    /** Guarded by lock. */
    private boolean closing;
    private volatile boolean droppedReported;

    /** Opens {@code store}; in {@code cluster} (null: none) with an incarnation no other member has ({@link Incarnations}). */
    StoreSync(TaskOrchestrator orchestrator, TaskStore store, StoreSettings settings, TaskCluster cluster) {
        this.orchestrator = orchestrator;
        this.store = store;
        this.settings = settings;
        long renewedAt = System.nanoTime(); // before the lease is taken: a lower bound of its start
        this.incarnation = Incarnations.open(store, settings.member(), settings.lease(), cluster);
        this.lease = new LeaseKeeper(this, renewedAt);
        this.writer = new StoreWriter(this);
        this.thread = Thread.ofPlatform().name("sweet-async-store").daemon(true).unstarted(writer::loop);
        this.leaseKeeper = Thread.ofPlatform().name("sweet-async-store-lease").daemon(true).unstarted(lease::loop);
    }

    void start() {
        thread.start();
        leaseKeeper.start();
    }

    TaskStore store() {
        return store;
    }

    long incarnation() {
        return incarnation.number();
    }

    String member() {
        return incarnation.member();
    }

    /**
     * Starts tracking {@code node}; called on the creating thread. Durable tasks are always tracked (their
     * invocation is stored already, and its end must be written whatever the buffer holds).
     */
    void track(TaskNode<?> node) {
        if (!node.isDurable() && trackedCount.get() >= settings.maxTracked()) {
            dropped.increment();
            if (!droppedReported) {
                droppedReported = true;
                LOG.log(Level.WARNING, "task store buffer full ({0} tasks wait to be written): task {1} and "
                        + "others are not recorded; see the dropped count", settings.maxTracked(), node.label());
            }
            return;
        }
        if (tracked.putIfAbsent(node, UNWRITTEN) == null) {
            trackedCount.incrementAndGet();
        }
    }

    /** {@code node} finished, and its sampled figures are final now: its record is written again. */
    void figuresFinal(TaskNode<?> node) {
        if (refigured.size() >= settings.maxTracked()) {
            dropped.increment();
            return;
        }
        refigured.add(node);
    }

    /** Stops tracking {@code node} without writing it (a durable submission that was rolled back). */
    void untrack(TaskNode<?> node) {
        if (tracked.remove(node) != null) {
            trackedCount.decrementAndGet();
        }
    }

    /**
     * Hands invocation {@code id}, which this member owns but will not run (it began shutting down before the run
     * could start), back to the store when it closes ({@link TaskStore#releaseDurables}): another member or the
     * next start runs it, without counting a lost run.
     */
    void handBack(TaskId id) {
        released.add(id);
    }

    /**
     * Adds to {@code into} the durable invocations this sync holds: the tracked ones (live, or ended with their end
     * not yet written), then those handed back or whose end the store refused. In this order: a task enters the
     * latter before it leaves the former.
     */
    void held(Set<TaskId> into) {
        for (TaskNode<?> node : tracked.keySet()) {
            if (node.isDurable()) {
                into.add(node.id());
            }
        }
        into.addAll(released);
        into.addAll(unended);
    }

    /** Tasks not recorded because the buffer was full. */
    long dropped() {
        return dropped.sum();
    }

    /** Write attempts that failed (each retried later). */
    long failedWrites() {
        return failedWrites.sum();
    }

    /** Task records written. */
    long written() {
        return written.sum();
    }

    /** Tasks waiting to have their record written. */
    int pending() {
        return trackedCount.get();
    }

    /** Writes now and waits for it (tests, shutdown); false if the store failed. */
    boolean flushNow() {
        return writer.flush();
    }

    /** Waits for the next interval (or a wake-up); false once closing. */
    boolean awaitInterval() {
        lock.lock();
        try {
            if (!closing) {
                wake.awaitNanos(settings.flushInterval().toNanos());
            }
            return !closing;
        }
        catch (InterruptedException ex) {
            return false;
        }
        finally {
            lock.unlock();
        }
    }

    /** Runs one step of the loop; what it throws beyond the store failures it handles is logged, and the loop goes on. */
    static void step(Runnable step) {
        try {
            step.run();
        }
        catch (Throwable t) {
            LOG.log(Level.ERROR, "task store sync failed unexpectedly; continuing", t);
        }
    }

    /**
     * Another member may have died: for the next lease (and an interval), claim orphaned durable invocations
     * at every interval ({@link LeaseKeeper#claimSoon}), starting now: the lease keeper is woken.
     */
    void claimSoon() {
        lease.claimSoon();
        lock.lock();
        try {
            wake.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * The store failed {@code what}: counted, and said once until it is back. {@code ex} is any exception, a checked
     * one too: the store's calls are caught as {@code Exception} everywhere, as a store in a language without checked
     * exceptions (Kotlin over JDBC, Lombok's {@code @SneakyThrows}) throws its {@code SQLException} undeclared.
     */
    void storeDown(AtomicBoolean down, String what, Exception ex) {
        failedWrites.increment();
        if (down.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "task store failed " + what + "; tasks keep running, records wait (at most "
                    + settings.maxTracked() + ") and are retried every " + settings.flushInterval(), ex);
        }
    }

    void storeUp(AtomicBoolean down) {
        if (down.compareAndSet(true, false)) {
            LOG.log(Level.INFO, "task store is back; {0} write(s) had failed meanwhile", failedWrites.sum());
        }
    }

    /**
     * Stops the writer and the lease keeper after a last write, hands back the durable invocations whose runs the shutdown
     * stopped, and releases the lease. Records the last write could not write (the store down) are counted as dropped
     * and logged: nothing writes them later.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            wake.signalAll();
        }
        finally {
            lock.unlock();
        }
        // A last write and the lease's release, bounded: a store that hangs must not hang close().
        Thread last = Thread.ofVirtual().name("sweet-async-store-close").start(() -> {
            try {
                leaseKeeper.join(CLOSE_WAIT); // no renewal after the release below
                // Owned here, never started: handed back below with the runs the shutdown stopped, and the callers
                // of those placed here wait for the run claimed after the release.
                released.addAll(orchestrator.parts().durables().abandonUnstarted());
                thread.join(CLOSE_WAIT);
                if (!writer.flush()) {
                    // Nothing retries after this write: said here, as the warning of the outage said "retried".
                    int unwritten = pending();
                    dropped.add(unwritten);
                    LOG.log(Level.WARNING, "task store failed the last write on close of member " + member() + ": "
                            + unwritten + " task record(s) not written (counted as dropped); a durable task among them "
                            + "stays pending and runs again once this member's lease is released or lapses");
                }
                if (!released.isEmpty()) {
                    try {
                        store.releaseDurables(incarnation(), List.copyOf(released)); // handed over, not lost
                    }
                    catch (Exception ex) {
                        // Still this closed member's: claimed by another once the lease below is released.
                        LOG.log(Level.WARNING, "task store failed to hand over " + released.size() + " durable task(s) "
                                + "on close of member " + member() + "; another member claims them as this member's "
                                + "lease is released", ex);
                    }
                }
                // Refused submissions whose rows were committed after all, not yet ended by a look: ended now, as
                // their callers were told, rather than left to the next member to run.
                orchestrator.parts().durables().endRefused(this);
                store.close(incarnation());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            catch (Exception ex) {
                LOG.log(Level.WARNING, "task store failed on close of member " + member(), ex);
            }
        });
        if (!joinUninterruptibly(last, CLOSE_WAIT.multipliedBy(2))) {
            LOG.log(Level.WARNING, "task store did not answer within {0} on close: {1} task record(s) not written; "
                    + "the lease of member {2} lapses by itself", CLOSE_WAIT.multipliedBy(2), pending(), member());
        }
    }

    /**
     * Waits for {@code thread} to end, {@code bound} at most, whatever interrupts this thread (its status is kept): a
     * close called on an interrupted thread (a shutdown hook, a container stopping) still hands its runs over and
     * releases the lease before it returns, so that the pool its caller closes next is not closed under them.
     */
    private static boolean joinUninterruptibly(Thread thread, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return !thread.isAlive();
                }
                try {
                    return thread.join(Duration.ofNanos(left));
                }
                catch (InterruptedException ex) {
                    interrupted = true;
                }
            }
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
}
