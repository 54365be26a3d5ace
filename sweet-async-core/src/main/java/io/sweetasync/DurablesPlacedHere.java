package io.sweetasync;

import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.RemoteOutcome;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Durable invocations another member stored for this member and placed here (the other side of
 * {@link PlacedDurables}): each is run here if this member owns it, and whoever placed it hears how that run
 * ended, or that it could not run here (lost). One whose record the store failed to read waits in
 * {@link #placedUnstarted} for the lease keeper's next look; one placed here while the member stops is answered
 * lost, so that its caller waits for the run another member claims once this member's lease is released.
 *
 * <h2>Threads</h2>
 * {@link #startPlaced} runs on the thread the placement arrives on, {@link #retryUnstarted} on the lease keeper,
 * {@link #abandonUnstarted} on the store's close once the lease keeper stopped. The start itself is made under
 * {@link DurableStarts#starts}, as a look's recovery is, so that the two never both run an invocation: a placement
 * that finds the invocation recovered follows that run. {@link #abandoned} is set before the queue is emptied and
 * read by {@link #startPlaced} after it adds to it, so no placement waits in the queue for ever.
 */
final class DurablesPlacedHere {

    private static final System.Logger LOG = System.getLogger(Durables.class.getName()); // the name users configure

    private final TaskOrchestrator orchestrator;
    private final Map<String, Durables.Registration<?>> handlers;
    private final DurableCodec codec;
    private final DurableStarts runs;
    /** {@link DurableStarts#starts}. */
    private final Object starts;
    /** {@link DurableStarts#recovered}, guarded by {@link #starts}. */
    private final Map<TaskId, TaskNode<Object>> recovered;
    /**
     * Invocations placed here whose run could not start yet ({@link #tryStart}); retried with the claims that could
     * not start ({@link #retryUnstarted}).
     */
    private final Queue<PlacedHere> placedUnstarted = new ConcurrentLinkedQueue<>();
    /**
     * Set by {@link #abandonUnstarted} before it empties the queues: one placed here after that is answered by
     * whoever adds it (it reads this after adding), so none waits in the queue for ever.
     */
    private volatile boolean abandoned;

    DurablesPlacedHere(TaskOrchestrator orchestrator, Durables durables, DurableCodec codec, DurableStarts runs) {
        this.orchestrator = orchestrator;
        this.handlers = durables.handlers;
        this.codec = codec;
        this.runs = runs;
        this.starts = runs.starts;
        this.recovered = runs.recovered;
    }

    /**
     * Runs here the stored invocation {@code id} another member stored for this member and placed here;
     * {@code onEnd} hears how it ended, or that it could not run here (lost).
     */
    void startPlaced(TaskId id, Consumer<RemoteOutcome> onEnd, String member) {
        PlacedHere placedHere = new PlacedHere(id, onEnd, member);
        if (!tryStart(placedHere)) {
            placedUnstarted.add(placedHere);
            StoreSync sync = orchestrator.parts().storeSync();
            if (abandoned && sync != null) {
                abandon().forEach(sync::handBack); // this member stopped meanwhile: nobody else looks at the queue again
            }
        }
    }

    /**
     * Starts a durable invocation placed here, or answers that it was not run here (this member does not own it,
     * or has no store or handler for it). Returns false, having done neither, if the store failed reading it: this
     * member owns it still, and while it renews its lease nobody else runs it, so answering "lost" would leave the
     * invocation unrun and its caller waiting; it is tried again at the next look at the store.
     */
    boolean tryStart(PlacedHere placedHere) {
        TaskId id = placedHere.id();
        String member = placedHere.member();
        StoreSync sync = orchestrator.parts().storeSync();
        String refused;
        DurableRecord record = null;
        Optional<io.sweetasync.spi.TaskRecord> before = Optional.empty();
        if (sync == null || codec == null) {
            refused = "member " + member + " has no task store or durable codec";
        }
        else {
            try {
                Optional<DurableRecord> found = sync.store().durable(id);
                if (found.isEmpty() || !found.get().status().equals("PENDING")
                        || found.get().owner() != sync.incarnation() || !handlers.containsKey(found.get().handler())) {
                    refused = "member " + member + " does not own durable task " + id
                            + " (any more), or has no handler for it: " + found.orElse(null);
                }
                else {
                    refused = null;
                    record = found.get();
                    before = sync.store().find(id);
                }
            }
            catch (Exception ex) {
                LOG.log(Level.WARNING, "durable task " + id + " placed here could not be read from the task store; "
                        + "trying again at the next look at the store", ex);
                return false;
            }
        }
        if (refused != null) {
            LOG.log(Level.WARNING, "durable task {0} placed here was not run: {1}", id, refused);
            placedHere.onEnd().accept(RemoteOutcome.lost(member, "it was not run there: " + refused));
            return true;
        }
        synchronized (starts) {
            TaskNode<Object> running = recovered.get(id);
            if (running != null) { // a look at the store found it first and runs it: this placement follows that run
                ClusterPlacement placement = orchestrator.parts().placement();
                running.whenTerminal(() -> placedHere.onEnd().accept(placement.outcomeOf(running)));
                return true;
            }
            TaskNode<Object> node = runs.startable(sync, record, before, false);
            if (node == null) {
                placedHere.onEnd().accept(RemoteOutcome.lost(member, "its member began shutting down before it started "
                        + "there; it runs again on another"));
                return true;
            }
            node.whenTerminal(() -> placedHere.onEnd().accept(orchestrator.parts().placement().outcomeOf(node)));
            sync.track(node);
            node.submit();
            return true;
        }
    }

    /** A durable invocation placed on this member, and who hears how its run here ended. */
    record PlacedHere(TaskId id, Consumer<RemoteOutcome> onEnd, String member) {
    }

    /** Answers lost the invocations placed here that wait to start; their ids. */
    private List<TaskId> abandon() {
        List<TaskId> ids = new ArrayList<>();
        for (PlacedHere placedHere; (placedHere = placedUnstarted.poll()) != null; ) {
            ids.add(placedHere.id());
            try {
                placedHere.onEnd().accept(RemoteOutcome.lost(placedHere.member(),
                        "the member stopped before the task store let it start the task"));
            }
            catch (Exception ex) {
                LOG.log(Level.DEBUG, "could not tell how placed durable task " + placedHere.id() + " ended", ex);
            }
        }
        return ids;
    }

    /**
     * The placements that could not start at an earlier look, tried again (each once); called by the lease keeper
     * ({@link DurableReruns#claimOrphans}) before it claims: this member owns them, and while it renews its lease
     * nobody else will run them.
     */
    void retryUnstarted() {
        for (int left = placedUnstarted.size(); left > 0; left--) {
            PlacedHere placedHere = placedUnstarted.poll();
            if (placedHere == null) {
                break;
            }
            if (!tryStart(placedHere)) {
                placedUnstarted.add(placedHere);
            }
        }
    }

    /** Adds to {@code into} the invocations placed here that wait to start. */
    void waiting(Set<TaskId> into) {
        placedUnstarted.forEach(placedHere -> into.add(placedHere.id()));
    }

    /**
     * This member stops: the invocations placed here that could not start yet are answered lost, so that their
     * callers wait for the run another member claims once this member's lease is released; their ids, to be handed
     * back (they never ran here). See {@link Durables#abandonUnstarted}.
     */
    List<TaskId> abandonUnstarted() {
        abandoned = true;
        return new ArrayList<>(abandon());
    }
}
