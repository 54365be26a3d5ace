package io.sweetasync;

import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.RemoteOutcome;
import io.sweetasync.spi.TaskCluster;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Re-runs here of stored invocations this member came to own without submitting them: those it claims after their
 * owner died or closed, and those the lease keeper's looks find owned here and unknown ({@link OwnedDurables}: a
 * claim's or an {@code enqueue}'s answer lost after its commit). A claimed invocation that cannot start yet waits in
 * {@link #unstarted} for the next look; one lost {@value Durables#MAX_LOST_RUNS} times is given up (ended
 * {@code FAILED}); one submitted here and placed elsewhere goes to its mirror ({@link PlacedDurables#handOff}).
 *
 * <h2>Threads</h2>
 * Everything here but {@link #abandonUnstarted} runs on the store's lease keeper, the only thread that claims, in
 * this order at each renewal: the placements and claims that could not start at an earlier look, the claims, then
 * the look ({@link #reconcile}), then, now and then, the end of invocations no member can run ({@link #endUnresolved}).
 * {@link #abandonUnstarted} runs on the store's close once the lease keeper stopped.
 * A recovery ({@link #recover}) reads this member's state and starts the invocation under
 * {@link DurableStarts#starts}, as a placement's start does, so that the two never both run it.
 */
final class DurableReruns {

    private static final System.Logger LOG = System.getLogger(Durables.class.getName()); // the name users configure
    private static final int CLAIM_BATCH = 100;
    private static final long UNRESOLVED_ASK_EVERY = java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
    static final int UNRESOLVED_BATCH = 10;

    private final TaskOrchestrator orchestrator;
    private final Map<String, Durables.Registration<?>> handlers;
    private final DurableCodec codec;
    private final PlacedDurables placed;
    private final DurablesPlacedHere placedHere;
    private final DurableStarts runs;
    /** {@link DurableStarts#starts}. */
    private final Object starts;
    /** {@link DurableStarts#recovered}, guarded by {@link #starts}. */
    private final Map<TaskId, TaskNode<Object>> recovered;
    /**
     * Invocations this member claimed whose run could not start yet ({@link #start}); the lease keeper retries them
     * ({@link #retry}), and the store's close takes what is left once the lease keeper has stopped.
     */
    private final Queue<DurableRecord> unstarted = new ConcurrentLinkedQueue<>();
    /** What the store says this incarnation owns, held against what this member knows of it. */
    private final OwnedDurables owned;
    /**
     * Invocations {@link #endUnresolved} claimed whose end has not been written yet (the store failed it): this member
     * owns them, and no other member takes them while its lease holds, so the lease keeper ends them at the next
     * renewals, oldest first; lease keeper only.
     */
    private final Queue<DurableRecord> unended = new ArrayDeque<>();
    /**
     * A {@code claimUnresolved} threw: its claims may have been committed all the same (the answer lost after the
     * commit), leaving invocations this member owns without knowing; {@link #endUnresolved} looks for them among
     * what it owns before it asks again. Lease keeper only.
     */
    private boolean unresolvedUnanswered;
    /** When {@link #endUnresolved} last asked the store ({@code System.nanoTime()}); lease keeper only. */
    private long unresolvedAsked;
    private boolean unresolvedAskedOnce;
    /** The last ask came back full: more may wait, asked for at the next renewal. Lease keeper only. */
    private boolean unresolvedMore;

    DurableReruns(TaskOrchestrator orchestrator, Durables durables, DurableCodec codec, OwnedDurables owned,
            DurableStarts runs, DurablesPlacedHere placedHere) {
        this.orchestrator = orchestrator;
        this.handlers = durables.handlers;
        this.codec = codec;
        this.placed = durables.placed();
        this.placedHere = placedHere;
        this.runs = runs;
        this.starts = runs.starts;
        this.recovered = runs.recovered;
        this.owned = owned;
    }

    /**
     * Claims invocations whose owner died and runs them again here, after the claims and placements that could
     * not start at an earlier look; called by the store's lease keeper.
     */
    void claimOrphans() {
        StoreSync sync = orchestrator.parts().storeSync();
        if (sync == null || handlers.isEmpty() || codec == null || !orchestrator.isAccepting()) {
            return;
        }
        // First the invocations placed here or claimed earlier that could not start then: this member owns them,
        // and while it renews its lease nobody else will run them.
        placedHere.retryUnstarted();
        for (int left = unstarted.size(); left > 0; left--) {
            DurableRecord record = unstarted.poll();
            if (record == null) {
                break;
            }
            retry(sync, record);
        }
        List<DurableRecord> claimed = sync.store().claimOrphans(sync.incarnation(), List.copyOf(handlers.keySet()),
                CLAIM_BATCH);
        for (DurableRecord record : claimed) {
            // Claimed again after this member handed it over (a hand-over whose answer was lost): its own now, to
            // run, not one handed back (StoreSync#released).
            sync.released.remove(new TaskId(record.id()));
            start(sync, record);
        }
    }

    /**
     * Ends {@code FAILED}, unrun, the stored invocations of handlers this member does not register that no live
     * member has claimed for {@link StoreSettings#unresolvedAfter}
     * ({@link TaskOrchestrator.Builder#storeUnresolvedAfter}): work no member can run (its handler renamed or removed
     * by a deploy, or every member that registers it gone that long) would otherwise stay pending for ever. Each is
     * claimed first ({@code TaskStore.claimUnresolved}), so that of members doing this at once one ends it, and then
     * ended as its owner, its record first (failure {@link TaskRejectedException}: it never ran here). Asks the store
     * at most every half of that time and every 10 minutes, {@value #UNRESOLVED_BATCH} at a time (a few store calls
     * each, on the thread that renews the lease: a larger batch against a slow store could delay the renewal past
     * the lease), and again at the next renewal while batches come back full; called by the store's lease keeper at
     * a renewal.
     */
    void endUnresolved() {
        StoreSync sync = orchestrator.parts().storeSync();
        if (sync == null || !orchestrator.isAccepting()) {
            return;
        }
        Duration after = sync.settings.unresolvedAfter();
        long now = System.nanoTime();
        if (unresolvedUnanswered) {
            findUnanswered(sync);
        }
        endClaimed(sync, after); // those whose end the store failed at an earlier renewal
        if (unresolvedAskedOnce && !unresolvedMore
                && now - unresolvedAsked < Math.min(after.toNanos() / 2, UNRESOLVED_ASK_EVERY)) {
            return;
        }
        unresolvedAskedOnce = true;
        unresolvedAsked = now;
        List<DurableRecord> claimed;
        try {
            claimed = sync.store().claimUnresolved(sync.incarnation(), List.copyOf(handlers.keySet()),
                    Instant.now().minus(after), UNRESOLVED_BATCH);
        }
        catch (Exception ex) {
            unresolvedUnanswered = true;
            throw ex;
        }
        unresolvedMore = claimed.size() >= UNRESOLVED_BATCH;
        unended.addAll(claimed);
        endClaimed(sync, after);
    }

    /**
     * Takes into {@link #unended} the invocations this member owns whose handler it does not register: only its
     * {@code claimUnresolved} gives it such an invocation (a submission or a placement here is of a handler it
     * registers), so these are claims of one that threw after its commit. The owner's look ({@link #reconcile})
     * leaves them: this member cannot run them.
     */
    private void findUnanswered(StoreSync sync) {
        List<TaskId> listed = OwnedDurables.listed(sync);
        // Read after the list, as the look reads them: what this member runs or starts is of its own handlers,
        // and is not read again one by one.
        Set<TaskId> skipped = known(sync);
        unended.forEach(record -> skipped.add(new TaskId(record.id())));
        for (TaskId id : listed) {
            if (skipped.contains(id)) {
                continue;
            }
            sync.store().durable(id).filter(record -> record.status().equals("PENDING")
                    && record.owner() == sync.incarnation() && !handlers.containsKey(record.handler()))
                    .ifPresent(unended::add);
        }
        unresolvedUnanswered = false;
    }

    /**
     * Ends the invocations {@link #endUnresolved} claimed, oldest first; one the store fails to end stays first in
     * {@link #unended}, and the failure goes to the lease keeper. The invocation is read again first: if this
     * member's lease lapsed since its claim (the store out of reach), a member that registers its handler may have
     * claimed and run it; its record is then that run's, not this member's to end.
     */
    private void endClaimed(StoreSync sync, Duration after) {
        for (DurableRecord record; (record = unended.peek()) != null; unended.remove()) {
            TaskId id = new TaskId(record.id());
            DurableRecord now = sync.store().durable(id).orElse(null);
            if (now == null || !now.status().equals("PENDING") || now.owner() != sync.incarnation()
                    || now.attempts() != record.attempts()) {
                LOG.log(Level.WARNING, "durable task {0} claimed by this member to be ended unrun is left: the task "
                        + "store changed it meanwhile ({1})", id, now);
                continue;
            }
            String why = "never run: no member registers handler '" + record.handler() + "' (unclaimed for over "
                    + after + ", storeUnresolvedAfter)";
            endUnrun(sync, id, TaskRejectedException.class.getSimpleName(), why, why);
            LOG.log(Level.WARNING, "durable task {0} ended FAILED: {1}", id, why);
        }
    }

    /**
     * Holds what the store says this incarnation owns against what this member knows of it ({@link OwnedDurables}),
     * after the claims of the same renewal; called by the store's lease keeper, the only thread that claims.
     */
    void reconcile() {
        StoreSync sync = orchestrator.parts().storeSync();
        if (sync == null || handlers.isEmpty() || codec == null || !orchestrator.isAccepting()) {
            return;
        }
        owned.look(sync, () -> known(sync), id -> recover(sync, id));
    }

    /**
     * The invocations this member knows it owns, each local state read after the one it is entered from (see
     * {@link OwnedDurables}): submissions starting or refused, mirrors, claims and placements waiting to start,
     * then the store sync's tracked, handed back and unended tasks.
     */
    private Set<TaskId> known(StoreSync sync) {
        Set<TaskId> known = owned.known();
        placed.mirrored(known);
        placedHere.waiting(known);
        unstarted.forEach(record -> known.add(new TaskId(record.id())));
        sync.held(known);
        return known;
    }

    /**
     * Runs invocation {@code id}, which the store said this incarnation owns at two looks in a row while this member
     * knew nothing of it: a claim (or a submission's {@code enqueue}) whose answer was lost after its commit. Under
     * {@link DurableStarts#starts}, so that a placement of it arriving now follows this run; this member's state and
     * the invocation are read again first (the look's list is as old as its read).
     */
    private void recover(StoreSync sync, TaskId id) {
        synchronized (starts) {
            if (known(sync).contains(id) || recovered.containsKey(id)) {
                return;
            }
            DurableRecord record = sync.store().durable(id).orElse(null);
            if (record == null || !record.status().equals("PENDING") || record.owner() != sync.incarnation()
                    || !handlers.containsKey(record.handler())) {
                return;
            }
            LOG.log(Level.WARNING, "durable task {0} ({1}) is owned by this member, which did not know it: the task "
                    + "store''s answer to its claim or its submission was lost after its commit; running it (run {2})", id,
                    record.handler(), record.attempts());
            TaskNode<Object> node = runAgain(sync, record, "the store's answer to its claim or submission was lost");
            if (node != null) {
                recovered.put(id, node);
                if (recovered.size() > DurableStarts.MAX_RECOVERED) {
                    recovered.remove(recovered.keySet().iterator().next());
                }
            }
        }
    }

    /**
     * Runs a claimed invocation again; if that fails (the store failing to read its record, say), keeps it to
     * try again at the next look: the claim is committed, so this member owns it, and nobody else runs it while
     * this member renews its lease.
     */
    private void start(StoreSync sync, DurableRecord record) {
        try {
            runAgain(sync, record, "its process stopped");
        }
        catch (Exception ex) { // the user's store: a checked exception its language does not declare too
            unstarted.add(record);
            LOG.log(Level.WARNING, "could not run durable task " + new TaskId(record.id()) + " again (claimed by this "
                    + "member); trying again at the next look at the store", ex);
        }
    }

    /**
     * Starts a claimed invocation that could not start at an earlier look, if this member still owns that claim.
     * While it waited this member's lease may have lapsed (the store out of reach): another member may have
     * claimed it and run it, or this member claimed it afresh (a later attempt, started from that claim). The
     * record kept is as old as the claim, so the store is read again first; if that fails it waits once more.
     */
    private void retry(StoreSync sync, DurableRecord kept) {
        TaskId id = new TaskId(kept.id());
        Optional<DurableRecord> now;
        try {
            now = sync.store().durable(id);
        }
        catch (Exception ex) {
            unstarted.add(kept);
            LOG.log(Level.WARNING, "could not read durable task " + id + " (claimed by this member) from the task "
                    + "store; trying again at the next look at the store", ex);
            return;
        }
        if (now.isEmpty() || !now.get().status().equals("PENDING") || now.get().owner() != sync.incarnation()
                || now.get().attempts() != kept.attempts()) {
            LOG.log(Level.WARNING, "durable task {0} claimed by this member (attempt {1}) is not run here: while its "
                    + "run waited to start, the task store changed it ({2})", id, kept.attempts(), now.orElse(null));
            return;
        }
        start(sync, now.get());
    }

    /** Runs a claimed invocation again ({@code cause} for the log); the node that runs it here, if one does. */
    private TaskNode<Object> runAgain(StoreSync sync, DurableRecord record, String cause) {
        TaskId id = new TaskId(record.id());
        if (record.lostRuns() < Durables.MAX_LOST_RUNS && placed.handOff(record)) {
            return null; // submitted here and placed elsewhere: its handle here runs it
        }
        if (record.lostRuns() >= Durables.MAX_LOST_RUNS) {
            String why = "given up: its process stopped during " + record.lostRuns() + " of its runs";
            endUnrun(sync, id, TaskLostException.class.getSimpleName(), TaskLostException.MESSAGE + " (" + why + ")",
                    why);
            LOG.log(Level.WARNING, "durable task {0} ({1}) was lost {2} times; given up", id, record.handler(),
                    record.lostRuns());
            return null;
        }
        TaskNode<Object> node = runs.startable(sync, record, sync.store().find(id), true);
        if (node == null) {
            return null;
        }
        LOG.log(Level.INFO, "running durable task {0} ({1}) again: run {2}, {3}", id, record.handler(),
                record.attempts(), cause);
        String origin = node.info().tags().get(ClusterPlacement.PLACED_FROM);
        TaskCluster cluster = orchestrator.parts().placement().cluster();
        if (origin != null && cluster != null) {
            // Placed from a member whose handle may still wait for it: that member hears how this run ended.
            node.whenTerminal(() -> {
                RemoteOutcome outcome = orchestrator.parts().placement().outcomeOf(node);
                try {
                    cluster.durableEnded(origin, id, outcome);
                }
                catch (Exception ex) {
                    LOG.log(Level.DEBUG, "could not tell member " + origin + " that durable task " + id + " ended", ex);
                }
            });
        }
        sync.track(node);
        node.submit();
        return node;
    }

    /**
     * Ends the claimed invocation {@code id} {@code FAILED} without running it: its history record first (with
     * {@code failureType} and {@code failureMessage}), then the invocation ({@code why}), so whoever sees it ended
     * finds the record ended too. Written as this member, the invocation's owner now: the store keeps a durable
     * task's record for its owner.
     */
    private static void endUnrun(StoreSync sync, TaskId id, String failureType, String failureMessage, String why) {
        sync.store().find(id).ifPresent(stored -> sync.store().save(List.of(
                ended(stored, failureType, failureMessage, sync))));
        sync.store().finishDurable(id, sync.incarnation(), TaskStatus.FAILED.name(), null, why);
    }

    /** {@code r} ended {@code FAILED} now by {@code owner}, with that failure. */
    private static io.sweetasync.spi.TaskRecord ended(io.sweetasync.spi.TaskRecord r, String failureType,
            String failureMessage, StoreSync owner) {
        return new io.sweetasync.spi.TaskRecord(r.id(), r.parentId(), r.rootId(), r.name(), TaskStatus.FAILED.name(),
                r.priority(), r.group(), r.runtime(), r.tags(), r.createdAt(), r.startedAt(), System.currentTimeMillis(),
                r.attempts(), failureType, failureMessage, r.queueWaitNanos(),
                r.runNanos(), r.cpuNanos(), r.allocatedBytes(), r.bytesRead(), r.bytesWritten(), r.resourceSources(),
                owner.member(), owner.incarnation(), true);
    }

    /** Adds to {@code ids} the claimed invocations that could not start yet, taken from the queue. */
    void abandonUnstarted(List<TaskId> ids) {
        for (DurableRecord record; (record = unstarted.poll()) != null; ) {
            ids.add(new TaskId(record.id()));
        }
    }
}
