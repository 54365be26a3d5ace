package io.sweetasync;

import io.sweetasync.StoreWriter.Written;
import io.sweetasync.spi.TaskStore;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link StoreWriter}'s way through a batch the store refused: its records, or its durable ends, written again one
 * at a time, so that one row the database refuses (a result too large for its column, say) cannot hold back the
 * others; and the judgement of which row that is. A row that fails alone while others go through is taken for refused
 * only at its {@value #REFUSED_AFTER}th failure in a row, so that a moment's failure (a connection reset) does not cost
 * a record, a result or an end that the next flush writes; until then it is written again at every flush, last.
 *
 * <h2>Threads</h2>
 * Only the writer uses it, under its {@code flushLock}: the failure counts are plain maps. What it changes of the
 * {@link StoreSync} (a task untracked, its progress reset to {@link StoreSync#UNWRITTEN}, an end added to
 * {@code unended}, the {@code dropped} and {@code written} counts) it changes as the writer would.
 */
final class RowByRow {

    private static final System.Logger LOG = System.getLogger(StoreSync.class.getName()); // the name users configure
    private static final int REFUSED_AFTER = 3;

    private final StoreSync sync;
    private final TaskStore store;
    /** Failures in a row of one task's record written alone while others went through. */
    private final Map<TaskId, Integer> recordFailures = new HashMap<>();
    /**
     * As {@link #recordFailures}, for durable ends: apart, as a task's record is written again (and succeeds) before
     * each retry of its end, and would reset the end's count.
     */
    private final Map<TaskId, Integer> endFailures = new HashMap<>();

    RowByRow(StoreSync sync) {
        this.sync = sync;
        this.store = sync.store();
    }

    /** Whether some task's record failed alone lately (its count is not back to none yet). */
    boolean anyFailedAlone() {
        return !recordFailures.isEmpty();
    }

    /** Whether the record of task {@code id} failed alone lately: it goes last in the next batch. */
    boolean failedAlone(TaskId id) {
        return recordFailures.containsKey(id);
    }

    /** These records were written in a batch: their failures in a row end. */
    void recordsWritten(List<Written> batch) {
        if (!recordFailures.isEmpty()) {
            batch.forEach(one -> recordFailures.remove(one.node().id()));
        }
    }

    /** The ends of these durable tasks were written in a batch: their failures in a row end. */
    void endsWritten(List<TaskNode<?>> ended) {
        if (!endFailures.isEmpty()) {
            ended.forEach(node -> endFailures.remove(node.id()));
        }
    }

    /**
     * After a batch of records failed: writes them one at a time. A record refused while others go through is dropped
     * and counted (a durable task's is kept among the saved all the same: its end is still to be written); one that
     * failed fewer than {@value #REFUSED_AFTER} times in a row is left tracked as it was, written again at the next
     * flush.
     *
     * @return the records written or kept, for the writer's {@code saved}; null if the first one failed too: the store
     *     is down, and the batch waits for the next interval
     */
    List<Written> save(List<Written> batch) {
        boolean anyWritten = false;
        List<Written> saved = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Written one = batch.get(i);
            try {
                store.save(List.of(one.record()));
                recordFailures.remove(one.node().id());
                saved.add(one);
                sync.written.increment();
                anyWritten = true;
            }
            catch (Exception ex) {
                if (!anyWritten && i == 0) {
                    return null;
                }
                if (recordFailures.merge(one.node().id(), 1, Integer::sum) < REFUSED_AFTER) {
                    // perhaps a moment's failure: left tracked as it was, so written again at the next flush
                    LOG.log(Level.DEBUG, "the task store failed the record of task " + one.node().label()
                            + "; written again at the next flush", ex);
                    continue;
                }
                recordFailures.remove(one.node().id());
                sync.dropped.increment();
                LOG.log(Level.WARNING, "the task store refused the record of task " + one.node().label()
                        + "; dropped (counted)", ex);
                if (one.node().isDurable()) {
                    // Its record is dropped, not the task: it stays tracked, so its end is still written (its
                    // invocation would stay pending for ever) and the looks know it runs here (untracked while it
                    // ran, it was unknown to them: they started it a second time, LostAnswerReviewTest).
                    saved.add(one);
                }
                else {
                    sync.untrack(one.node());
                }
            }
        }
        return saved;
    }

    /**
     * After a batch of durable ends failed: one at a time. An end refused {@value #REFUSED_AFTER} times in a row is
     * written again without its result (the task's status and failure are what matter); if even that is refused, it is
     * dropped, counted and logged, and the invocation stays pending; this member does not run it again
     * ({@link StoreSync#held}): another member claims it once this one has stopped, or its next start does.
     *
     * @return false if the first end failed too, and not yet for the {@value #REFUSED_AFTER}th time: the store is
     *     down (the caller writes records and ends again next time)
     */
    boolean finish(List<TaskNode<?>> nodes, List<TaskStore.DurableEnd> ends) {
        boolean anyWritten = false;
        for (int i = 0; i < nodes.size(); i++) {
            TaskStore.DurableEnd end = ends.get(i);
            try {
                store.finishDurable(end.id(), end.owner(), end.status(), end.result(), end.failure());
                sync.untrack(nodes.get(i));
                endFailures.remove(end.id());
                anyWritten = true;
                continue;
            }
            catch (Exception ex) {
                // Counted first, even when it is the first of the flush: its record was written just before (the
                // store answers), and alone at every retry, its end would otherwise never be taken for refused.
                boolean again = endFailures.merge(end.id(), 1, Integer::sum) < REFUSED_AFTER;
                if (again && !anyWritten && i == 0) {
                    return false;
                }
                if (again) {
                    // perhaps a moment's failure: record and end written again at the next flush
                    sync.tracked.replace(nodes.get(i), StoreSync.UNWRITTEN);
                    LOG.log(Level.DEBUG, "the task store failed the end of durable task " + nodes.get(i).label()
                            + "; written again at the next flush", ex);
                    continue;
                }
                endFailures.remove(end.id());
                LOG.log(Level.WARNING, "the task store refused the end of durable task " + nodes.get(i).label()
                        + " " + REFUSED_AFTER + " times in a row; writing it without its result", ex);
            }
            try {
                store.finishDurable(end.id(), end.owner(), end.status(), null, end.failure());
            }
            catch (Exception ex) {
                sync.dropped.increment();
                if (sync.unended.size() < sync.settings.maxTracked()) {
                    sync.unended.add(end.id()); // before it is untracked: this member knows of it at every moment
                }
                LOG.log(Level.WARNING, "the task store refused the end of durable task " + nodes.get(i).label()
                        + "; dropped (counted), it stays pending", ex);
            }
            sync.untrack(nodes.get(i));
        }
        return true;
    }
}
