package io.sweetasync;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps a {@link TaskStore} in step with an orchestrator, on one daemon thread of its own so that no
 * task ever waits for the store: every {@code flushInterval} it writes the records of tracked tasks
 * whose status changed (one batch), finishes the stored durable invocations that ended, and forgets
 * tasks once their terminal record is written (and writes it once more if the task's sampled resource
 * figures were still {@code PENDING} in it and are final now); every third of the lease it renews the lease (which also
 * marks lost the tasks of dead incarnations) and claims orphaned durable invocations; every hour it
 * purges records older than the retention.
 *
 * <h2>Bounded, never silent</h2>
 * At most {@code maxTracked} tasks wait to be written; a task created while that many wait is not
 * tracked, and counted in {@link #dropped()} with a warning. While the store fails, writes are retried
 * each interval (tracked tasks stay tracked), failures are counted in {@link #failedWrites()}, and a
 * warning is logged when the store goes down and when it is back.
 *
 * <h2>Threads</h2>
 * {@link #tracked} is a concurrent map: task threads add to it, the sync thread reads, replaces and
 * removes entries. A node's status is read after its terminal status was set, so a terminal record
 * has the final snapshot.
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
    private final AtomicInteger trackedCount = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failedWrites = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread thread;
    /** Guarded by lock. */
    private boolean closing;
    /** Only the sync thread touches these. */
    private boolean down;
    private long lastHeartbeat;
    private long lastPurge;
    private volatile boolean droppedReported;

    StoreSync(TaskOrchestrator orchestrator, TaskStore store, StoreSettings settings) {
        this.orchestrator = orchestrator;
        this.store = store;
        this.settings = settings;
        this.incarnation = store.open(settings.member(), settings.lease());
        if (incarnation.number() < 1 || incarnation.number() > TaskId.MAX_INCARNATION) {
            throw new IllegalStateException("the task store gave incarnation " + incarnation.number()
                    + ", outside 1.." + TaskId.MAX_INCARNATION);
        }
        this.lastHeartbeat = System.nanoTime();
        this.lastPurge = System.nanoTime() - PURGE_EVERY_NANOS; // purge once soon after start
        this.thread = Thread.ofPlatform().name("sweet-async-store").daemon(true).unstarted(this::loop);
    }

    void start() {
        thread.start();
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

    /** Starts tracking {@code node}; called on the creating thread. */
    void track(TaskNode<?> node) {
        if (trackedCount.get() >= settings.maxTracked()) {
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

    private void loop() {
        while (true) {
            lock.lock();
            try {
                if (!closing) {
                    wake.awaitNanos(settings.flushInterval().toNanos());
                }
                if (closing) {
                    return;
                }
            }
            catch (InterruptedException ex) {
                return;
            }
            finally {
                lock.unlock();
            }
            try {
                flush();
                long now = System.nanoTime();
                if (now - lastHeartbeat >= settings.lease().toNanos() / 3) {
                    lastHeartbeat = now;
                    heartbeat();
                }
                if (now - lastPurge >= PURGE_EVERY_NANOS) {
                    lastPurge = now;
                    purge();
                }
            }
            catch (Throwable t) {
                LOG.log(Level.ERROR, "task store sync failed unexpectedly; continuing", t);
            }
        }
    }

    /** One batch: the tracked tasks whose status changed since last written. */
    private boolean flush() {
        List<TaskNode<?>> changed = new ArrayList<>();
        List<String> statuses = new ArrayList<>();
        for (Map.Entry<TaskNode<?>, String> entry : tracked.entrySet()) {
            String status = entry.getKey().status().name();
            if (!status.equals(entry.getValue())) {
                changed.add(entry.getKey());
                statuses.add(status);
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
                for (int i = 0; i < nodes.size(); i++) {
                    TaskNode<?> node = nodes.get(i);
                    TaskRecord record = records.get(i);
                    if (TaskStatus.valueOf(record.status()).isTerminal()) {
                        if (node.isDurable()) {
                            orchestrator.durables().finished(node);
                        }
                        untrack(node);
                    }
                    else {
                        tracked.replace(node, record.status());
                    }
                }
                written.add(records.size());
                storeUp();
            }
            catch (RuntimeException ex) {
                storeDown("writing " + records.size() + " task records", ex);
                return false;
            }
        }
        return rewriteRefigured();
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
            storeUp();
            return true;
        }
        catch (RuntimeException ex) {
            storeDown("writing " + records.size() + " task records", ex);
            return false;
        }
    }

    private void heartbeat() {
        try {
            int lost = store.heartbeat(incarnation(), settings.lease());
            if (lost > 0) {
                LOG.log(Level.WARNING, "{0} task(s) of stopped processes were marked lost (TaskLostException)", lost);
            }
            orchestrator.durables().claimOrphans();
            storeUp();
        }
        catch (RuntimeException ex) {
            storeDown("renewing the lease of member " + member(), ex);
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
            storeDown("purging old task records", ex);
        }
    }

    private void storeDown(String what, RuntimeException ex) {
        failedWrites.increment();
        if (!down) {
            down = true;
            LOG.log(Level.WARNING, "task store failed " + what + "; tasks keep running, records wait (at most "
                    + settings.maxTracked() + ") and are retried every " + settings.flushInterval(), ex);
        }
    }

    private void storeUp() {
        if (down) {
            down = false;
            LOG.log(Level.INFO, "task store is back; {0} write(s) had failed meanwhile", failedWrites.sum());
        }
    }

    /** Stops the sync thread after a last write, and releases the lease. */
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
        try {
            thread.join(Duration.ofSeconds(10));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        flush();
        try {
            store.close(incarnation());
        }
        catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "task store failed releasing the lease of member " + member(), ex);
        }
    }
}
