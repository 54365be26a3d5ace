package io.sweetasync;

import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writer of a {@link StoreSync}: what its thread ({@code sweet-async-store}) does every {@code flushInterval}.
 * It writes the records of tracked tasks whose status changed (one batch), finishes the stored durable invocations
 * that ended, and forgets tasks once their terminal record is written (and writes it once more if the task's
 * sampled resource figures were still {@code PENDING} in it and are final now); every hour it purges records older
 * than the retention. A batch the store refuses is written again one at a time ({@link RowByRow}), so that one record
 * or end the database refuses cannot hold back the others.
 *
 * <h2>Threads</h2>
 * Its own thread runs {@link #loop}; {@link #flush} also runs on the callers of {@link StoreSync#flushNow()} (tests,
 * shutdown) and once more on close, after the writer's thread stopped. Flushes run one at a time ({@link #flushLock}),
 * so a slow write of an older state can never land after a newer one. The collections it shares are
 * {@link StoreSync}'s: it reads, replaces and removes entries of {@code tracked} (task threads and the lease keeper
 * add to it), removes from {@code refigured}, and adds to {@code released} (runs the shutdown stopped) and
 * {@code unended} (ends the store refused); an invocation enters those two before it leaves {@code tracked}, so the
 * lease keeper's looks ({@link StoreSync#held}) know of it at every moment. {@link #lastPurge} is only the writer
 * thread's, as is {@link #rowByRow} (under {@link #flushLock}); {@link #writesDown} is the writer's half of the
 * store-down warning, the lease keeper has its own.
 */
final class StoreWriter {

    private static final System.Logger LOG = System.getLogger(StoreSync.class.getName()); // the name users configure
    private static final int BATCH = 500;
    private static final long PURGE_EVERY_NANOS = TimeUnit.HOURS.toNanos(1);

    private final StoreSync sync;
    private final TaskOrchestrator orchestrator;
    private final TaskStore store;
    private final StoreSettings settings;
    private final ConcurrentHashMap<TaskNode<?>, String> tracked;
    private final Set<TaskNode<?>> refigured;
    private final Set<TaskId> released;
    private final LongAdder written;
    private final ReentrantLock flushLock = new ReentrantLock();
    /** Whether writing (records, ends, purges) failed last time; for the warning when it starts and ends. */
    private final AtomicBoolean writesDown = new AtomicBoolean();
    /** Only the writer touches this. */
    private long lastPurge;
    /** The one-by-one writes after the store refused a batch, and which rows it refuses (writer only, under flushLock). */
    private final RowByRow rowByRow;

    StoreWriter(StoreSync sync) {
        this.sync = sync;
        this.orchestrator = sync.orchestrator;
        this.store = sync.store();
        this.settings = sync.settings;
        this.tracked = sync.tracked;
        this.refigured = sync.refigured;
        this.released = sync.released;
        this.written = sync.written;
        this.lastPurge = System.nanoTime() - PURGE_EVERY_NANOS; // purge once soon after start
        this.rowByRow = new RowByRow(sync);
    }

    /** The writer's loop: records and ends every interval, the purge every hour. */
    void loop() {
        while (sync.awaitInterval()) {
            StoreSync.step(this::flush);
            long now = System.nanoTime();
            if (now - lastPurge >= PURGE_EVERY_NANOS) {
                lastPurge = now;
                StoreSync.step(this::purge);
            }
        }
    }

    /**
     * One batch: the tracked tasks whose status changed since last written. Flushes run one at a time
     * ({@link #flushLock}), so a slow write of an older state can never land after a newer one.
     */
    boolean flush() {
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
            TaskNode<?> node = entry.getKey();
            if (!progress(node).equals(entry.getValue())) {
                changed.add(node);
            }
        }
        if (rowByRow.anyFailedAlone()) {
            // A record that failed alone lately goes last (stable): first in the one-by-one fallback, its next
            // failure would be taken for the store's and hold back every other record and end, flush after flush.
            changed.sort(Comparator.comparing((TaskNode<?> node) -> rowByRow.failedAlone(node.id())));
        }
        for (int from = 0; from < changed.size(); from += BATCH) {
            List<TaskNode<?>> nodes = changed.subList(from, Math.min(changed.size(), from + BATCH));
            List<Written> batch = new ArrayList<>(nodes.size());
            for (TaskNode<?> node : nodes) {
                batch.add(toWrite(node));
            }
            try {
                store.save(batch.stream().map(Written::record).toList());
                rowByRow.recordsWritten(batch);
                written.add(batch.size());
                sync.storeUp(writesDown);
            }
            catch (Exception ex) { // a checked exception too: a store in a language without them (SQLException)
                List<Written> saved = rowByRow.save(batch);
                if (saved == null) {
                    sync.storeDown(writesDown, "writing " + batch.size() + " task records", ex);
                    return false;
                }
                saved(saved); // a failure there is retried next time, like any
                continue;
            }
            if (!saved(batch)) {
                return false;
            }
        }
        return rewriteRefigured();
    }

    /**
     * A record to write, with what was decided with it (together, from one look at the node: a node that ends while
     * its record is written is looked at again at the next flush): {@code progress}, what it says of its task
     * ({@link #progress}); {@code handedOver}, whether it is the {@code PENDING} record of a durable run this
     * process's shutdown stopped whose body has returned, which is handed back to the store once it is written.
     */
    record Written(TaskNode<?> node, TaskRecord record, String progress, boolean handedOver) {
    }

    private Written toWrite(TaskNode<?> node) {
        boolean stays = stays(node); // first: read terminal, so that the runaway flag read next is its body's now
        String progress = progress(node);
        TaskRecord record = record(node, stays);
        return new Written(node, record, progress, stays && !progress.endsWith(RUNAWAY));
    }

    /**
     * The record of {@code node} now; a durable task this process's shutdown stopped is written {@code PENDING}, as its
     * invocation stays ({@link Durables#released}): it runs again, on another member or at the next start, and is not
     * shown as cancelled meanwhile (one who believed that would submit it a second time). Its attempts are kept: the
     * next run counts on from them.
     */
    private TaskRecord record(TaskNode<?> node, boolean stays) {
        TaskRecord record = StoredTasks.record(node, member(), incarnation());
        return stays && TaskStatus.valueOf(record.status()).isTerminal() ? StoredTasks.pendingAgain(record) : record;
    }

    /**
     * Whether {@code node} is a finished durable task whose invocation stays pending, to run again: this process's
     * shutdown stopped its run ({@link Durables#released}). It is handed over only once its body has returned: a
     * runaway's body still runs, and another member must not run it beside it (nor is it handed back at close: its
     * member's lease lapses, and the run counts as lost).
     */
    private boolean stays(TaskNode<?> node) {
        return node.isDurable() && orchestrator.parts().durables().released(node); // released: ended CANCELLED
    }

    private static final String RUNAWAY = "/runaway";

    /**
     * What a record written says of its task's progress, kept in {@code tracked} to tell when to write it again: its
     * status, its attempts (a retry starts a new attempt in the same status, and a durable task's next run, after
     * a crash or a hand-over, counts its attempts on from the last one written), and whether it is a runaway (whose
     * return lets a durable run the shutdown stopped be handed over).
     */
    private static String progress(TaskNode<?> node) {
        String progress = node.status().name() + "/" + node.attempts();
        return node.isRunaway() ? progress + RUNAWAY : progress;
    }

    /**
     * After these records were written: a task whose record is terminal is forgotten, once the ends of
     * the durable ones among them are written too (one batch); the others wait for their next change.
     *
     * @return false if the store failed writing the durable ends (they are written again next time)
     */
    private boolean saved(List<Written> batch) {
        List<TaskNode<?>> ended = new ArrayList<>();
        List<TaskStore.DurableEnd> ends = new ArrayList<>();
        List<TaskId> handedOver = new ArrayList<>();
        List<TaskId> unrun = new ArrayList<>();
        for (Written one : batch) {
            TaskNode<?> node = one.node();
            if (one.handedOver()) {
                released.add(node.id());
                // A re-run that made no attempt here gives back the attempt its claim counted: turned away at every
                // look while its group stays full, it would use up its retry policy's attempts without a run.
                (node.isUnrunRerun() ? unrun : handedOver).add(node.id());
                sync.untrack(node);
                continue;
            }
            if (!TaskStatus.valueOf(one.record().status()).isTerminal()) {
                // live, or a run the shutdown stopped whose body still runs (a runaway): written again as it moves
                tracked.replace(node, one.progress());
                continue;
            }
            if (!node.isDurable()) {
                sync.untrack(node);
                continue;
            }
            TaskStore.DurableEnd end = orchestrator.parts().durables().end(node);
            if (end == null) {
                // Released: ended by the shutdown just after its look (its record says CANCELLED): written again,
                // PENDING, and handed over, at the next flush. Or its outcome is not set yet (its fallback runs):
                // its end is written at the next flush.
                tracked.replace(node, StoreSync.UNWRITTEN);
            }
            else {
                ended.add(node);
                ends.add(end);
            }
        }
        handOver(handedOver, false);
        handOver(unrun, true);
        if (ends.isEmpty()) {
            return true;
        }
        try {
            store.finishDurables(ends);
        }
        catch (Exception failed) {
            if (!rowByRow.finish(ended, ends)) {
                sync.storeDown(writesDown, "writing the ends of " + ends.size() + " durable tasks", failed);
                // record and end written again next time
                ended.forEach(node -> tracked.replace(node, StoreSync.UNWRITTEN));
                return false;
            }
            return true;
        }
        ended.forEach(sync::untrack);
        rowByRow.endsWritten(ended);
        return true;
    }

    /**
     * Hands the invocations of runs the shutdown stopped back to the store now that their records say so, rather
     * than when the orchestrator closes: a shutdown's grace may be long, or the close may come much later, and
     * meanwhile this member renews its lease and nobody else could run them. A store that fails this leaves them to
     * the close ({@link StoreSync#released}, handed back again there: a second hand-back is harmless, though one
     * there keeps the attempt an {@code unrun} re-run's claim counted). {@code unrun}: re-runs that made no attempt
     * here ({@link TaskStore#releaseUnrun}: their claim's attempt taken back).
     */
    private void handOver(List<TaskId> ids, boolean unrun) {
        if (ids.isEmpty()) {
            return;
        }
        try {
            if (unrun) {
                store.releaseUnrun(incarnation(), ids);
            }
            else {
                store.releaseDurables(incarnation(), ids);
            }
            // Handed over: no longer this member's (see StoreSync#released). A second hand-over at the close is
            // left to those whose answer did not come.
            ids.forEach(released::remove);
            LOG.log(Level.INFO, "{0} durable task(s) stopped by this member''s shutdown, or re-runs it "
                    + "turned away unrun (a queue full), handed over to run again: {1}",
                    ids.size(), ids.size() <= 10 ? ids : ids.subList(0, 10) + " and more");
        }
        catch (Exception ex) {
            LOG.log(Level.DEBUG, "could not hand over " + ids + " yet; they are handed over on close", ex);
        }
    }

    /** Writes again the records of finished tasks whose figures became final (once they are not tracked). */
    private boolean rewriteRefigured() {
        List<TaskNode<?>> nodes = refigured.stream().filter(node -> !tracked.containsKey(node)).limit(BATCH).toList();
        if (nodes.isEmpty()) {
            return true;
        }
        List<TaskRecord> records = nodes.stream().map(node -> record(node, stays(node))).toList();
        try {
            store.save(records);
            nodes.forEach(refigured::remove);
            written.add(records.size());
            sync.storeUp(writesDown);
            return true;
        }
        catch (Exception ex) {
            sync.storeDown(writesDown, "writing " + records.size() + " task records", ex);
            return false;
        }
    }

    private void purge() {
        try {
            int purged = store.purge(Instant.now().minus(settings.retention()));
            if (purged > 0) {
                LOG.log(Level.DEBUG, "purged {0} task records older than {1}", purged, settings.retention());
            }
        }
        catch (Exception ex) {
            sync.storeDown(writesDown, "purging old task records", ex);
        }
    }

    private long incarnation() {
        return sync.incarnation();
    }

    private String member() {
        return sync.member();
    }
}
