package io.sweetasync;

import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.DurableTarget;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Submission of a durable task: its argument checked and encoded, its settings written, then either placed on
 * another member ({@link PlacedDurables}) or stored as an invocation owned here and started through the
 * {@link DurableStartGate}.
 *
 * <h2>Order</h2>
 * The invocation is stored ({@code enqueue}) before {@code run()} returns, on the submitting thread: the only
 * place a task's thread waits for the database. The submission is entered in {@link OwnedDurables} before the
 * {@code enqueue} ({@code starting}), so the lease keeper's looks never see it owned and unknown; it leaves that
 * state ({@code started}) only after the gate's start has tracked it in {@link StoreSync}, after the abandon, or
 * once the gate failed.
 * One the store refused is entered as {@code refused} before its caller hears so. The task is tracked (its record
 * written by the store's writer) only once the gate lets it start: before that its rows may belong to an open
 * transaction, which a write on another connection would wait for.
 *
 * <p>Stateless apart from its collaborators: it runs on any submitting thread, and {@link #afterStored} on the
 * thread the gate calls back on (after a transaction's commit, say).
 */
final class DurableSubmission {

    private static final System.Logger LOG = System.getLogger(Durables.class.getName()); // the name users configure

    private final TaskOrchestrator orchestrator;
    private final Durables durables;
    private final DurableStartGate gate;
    private final PlacedDurables placed;
    /** What the store says this incarnation owns, held against what this member knows of it. */
    private final OwnedDurables owned;

    DurableSubmission(TaskOrchestrator orchestrator, Durables durables, DurableStartGate gate, OwnedDurables owned) {
        this.orchestrator = orchestrator;
        this.durables = durables;
        this.gate = gate;
        this.placed = durables.placed();
        this.owned = owned;
    }

    /** Stores the invocation, then lets the gate start it; see {@link DurableTaskBuilder#run()}. */
    <T> SpawningTask<T> submit(TaskSpec<T> spec, String name, Object argument, Class<T> type) {
        StoreSync sync = durables.sync(name);
        DurableCodec codec = durables.codec(name);
        Durables.Registration<?> registration = durables.registration(name);
        if (argument != null && !registration.type().isInstance(argument)) {
            throw new IllegalArgumentException("durable task handler '" + name + "' takes a "
                    + registration.type().getName() + ", was given a " + argument.getClass().getName());
        }
        String encoded;
        try {
            encoded = argument == null ? null : codec.encode(argument);
            if (argument != null && encoded == null) {
                // stored as no argument: the handler ran on null, silently
                throw new IllegalArgumentException("the codec " + codec.getClass().getName() + " encoded it as null");
            }
            String unstorable = StorableText.why(encoded);
            if (unstorable != null) {
                // kept so, a re-run got another argument: the store takes the NUL out, or keeps '?' for the half pair
                throw new IllegalArgumentException("the codec " + codec.getClass().getName() + " encoded it with "
                        + unstorable + ", which a store does not keep as it is");
            }
            if (encoded != null) {
                codec.decode(encoded, registration.type()); // what a re-run will see must be readable now
            }
        }
        catch (Exception ex) { // the user's codec: a checked exception its language does not declare too
            throw new IllegalArgumentException("the argument of durable task '" + name
                    + "' cannot be stored: " + ex.getMessage(), ex);
        }
        TaskSpec<T> named = spec.name() == null ? spec.withName(name) : spec;
        // What a re-run (after a crash, a hand-over, on another member) runs under, as it was given here.
        String settings = DurableSettings.write(named.name(), named.timeout(), named.retry());
        DurableTarget target = orchestrator.parts().placement().chooseDurable(name, named.group());
        if (target != null) {
            return placed.submit(sync, registration, named, encoded, settings, target, gate, type);
        }
        TaskNode<T> node = orchestrator.parts().createDurable(named,
                WrongResultType.checked(durables.body(registration, encoded), type, name), null, 0, false);
        if (node.refusedByShutdown()) {
            // A root submitted while the orchestrator shuts down, or once it closed: its caller hears it was rejected,
            // so it is not stored (stored, the next start ran it: an invocation its caller was told never ran)
            return node;
        }
        owned.starting(node.id()); // known here before the store may list it as this incarnation's
        try {
            sync.store().enqueue(new DurableRecord(node.id().value(), name, encoded, "PENDING", 1,
                    sync.incarnation(), null, null, System.currentTimeMillis(), 0, settings),
                    StoredTasks.record(node, sync.member(), sync.incarnation()));
        }
        catch (Throwable ex) { // the user's store: a checked exception its language does not declare too
            sync.untrack(node);
            node.stop(StopKind.REJECT, "it could not be stored: " + ex);
            // Its caller hears "not started": should the rows have been committed all the same (the answer lost
            // on the way back), the next look at the store ends them so, and never runs them.
            owned.refused(node.id(), StoredTasks.record(node, sync.member(), sync.incarnation()));
            if (!(ex instanceof Error)) {
                owned.endRefusedNow(sync, node.id()); // at once, if the rows were committed: no look needed
            }
            throw notStored(name, node, ex);
        }
        // Tracked (its record written by the sync thread) only once it may start: before that its rows
        // may belong to an open transaction, which a write on another connection would wait for.
        afterStored(gate, node, name, () -> {
            sync.track(node);
            node.submit();
        }, () -> owned.started(node.id()));
        return node;
    }

    /**
     * What the submitter of {@code node}, ended as not stored, hears: an {@code Error} (a driver's
     * {@code LinkageError}, an {@code OutOfMemoryError}) as it is, thrown here; else the exception to throw.
     */
    static RuntimeException notStored(String name, TaskNode<?> node, Throwable ex) {
        if (ex instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("durable task '" + name + "' (" + node.label()
                + ") could not be stored, so it was not started: " + ex.getMessage(), ex);
    }

    /**
     * Lets {@code gate} start {@code node} (with {@code start}), abandon it, or leave it undecided, then calls
     * {@code settled} (after {@code start} has run, or after the abandon or the undecided end, or once the gate
     * failed). The gate is user code: one that
     * threw before it did either left the task live and PENDING for ever (shutdown waited for it) and its
     * submitter without a handle. Now the task ends rejected, naming the gate's error, and the submitter gets
     * that error; the invocation stays stored, so it runs all the same (at least once, as any stored invocation):
     * on the member that owns it, at the second look at the store after (see {@link OwnedDurables}), or on the
     * member that claims it once its owner stopped. A gate that throws after it decided has done its job: the
     * error is logged and the handle returned.
     */
    static void afterStored(DurableStartGate gate, TaskNode<?> node, String name, Runnable start, Runnable settled) {
        AtomicBoolean decided = new AtomicBoolean();
        try {
            gate.afterStored(() -> {
                decided.set(true);
                try {
                    start.run();
                }
                finally {
                    settled.run();
                }
            }, () -> {
                decided.set(true);
                node.stop(StopKind.CANCEL, "the transaction that submitted it rolled back");
                settled.run();
            }, () -> {
                decided.set(true);
                // Stored or not, nobody here knows: ended as not started with this handle, its rows (if they were
                // committed) left to its owner's looks, as for a gate that failed, so that it runs if and only if it
                // was stored. Ended CANCELLED "rolled back", a committed invocation ran later under a cancelled handle.
                node.stop(StopKind.REJECT, "the outcome of the transaction that submitted it is unknown, so it was not "
                        + "started with this handle; if that transaction committed, it runs at least once all the same "
                        + "(found by its member's next looks at the task store)");
                settled.run();
            });
        }
        catch (Throwable failed) { // the user's gate: a checked exception its language does not declare too
            if (decided.get()) {
                LOG.log(Level.WARNING, "the durable start gate threw after it started or abandoned task " + node.label(),
                        failed);
                return;
            }
            node.stop(StopKind.REJECT, "its start gate failed: " + failed);
            settled.run();
            throw new IllegalStateException("durable task '" + name + "' (" + node.label() + ") was stored, but its "
                    + "start gate failed before starting it, so it was not started with this handle; being stored, it "
                    + "runs at least once all the same (found by its member's next looks at the task store): "
                    + failed, failed);
        }
    }
}
