package io.sweetasync;

import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The durable invocations the task store says this member's incarnation owns ({@link TaskStore#owned}), held
 * against what the member knows of them, so that a store's answer lost after its commit strands nothing: a
 * claim the member never heard of is run here, and a submission reported to its caller as failed ends as its
 * caller was told.
 *
 * <h2>What the member knows</h2>
 * An invocation this incarnation owns is, at every moment, in at least one of these local states, read in this
 * order by {@link #known}; a path from one to the next enters the next before it leaves the one before, so a
 * read in this order never misses an invocation in passage:
 * <ol>
 *   <li><em>starting</em>: a submission from just before its {@code enqueue} until its start gate started
 *   (tracked) or abandoned it ({@link #starting});</li>
 *   <li><em>refused</em>: a submission whose {@code enqueue} failed, reported to its caller as not started
 *   ({@link #refused});</li>
 *   <li>waiting in {@link Durables}: a mirror of a task placed elsewhere that this member claimed, a claim or a
 *   placement that could not start yet;</li>
 *   <li>tracked by the {@link StoreSync}: running, queued, or ended with its end not yet written;</li>
 *   <li>handed back (the shutdown stopped its run) or its end refused by the store (kept in the {@link StoreSync}).</li>
 * </ol>
 * An invocation leaves the last of them only once its end is written: the store no longer lists it. Claims are
 * made by the lease keeper, which also makes the looks, so no claim is in flight during a look. What is owned here
 * and in none of them is what the looks are for: a claim whose answer was lost, a submission whose start gate
 * failed before it decided (stored, so it runs: at least once, as any stored invocation), and an invocation another
 * member placed here whose placement has not arrived yet (see below).
 *
 * <h2>A look</h2>
 * At each renewal of the lease, on the lease keeper ({@link #look}): the store lists what this incarnation owns;
 * a listed invocation that was refused has its task record and end written (ended {@code FAILED}, never run); a
 * listed invocation the member does not know is a <em>suspect</em>. A suspect of the previous look that is listed
 * and unknown again is started ({@link DurableReruns#recover}) under the lock a placement's start takes too, after the
 * member's state and the invocation are read once more there: a look's list is as old as its read, and a run that
 * ended and was written since is not pending in the fresh read. Two looks also leave a placement sent here by
 * another member time to arrive before this member starts the invocation itself.
 *
 * <h2>Threads</h2>
 * {@link #starting} is a concurrent set (submitting threads add and remove, the lease keeper reads);
 * {@link #refused} is guarded by itself; {@link #suspects} is the lease keeper's alone.
 */
final class OwnedDurables {

    private static final System.Logger LOG = System.getLogger(OwnedDurables.class.getName());
    /** Ids read from the store per query. */
    static final int PAGE = 1000;
    /**
     * The most refused submissions remembered; the oldest is forgotten beyond (a store down for long under heavy
     * submission): if its rows were committed after all and it is forgotten first, it runs, at least once, like
     * any stored invocation.
     */
    static final int MAX_REFUSED = 10_000;

    private final Set<TaskId> starting = ConcurrentHashMap.newKeySet();
    /** Guarded by itself: the refused submissions and their terminal task records, oldest first. */
    private final Map<TaskId, TaskRecord> refused = new LinkedHashMap<>();
    /** Listed by the store and unknown here at the last look; only the lease keeper touches it. */
    private Set<TaskId> suspects = Set.of();

    /** A submission is about to be stored: known here until {@link #started} or {@link #refused}. */
    void starting(TaskId id) {
        starting.add(id);
    }

    /** The submission's start gate started it (it is tracked now) or abandoned it. */
    void started(TaskId id) {
        starting.remove(id);
    }

    /**
     * The submission's {@code enqueue} failed and its caller was told it did not start; {@code record} is its
     * terminal task record, written with its end should its rows turn out committed.
     */
    void refused(TaskId id, TaskRecord record) {
        synchronized (refused) {
            refused.put(id, record);
            if (refused.size() > MAX_REFUSED) {
                Iterator<TaskId> oldest = refused.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }
        starting.remove(id); // after it is refused: never unknown in between
    }

    /**
     * Ends at once the refused submissions whose rows the store holds after all, pending and owned by this
     * incarnation, without waiting for a look: at the store's close (a member that closes, or loses its lease, before
     * its next look left them to the next member, which ran a task its caller was told did not start). What the store
     * fails stays for the looks.
     */
    void endRefusedNow(StoreSync sync) {
        synchronized (refused) {
            if (refused.isEmpty()) {
                return;
            }
        }
        // One paged list of what this incarnation owns, as a look reads it, not one read per refused id: most were
        // never stored (the ordinary refusal) and stay remembered, up to MAX_REFUSED, all read at every close.
        List<TaskId> listed = new ArrayList<>();
        try {
            sync.store().within(sync.settings.lease().dividedBy(3), () -> listed.addAll(listed(sync)));
        }
        catch (Exception ex) { // the user's store: a checked exception its language does not declare too
            LOG.log(Level.DEBUG, "could not list this member's durable tasks on close; refused ones left to the looks",
                    ex);
            return;
        }
        for (TaskId id : listed) {
            endIfRefused(sync, id);
        }
    }

    /**
     * As {@link #endRefusedNow(StoreSync)} for one refused submission, on its submitting thread right after the
     * refusal; its read waits a third of the lease at most ({@link TaskStore#within}), the caller's {@code run()} is
     * about to throw.
     */
    void endRefusedNow(StoreSync sync, TaskId id) {
        if (refusedRecord(id) == null) {
            return;
        }
        try {
            sync.store().within(sync.settings.lease().dividedBy(3), () -> {
                DurableRecord stored = sync.store().durable(id).orElse(null);
                if (stored != null && stored.status().equals("PENDING") && stored.owner() == sync.incarnation()) {
                    endIfRefused(sync, id);
                }
            });
        }
        catch (Exception ex) {
            LOG.log(Level.DEBUG, "could not read refused durable task " + id + "; left to the looks", ex);
        }
    }

    /** The ids of the first two local states, read in order (see the class comment); the rest comes after. */
    Set<TaskId> known() {
        Set<TaskId> known = new HashSet<>(starting);
        synchronized (refused) {
            known.addAll(refused.keySet());
        }
        return known;
    }

    /**
     * One look (see the class comment): {@code known} reads the member's state after the store was read,
     * {@code recover} starts an invocation unknown at two looks.
     */
    void look(StoreSync sync, Supplier<Set<TaskId>> known, Consumer<TaskId> recover) {
        List<TaskId> listed = listed(sync);
        Set<TaskId> here = known.get();
        Set<TaskId> unknown = new HashSet<>();
        for (TaskId id : listed) {
            if (!endIfRefused(sync, id) && !here.contains(id)) {
                unknown.add(id);
            }
        }
        Set<TaskId> previous = suspects;
        suspects = unknown;
        for (TaskId id : unknown) {
            if (previous.contains(id)) {
                recover.accept(id);
            }
        }
    }

    /** Every pending invocation the store says this incarnation owns, page by page. */
    static List<TaskId> listed(StoreSync sync) {
        List<TaskId> listed = new ArrayList<>();
        TaskId after = null;
        while (true) {
            List<TaskId> page = sync.store().owned(sync.incarnation(), after, PAGE);
            listed.addAll(page);
            if (page.size() < PAGE) {
                return listed;
            }
            if (after != null && page.getLast().compareTo(after) <= 0) {
                // A store that does not move past after (it ignores it) would hold the lease keeper here for ever,
                // renewing nothing: the lease lapses and others claim what this member runs.
                throw new IllegalStateException("the task store's owned(" + sync.incarnation() + ", " + after + ", "
                        + PAGE + ") did not move past " + after + " (last id " + page.getLast() + "): not paging on");
            }
            after = page.getLast();
        }
    }

    /** The record of the refused submission {@code id}, or null if none is remembered. */
    private TaskRecord refusedRecord(TaskId id) {
        synchronized (refused) {
            return refused.get(id);
        }
    }

    /** Ends {@code id}, the store listing it as this incarnation's, if it is a refused submission; whether it is. */
    private boolean endIfRefused(StoreSync sync, TaskId id) {
        TaskRecord record = refusedRecord(id);
        if (record == null) {
            return false;
        }
        endRefused(sync, id, record);
        return true;
    }

    /**
     * A refused submission whose rows were committed after all: its record and end are written as its caller was
     * told, {@code FAILED} and not run; forgotten once written (if the store fails, tried again at the next look).
     */
    private void endRefused(StoreSync sync, TaskId id, TaskRecord record) {
        String why = "its submission was reported to its caller as failed (not started), but the task store had "
                + "stored it; ended without running: " + record.failureMessage();
        try {
            sync.store().save(List.of(record));
            sync.store().finishDurable(id, sync.incarnation(), TaskStatus.FAILED.name(), null, why);
        }
        catch (Exception ex) { // this one waits for the next look; the others of this look go on
            LOG.log(Level.WARNING, "could not end durable task " + id + ", whose submission failed, in the task store; "
                    + "trying again at the next look", ex);
            return;
        }
        synchronized (refused) {
            refused.remove(id);
        }
        LOG.log(Level.WARNING, "durable task {0} was stored although its submission failed; ended FAILED, not run "
                + "(its caller was told it did not start)", id);
    }
}
