package io.sweetasync;

import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps a {@link TaskStore} in step with an orchestrator, on two daemon threads of its own so that no
 * task ever waits for the store. The <em>writer</em> ({@code sweet-async-store}), every {@code flushInterval},
 * writes the records of tracked tasks whose status changed (one batch), finishes the stored durable
 * invocations that ended, and forgets tasks once their terminal record is written (and writes it once more if
 * the task's sampled resource figures were still {@code PENDING} in it and are final now); every hour it purges
 * records older than the retention. The <em>lease keeper</em> ({@code sweet-async-store-lease}), every third of
 * the lease, renews the lease (which also marks lost the tasks of dead incarnations), claims orphaned durable
 * invocations, and holds the invocations the store says this member owns against those it knows of
 * ({@link OwnedDurables}: an answer lost after its commit strands nothing). They are apart so that a write
 * that takes long (a large batch, a lock wait, a purge of a week of records) never keeps the lease of this live member from being renewed: a lapsed lease would have its durable
 * tasks run a second time elsewhere and its other tasks marked lost. After {@link #claimSoon()} (a cluster
 * member left) the lease keeper claims orphans at every interval for one lease, so a dead member's durable
 * invocations are taken over within an interval of its lease lapsing, rather than at the next third of this
 * member's lease.
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
 */
final class StoreSync implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(StoreSync.class.getName());
    private static final int BATCH = 500;
    private static final long PURGE_EVERY_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final String UNWRITTEN = "";

    private final TaskOrchestrator orchestrator;
    private final TaskStore store;
    private final TaskStore.Incarnation incarnation;
    private final StoreSettings settings;
    /** Tracked tasks and the status last written for each ({@code ""}: none yet). */
    private final ConcurrentHashMap<TaskNode<?>, String> tracked = new ConcurrentHashMap<>();
    /**
     * Finished tasks whose sampled resource figures became final after their record may have been
     * written ({@code PENDING}): written once more when no longer tracked. Bounded like {@code tracked}.
     */
    private final Set<TaskNode<?>> refigured = ConcurrentHashMap.newKeySet();
    /** Durable invocations whose runs this process's shutdown stopped: handed back to the store on close. */
    private final Set<TaskId> released = ConcurrentHashMap.newKeySet();
    /**
     * Durable invocations that ended here but whose end the store refused (dropped, counted): pending still, they
     * are not run here again (another member claims them once this one stops); at most {@code maxTracked} (one
     * beyond is run here again, at least once, as any invocation this member owns and does not know of).
     */
    private final Set<TaskId> unended = ConcurrentHashMap.newKeySet();
    private final AtomicInteger trackedCount = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failedWrites = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread thread;
    private final Thread leaseKeeper;
    /** Guarded by lock. */
    private boolean closing;
    /** Whether writing (records, ends, purges) failed last time; for the warning when it starts and ends. */
    private final AtomicBoolean writesDown = new AtomicBoolean();
    /** Whether renewing the lease or claiming failed last time; for the warning when it starts and ends. */
    private final AtomicBoolean leaseDown = new AtomicBoolean();
    /** Only the lease keeper touches this. */
    private long lastHeartbeat;
    /**
     * When ({@code System.nanoTime()}) the last renewal of the lease that succeeded began: the lease held at
     * least until a lease after it. Only the lease keeper touches it after construction.
     */
    private long renewedAt;
    /** Only the writer touches this. */
    private long lastPurge;
    private volatile boolean droppedReported;
    /** Until when ({@code System.nanoTime()}) orphans are claimed at every interval; see {@link #claimSoon()}. */
    private volatile long claimUntil = System.nanoTime();

    /** Opens {@code store}; in {@code cluster} (null: none) with an incarnation no other member has ({@link Incarnations}). */
    StoreSync(TaskOrchestrator orchestrator, TaskStore store, StoreSettings settings, TaskCluster cluster) {
        this.orchestrator = orchestrator;
        this.store = store;
        this.settings = settings;
        this.renewedAt = System.nanoTime(); // before the lease is taken: a lower bound of its start
        this.incarnation = Incarnations.open(store, settings.member(), settings.lease(), cluster);
        this.lastHeartbeat = System.nanoTime();
        this.lastPurge = System.nanoTime() - PURGE_EVERY_NANOS; // purge once soon after start
        this.thread = Thread.ofPlatform().name("sweet-async-store").daemon(true).unstarted(this::loop);
        this.leaseKeeper = Thread.ofPlatform().name("sweet-async-store-lease").daemon(true).unstarted(this::leaseLoop);
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
        return flush();
    }

    /** The writer's loop: records and ends every interval, the purge every hour. */
    private void loop() {
        while (awaitInterval()) {
            step(this::flush);
            long now = System.nanoTime();
            if (now - lastPurge >= PURGE_EVERY_NANOS) {
                lastPurge = now;
                step(this::purge);
            }
        }
    }

    /**
     * The lease keeper's loop: the renewal every third of the lease, claims in between after {@link #claimSoon()}.
     * Each step on its own, and on a thread apart from the writes: a write that is slow or fails unexpectedly (an
     * Error from the store) must not keep the lease from being renewed, or this live member would be declared dead
     * and its work run twice.
     */
    private void leaseLoop() {
        while (awaitInterval()) {
            long now = System.nanoTime();
            if (now - lastHeartbeat >= settings.lease().toNanos() / 3) {
                lastHeartbeat = now;
                step(this::heartbeat);
            }
            else if (now - claimUntil < 0) {
                step(this::claimOrphans);
            }
        }
    }

    /** Waits for the next interval (or a wake-up); false once closing. */
    private boolean awaitInterval() {
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
    private static void step(Runnable step) {
        try {
            step.run();
        }
        catch (Throwable t) {
            LOG.log(Level.ERROR, "task store sync failed unexpectedly; continuing", t);
        }
    }

    /**
     * One batch: the tracked tasks whose status changed since last written. Flushes run one at a time
     * ({@link #flushLock}), so a slow write of an older state can never land after a newer one.
     */
    private boolean flush() {
        flushLock.lock();
        try {
            return flushOnce();
        }
        finally {
            flushLock.unlock();
        }
    }

    private boolean flushOnce() {
        List<TaskNode<?>> changed = new ArrayList<>();
        for (Map.Entry<TaskNode<?>, String> entry : tracked.entrySet()) {
            String status = entry.getKey().status().name();
            if (!status.equals(entry.getValue())) {
                changed.add(entry.getKey());
            }
        }
        for (int from = 0; from < changed.size(); from += BATCH) {
            List<TaskNode<?>> nodes = changed.subList(from, Math.min(changed.size(), from + BATCH));
            List<TaskRecord> records = new ArrayList<>(nodes.size());
            for (TaskNode<?> node : nodes) {
                records.add(StoredTasks.record(node, member(), incarnation()));
            }
            try {
                store.save(records);
                written.add(records.size());
                storeUp(writesDown);
            }
            catch (RuntimeException ex) {
                if (!saveOneByOne(nodes, records)) {
                    storeDown(writesDown, "writing " + records.size() + " task records", ex);
                    return false;
                }
                continue;
            }
            if (!saved(nodes, records)) {
                return false;
            }
        }
        return rewriteRefigured();
    }

    /**
     * After these records were written: a task whose record is terminal is forgotten, once the ends of
     * the durable ones among them are written too (one batch); the others wait for their next change.
     *
     * @return false if the store failed writing the durable ends (they are written again next time)
     */
    private boolean saved(List<TaskNode<?>> nodes, List<TaskRecord> records) {
        List<TaskNode<?>> ended = new ArrayList<>();
        List<TaskStore.DurableEnd> ends = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            TaskNode<?> node = nodes.get(i);
            if (!TaskStatus.valueOf(records.get(i).status()).isTerminal()) {
                tracked.replace(node, records.get(i).status());
                continue;
            }
            TaskStore.DurableEnd end = node.isDurable() ? orchestrator.durables().end(node) : null;
            if (end == null) {
                if (node.isDurable() && orchestrator.durables().released(node)) {
                    released.add(node.id());
                }
                untrack(node);
            }
            else {
                ended.add(node);
                ends.add(end);
            }
        }
        if (ends.isEmpty()) {
            return true;
        }
        try {
            store.finishDurables(ends);
        }
        catch (RuntimeException batch) {
            if (!finishOneByOne(ended, ends)) {
                storeDown(writesDown, "writing the ends of " + ends.size() + " durable tasks", batch);
                ended.forEach(node -> tracked.replace(node, UNWRITTEN)); // record and end written again next time
                return false;
            }
            return true;
        }
        ended.forEach(this::untrack);
        return true;
    }

    /**
     * After a batch of durable ends failed: one at a time, so that one end the database refuses (its
     * result, say) cannot hold back the others. A refused end is written again without its result (the
     * task's status and failure are what matter); if even that is refused, it is dropped, counted and
     * logged, and the invocation stays pending; this member does not run it again ({@link #held}): another member
     * claims it once this one has stopped, or its next start does.
     */
    private boolean finishOneByOne(List<TaskNode<?>> nodes, List<TaskStore.DurableEnd> ends) {
        boolean anyWritten = false;
        for (int i = 0; i < nodes.size(); i++) {
            TaskStore.DurableEnd end = ends.get(i);
            try {
                store.finishDurable(end.id(), end.owner(), end.status(), end.result(), end.failure());
                untrack(nodes.get(i));
                anyWritten = true;
                continue;
            }
            catch (RuntimeException ex) {
                if (!anyWritten && i == 0) {
                    return false;
                }
                LOG.log(Level.WARNING, "the task store refused the end of durable task " + nodes.get(i).label()
                        + "; writing it without its result", ex);
            }
            try {
                store.finishDurable(end.id(), end.owner(), end.status(), null, end.failure());
            }
            catch (RuntimeException ex) {
                dropped.increment();
                if (unended.size() < settings.maxTracked()) {
                    unended.add(end.id()); // before it is untracked: this member knows of it at every moment
                }
                LOG.log(Level.WARNING, "the task store refused the end of durable task " + nodes.get(i).label()
                        + "; dropped (counted), it stays pending", ex);
            }
            untrack(nodes.get(i));
        }
        return true;
    }

    /**
     * After a batch failed: writes its records one at a time, so that one record the database refuses
     * cannot hold back the others forever. A record refused while others go through is dropped and
     * counted (a durable task stays tracked all the same: its end is still to be written); if the first one fails
     * too, the store is down and the batch waits for the next interval.
     */
    private boolean saveOneByOne(List<TaskNode<?>> nodes, List<TaskRecord> records) {
        boolean anyWritten = false;
        List<TaskNode<?>> savedNodes = new ArrayList<>();
        List<TaskRecord> savedRecords = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            try {
                store.save(List.of(records.get(i)));
                savedNodes.add(nodes.get(i));
                savedRecords.add(records.get(i));
                written.increment();
                anyWritten = true;
            }
            catch (RuntimeException ex) {
                if (!anyWritten && i == 0) {
                    return false;
                }
                dropped.increment();
                LOG.log(Level.WARNING, "the task store refused the record of task " + nodes.get(i).label()
                        + "; dropped (counted)", ex);
                if (nodes.get(i).isDurable()) {
                    // Its record is dropped, not the task: it stays tracked, so its end is still written (its
                    // invocation would stay pending for ever) and the looks know it runs here (untracked while it
                    // ran, it was unknown to them: they started it a second time, LostAnswerReviewTest).
                    savedNodes.add(nodes.get(i));
                    savedRecords.add(records.get(i));
                }
                else {
                    untrack(nodes.get(i));
                }
            }
        }
        saved(savedNodes, savedRecords); // a failure there is retried next time, like any
        return true;
    }

    /** Writes again the records of finished tasks whose figures became final (once they are not tracked). */
    private boolean rewriteRefigured() {
        List<TaskNode<?>> nodes = refigured.stream().filter(node -> !tracked.containsKey(node)).limit(BATCH).toList();
        if (nodes.isEmpty()) {
            return true;
        }
        List<TaskRecord> records = nodes.stream().map(node -> StoredTasks.record(node, member(), incarnation())).toList();
        try {
            store.save(records);
            nodes.forEach(refigured::remove);
            written.add(records.size());
            storeUp(writesDown);
            return true;
        }
        catch (RuntimeException ex) {
            storeDown(writesDown, "writing " + records.size() + " task records", ex);
            return false;
        }
    }

    private void heartbeat() {
        try {
            long started = System.nanoTime();
            int lost = store.heartbeat(incarnation(), settings.lease());
            long outOfReach = System.nanoTime() - renewedAt;
            renewedAt = started;
            if (lost > 0) {
                LOG.log(Level.WARNING, "{0} task(s) of stopped processes were marked lost (TaskLostException)", lost);
            }
            if (outOfReach >= settings.lease().toNanos()) {
                stopTakenOver(Duration.ofNanos(outOfReach));
            }
            orchestrator.durables().claimOrphans();
            orchestrator.durables().reconcile();
            storeUp(leaseDown);
        }
        catch (RuntimeException ex) {
            storeDown(leaseDown, "renewing the lease of member " + member(), ex);
        }
    }

    /**
     * This member's lease may have lapsed before this renewal ({@code outOfReach} passed since the last one
     * began, a lease or more): other members may have claimed its durable invocations meanwhile and be
     * running them. A durable task still live here whose stored invocation another incarnation owns now, or
     * that has ended, is the duplicate run: it is stopped, ending {@code FAILED} with {@link TaskLostException}
     * (its end is not written: the store refuses an end from an owner it no longer has). An invocation nobody
     * claimed is still this member's, and its run goes on.
     */
    private void stopTakenOver(Duration outOfReach) {
        for (TaskNode<?> node : tracked.keySet()) {
            if (!node.isDurable() || node.isFinished()) {
                continue;
            }
            DurableRecord stored = store.durable(node.id()).orElse(null);
            if (stored != null && (stored.owner() != incarnation() || !stored.status().equals("PENDING"))) {
                String now = stored.status().equals("PENDING") ? "incarnation " + stored.owner() + " runs it now"
                        : "it ended " + stored.status() + " there";
                String why = "member " + member() + " could not renew its lease in the task store for " + outOfReach
                        .toMillis() + " ms (lease " + settings.lease() + "), and another member claimed it: " + now
                        + "; read its result with storedResult(" + node.id() + ", type)";
                LOG.log(Level.WARNING, "durable task {0} stopped here: {1}", node.label(), why);
                node.stop(TaskNode.StopKind.LOST, why);
            }
        }
    }

    /**
     * Another member may have died: for the next lease (and an interval), claim orphaned durable invocations
     * at every interval. Only invocations whose owner's lease has lapsed are claimed, so this never takes a
     * task from a member that is still alive and renewing; it only stops waiting for the next periodic look.
     */
    void claimSoon() {
        claimUntil = System.nanoTime() + settings.lease().plus(settings.flushInterval()).toNanos();
        lock.lock();
        try {
            wake.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    private void claimOrphans() {
        try {
            orchestrator.durables().claimOrphans();
            storeUp(leaseDown);
        }
        catch (RuntimeException ex) {
            storeDown(leaseDown, "claiming the durable tasks of a member that left", ex);
        }
    }

    private void purge() {
        try {
            int purged = store.purge(Instant.now().minus(settings.retention()));
            if (purged > 0) {
                LOG.log(Level.DEBUG, "purged {0} task records older than {1}", purged, settings.retention());
            }
        }
        catch (RuntimeException ex) {
            storeDown(writesDown, "purging old task records", ex);
        }
    }

    private void storeDown(AtomicBoolean down, String what, RuntimeException ex) {
        failedWrites.increment();
        if (down.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "task store failed " + what + "; tasks keep running, records wait (at most "
                    + settings.maxTracked() + ") and are retried every " + settings.flushInterval(), ex);
        }
    }

    private void storeUp(AtomicBoolean down) {
        if (down.compareAndSet(true, false)) {
            LOG.log(Level.INFO, "task store is back; {0} write(s) had failed meanwhile", failedWrites.sum());
        }
    }

    /**
     * Stops the writer and the lease keeper after a last write, hands back the durable invocations whose runs the shutdown
     * stopped, and releases the lease.
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
                released.addAll(orchestrator.durables().abandonUnstarted());
                thread.join(CLOSE_WAIT);
                flush();
                if (!released.isEmpty()) {
                    store.releaseDurables(incarnation(), List.copyOf(released)); // handed over, not lost
                }
                store.close(incarnation());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "task store failed on close of member " + member(), ex);
            }
        });
        try {
            if (!last.join(CLOSE_WAIT.multipliedBy(2))) {
                LOG.log(Level.WARNING, "task store did not answer within {0} on close: {1} task record(s) not written; "
                        + "the lease of member {2} lapses by itself", CLOSE_WAIT.multipliedBy(2), pending(), member());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
}
