package io.sweetasync;

import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteOutcome;
import io.sweetasync.spi.TaskRecord;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The handle's side of one durable task this member submitted and the cluster placed on another member (a
 * <em>mirror</em>, {@link PlacedDurables}): its body waits for the work there, then for the next run if that
 * member is lost, and ends as the work ended.
 *
 * <h2>The mirror's two phases</h2>
 * <ol>
 *   <li>It waits for the placed run ({@link PlacedTask#await}): a value, a failure or a cancellation
 *   there ends the handle the same way. Interrupting the body (cancel, timeout) cancels the remote body, and ends
 *   the work in the store as in phase 2 (that member may be cut off from the store, or dead and not seen so yet).
 *   Every second it also looks for news of a later run (below): a member cut off from the store but still in
 *   the cluster keeps running its copy after its lease lapsed and another run was claimed; that copy is then
 *   cancelled and the mirror goes on to phase 2 at once (the cut-off member also stops it itself when it
 *   reaches the store again).</li>
 *   <li>If that member left, the work is not lost: the mirror waits for the next run, which is one of
 *   <ul>
 *     <li>this member's claim of the invocation ({@link PlacedDurables#handOff}, then {@link #offer}): the mirror
 *     then runs the handler itself, and its end is written here;</li>
 *     <li>another member's run after its claim, whose end that member sends here ({@link PlacedDurables#ended});</li>
 *     <li>failing both, the end found in the store (polled each second): a completed value that did not reach
 *     this member ends the handle {@code FAILED} saying where to read it.</li>
 *   </ul>
 *   Since this member claims orphans too, some run always comes while it lives; the handle's timeout, if
 *   set, bounds the wait. A handle cancelled (or timed out) in this wait ends the work too: a run another member
 *   claimed is cancelled there, and an invocation nobody runs is ended in the store as the handle ended, so that
 *   no member runs it later ({@link #cancelEverywhere}).</li>
 * </ol>
 *
 * <h2>Thread-safety</h2>
 * {@link #node} and {@link #placed} are set before the node is submitted (which happens-before its body). The
 * mailbox is fed by any thread ({@link #offer}) and read by the body; {@code closed} and {@code owned} are guarded
 * by this object's monitor, so a claim either reaches the mailbox before the body closes it (this member then owns
 * the invocation: the mirror is tracked and its end written here) or is refused (the caller runs it as usual).
 * {@code cancelledWaiting} is the body's own.
 */
final class DurableMirror<T> {

    /** The placed durables' logger: its messages were theirs before the mirror had a class of its own. */
    private static final System.Logger LOG = System.getLogger(PlacedDurables.class.getName());
    private static final Duration POLL = Duration.ofSeconds(1);

    private final TaskOrchestrator orchestrator;
    private final StoreSync sync;
    private final Durables.Registration<?> registration;
    /** The retry policy it was submitted with, for a run claimed here (the node's own is none: it follows). */
    private final RetryPolicy retry;
    /** Claims (a {@link DurableRecord}) and later runs' ends (a {@link RemoteOutcome}); guarded by this for closing. */
    private final LinkedBlockingQueue<Object> mailbox = new LinkedBlockingQueue<>();
    /** Set before the node is submitted (happens-before its body). */
    TaskNode<T> node;
    volatile PlacedTask placed;
    /** Guarded by this. */
    private boolean closed;
    /** Guarded by this: this member claimed the invocation, so it writes its end. */
    private boolean owned;
    /**
     * Set by the body when a cancellation (not this member's shutdown) interrupted its wait for the placed run or
     * the next one: read by the body after it (see {@link #cancelEverywhere}).
     */
    private boolean cancelledWaiting;

    DurableMirror(TaskOrchestrator orchestrator, StoreSync sync, Durables.Registration<?> registration,
            RetryPolicy retry) {
        this.orchestrator = orchestrator;
        this.sync = sync;
        this.registration = registration;
        this.retry = retry;
    }

    /**
     * Hands {@code event} to the body: a claim of the invocation by this member (a {@link DurableRecord}, which makes
     * this member its owner) or a later run's end (a {@link RemoteOutcome}); false once the mailbox is closed.
     */
    synchronized boolean offer(Object event) {
        if (closed) {
            return false;
        }
        if (event instanceof DurableRecord) {
            owned = true;
        }
        return mailbox.offer(event);
    }

    /** Closes the mailbox; whether this member owns the invocation (its end is then written here). */
    private synchronized boolean close() {
        closed = true;
        return owned;
    }

    /** The handle's body: follows the placed run, then the next, as the class comment says. */
    @SuppressWarnings("unchecked")
    T run() throws Exception {
        try {
            RemoteOutcome first;
            try {
                while ((first = placed.await(POLL)) == null) {
                    // News of a later run while the placed one still runs (its member alive, but cut off from
                    // the store past its lease): that run is the duplicate now; it is cancelled, and this
                    // handle follows the claim (run here, or another member's end).
                    if (mailbox.peek() != null) {
                        LOG.log(Level.INFO, "durable task {0}: run again while member {1} still runs it (its "
                                + "lease lapsed); cancelling that run", node.label(), placed.member());
                        placed.cancel();
                        return (T) awaitNextRun(placed.member());
                    }
                }
            }
            catch (InterruptedException ex) {
                if (!node.stopRequestedByShutdown()) { // this member stopping ends the handle, not the work
                    placed.cancel();
                    // Its member may not hear it, or not write the end: cut off from the store, or dead and not
                    // seen so yet. The work is then ended in the store all the same, as in the wait below.
                    cancelledWaiting = true;
                }
                throw ex;
            }
            if (!first.lost()) {
                return (T) ClusterPlacement.valueOf(node, first);
            }
            LOG.log(Level.INFO, "durable task {0} ran on member {1}, which is lost ({2}); waiting for its next run",
                    node.label(), first.member(), first.failureMessage());
            // Its member may have turned it away unstarted and released it (it began shutting down): claimable
            // now, so look for it at every interval rather than at the next third of the lease.
            sync.claimSoon();
            return (T) awaitNextRun(first.member());
        }
        finally {
            if (close()) {
                sync.track(node); // claimed here: this member owns it and writes its end
            }
            else if (cancelledWaiting) {
                node.whenTerminal(() -> Thread.ofVirtual().name("sweet-async-durable-cancel")
                        .start(this::cancelEverywhere));
            }
        }
    }

    private Object awaitNextRun(String lostMember) throws Exception {
        boolean endSeen = false;
        while (true) {
            Object event;
            try {
                event = mailbox.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException ex) {
                // this member stopping ends the handle, not the work
                cancelledWaiting = !node.stopRequestedByShutdown();
                throw ex;
            }
            if (event instanceof DurableRecord record) {
                LOG.log(Level.INFO, "durable task {0}: claimed by this member, run {1}", node.label(),
                        record.attempts());
                synchronized (this) {
                    closed = true; // it runs here now: no other run can be claimed while this member lives
                }
                sync.track(node); // this member owns it now, and writes its record and end
                return runClaimed(record);
            }
            if (event instanceof RemoteOutcome outcome) {
                if (!outcome.lost()) {
                    return ClusterPlacement.valueOf(node, outcome);
                }
                continue;
            }
            Optional<DurableRecord> stored = read();
            if (stored.isPresent() && !stored.get().status().equals("PENDING")) {
                if (endSeen) { // its end is in the store, and no word of it came within a poll
                    return storedEnd(stored.get(), lostMember);
                }
                endSeen = true;
            }
        }
    }

    /**
     * Runs here the invocation this member claimed, in this handle's task, retried as the policy it was
     * submitted with says (the task was made to follow another member's run, with no retry of its own): each
     * retry waits its delay on this thread, where a cancel or the timeout interrupts it. The attempts count on
     * from the claim's, as the policy sees them, and so does the task's own count ({@code TaskContext.attempt()}
     * in the handler, its record): it said 1, the handle's own attempt, and a handler guarding on it took a re-run
     * for a first run.
     */
    private Object runClaimed(DurableRecord record) throws Exception {
        int before = DurableStarts.attemptsBefore(record, lastWritten(record));
        for (int attempt = before + 1; ; attempt++) {
            node.runsAsAttempt(attempt);
            try {
                return registration.call(orchestrator.parts().durables().codec(), record.argument());
            }
            catch (Exception | Error failure) {
                Duration delay;
                try {
                    delay = retry.nextDelay(attempt, failure).orElse(null);
                }
                catch (RuntimeException policyFailure) {
                    failure.addSuppressed(policyFailure);
                    delay = null;
                }
                if (delay == null || node.isStopRequested()) {
                    throw failure;
                }
                LOG.log(Level.INFO, "durable task {0} (run {1}) failed ({2}); retrying in {3}", node.label(),
                        attempt, failure, delay);
                Thread.sleep(delay);
            }
        }
    }

    /** The task record the run before wrote last (its attempts), or none if the store cannot say now. */
    private Optional<TaskRecord> lastWritten(DurableRecord record) {
        StoreSync sync = orchestrator.parts().storeSync();
        try {
            return sync == null ? Optional.empty() : sync.store().find(new TaskId(record.id()));
        }
        catch (Exception ex) {
            LOG.log(Level.DEBUG, "could not read the record of durable task " + record.id() + "; its attempts count on "
                    + "from its claims", ex);
            return Optional.empty();
        }
    }

    private Optional<DurableRecord> read() {
        try {
            return sync.store().durable(node.id());
        }
        catch (Exception ex) {
            LOG.log(Level.DEBUG, "could not read durable task " + node.label() + " from the store", ex);
            return Optional.empty();
        }
    }

    /**
     * The handle was cancelled (or timed out) while it waited for the placed run or the next one, which this member
     * does not own: once the handle is terminal (so that a cancellation by id no longer finds it here), the run
     * another member may have claimed is cancelled there, and an invocation still pending (nobody claimed it, its
     * claimer's run has not started, or its member could not write the end) is ended as the handle ended
     * ({@code CANCELLED}, or {@code FAILED} by its timeout) in the store for its owner, then the handle's record
     * (only if that end was recorded: a claimer's run that ended meanwhile keeps its record), so that no member runs it later. A claimer whose run started all the same has
     * its end refused and stops its run at its next renewal (it no longer owns a pending invocation), unless that
     * run ends first; its records are then refused too (a store such as {@code JdbcTaskStore} keeps a record of an
     * ended invocation unless it says that end).
     */
    private void cancelEverywhere() {
        try {
            orchestrator.parts().placement().cluster().cancel(node.id());
        }
        catch (Exception ex) {
            LOG.log(Level.DEBUG, "could not cancel durable task " + node.label() + " on other members", ex);
        }
        try {
            DurableRecord stored = sync.store().durable(node.id()).orElse(null);
            if (stored != null && stored.status().equals("PENDING")) {
                TaskInfo.Failure failure = node.info().failure();
                // The end first, the record only if the end was recorded: the invocation read pending may have
                // ended since on its claimer, whose record must not be replaced by the handle's.
                if (sync.store().finishDurable(node.id(), stored.owner(), node.status().name(), null, "its handle "
                        + "on member " + sync.member() + " ended " + node.status() + " while it waited for its next "
                        + "run" + (failure == null ? "" : ": " + failure.type() + ": " + failure.message()))) {
                    sync.store().save(List.of(StoredTasks.record(node, sync.member(), stored.owner())));
                }
            }
        }
        catch (Exception ex) {
            LOG.log(Level.WARNING, "durable task " + node.label() + " was cancelled while it waited for its next "
                    + "run, but the task store could not record it; a member that claims it runs it", ex);
        }
    }

    private Object storedEnd(DurableRecord record, String lostMember) throws Exception {
        String where = "after member " + lostMember + " lost it (it left the cluster, or its lease in the store "
                + "lapsed), it ended " + record.status() + " on another member";
        switch (TaskStatus.valueOf(record.status())) {
            case COMPLETED -> throw new IllegalStateException("durable task " + node.label() + " completed: "
                    + where + ", but its value did not reach this member; read it with "
                    + "orchestrator.storedResult(" + node.id() + ", type)");
            case CANCELLED -> {
                node.stop(StopKind.CANCEL, where + ": " + record.failure());
                throw new CancellationException(where);
            }
            default -> throw new RemoteTaskException("another member", node.id().toString(), record.status(),
                    where + ": " + record.failure());
        }
    }
}
