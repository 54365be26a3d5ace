package io.sweetasync;

import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.DurableTarget;
import io.sweetasync.spi.PlacedTask;
import io.sweetasync.spi.RemoteOutcome;
import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskRecord;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Durable tasks this member submitted and the cluster placed on another member, as this member follows
 * them: their submission, and the registry of their handles here (each a {@link DurableMirror}, with the durable
 * task's id, whose body waits for the work and ends as it ended). A mirror is no load of this member
 * ({@link LiveTasks#loadCount}) while it is live, whenever its body starts.
 *
 * <h2>Ownership</h2>
 * The invocation is stored owned by the chosen member's incarnation before it is started there, so the
 * store's lease fences it exactly as it fences a task submitted there: while that member renews its lease
 * nobody else runs it; once the lease lapses any member (this one included) may claim it, and the claim
 * raises the attempt count. The mirror is never tracked by this member's store sync unless this member
 * claims the invocation: only its owner writes the task's record and end.
 *
 * <p>One live node per id on this member: while a mirror is registered in {@link #mirrors}, a claim of its
 * invocation here goes to the mirror ({@link #handOff}), never to a second node. The mailbox of a mirror
 * is closed when its body returns: a claim that arrived before makes this member the owner, so the mirror
 * is then tracked and its end written here.
 */
final class PlacedDurables {

    private static final System.Logger LOG = System.getLogger(PlacedDurables.class.getName());

    private final TaskOrchestrator orchestrator;
    private final ConcurrentHashMap<TaskId, DurableMirror<?>> mirrors = new ConcurrentHashMap<>();
    /** Mirrors whose work is not started yet (its start waits for the gate), by the member chosen; none at zero. */
    private final ConcurrentHashMap<String, Integer> notStarted = new ConcurrentHashMap<>();

    PlacedDurables(TaskOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    /**
     * Stores the invocation owned by {@code target} (with the timeout and retry {@code settings} it runs under
     * there), then starts it there through the start gate.
     */
    <T> SpawningTask<T> submit(StoreSync sync, Durables.Registration<?> registration, TaskSpec<T> named,
            String encoded, String settings, DurableTarget target, DurableStartGate gate, Class<T> type) {
        TaskCluster cluster = orchestrator.parts().placement().cluster();
        // The member that runs it retries, and admits it in its group; the mirror only follows, holding no permit.
        TaskSpec<T> spec = named.withTag(ClusterPlacement.PLACED_FROM, cluster.memberName())
                .withRetry(RetryPolicy.none()).withGroup(null);
        DurableMirror<T> mirror = new DurableMirror<>(orchestrator, sync, registration,
                named.retry() != null ? named.retry() : orchestrator.defaultRetry());
        // Counted in notStarted until started there or ended here, whichever comes first.
        AtomicBoolean counted = new AtomicBoolean(true);
        // The mirror only follows the work: no load of this member while it is live, from its creation on, not from
        // when its body starts (late on a loaded machine), else a burst placed from here sees this member busy with
        // its handles (TaskFactory.createMirror counts it, FinishedTasks gives it back).
        TaskNode<T> node = orchestrator.parts().createMirror(spec,
                WrongResultType.checked(mirror::run, type, registration.name()));
        if (node.refusedByShutdown()) {
            return node; // submitted while this member shuts down: rejected, and not stored (see DurableSubmission)
        }
        mirror.node = node;
        mirrors.put(node.id(), mirror);
        notStarted.merge(target.member(), 1, Integer::sum);
        node.whenTerminal(() -> {
            mirrors.remove(node.id(), mirror);
            leftNotStarted(target, counted); // rolled back, refused by the store, its gate failed, or cancelled before
        });
        try {
            sync.store().enqueue(new DurableRecord(node.id().value(), registration.name(), encoded, "PENDING", 1,
                    target.owner(), null, null, System.currentTimeMillis(), 0, settings),
                    inGroup(StoredTasks.record(node, sync.member(), target.owner()), named.group()));
        }
        catch (Throwable ex) {
            node.stop(StopKind.REJECT, "it could not be stored: " + ex);
            throw DurableSubmission.notStored(registration.name(), node, ex);
        }
        DurableSubmission.afterStored(gate, node, registration.name(), () -> {
            mirror.placed = start(cluster, target, node.id());
            leftNotStarted(target, counted); // after the start: the cluster counts it there from now on
            node.submit();
        }, () -> { }); // owned by the target's incarnation: that member's looks at the store are what count

        return node;
    }

    /**
     * The mirror whose work is placed on {@code target} has it started there, or ended unstarted: no longer counted
     * in {@link #notStarted} ({@code counted} turns false once).
     */
    private void leftNotStarted(DurableTarget target, AtomicBoolean counted) {
        if (counted.compareAndSet(true, false)) {
            notStarted.computeIfPresent(target.member(), (member, count) -> count <= 1 ? null : count - 1);
        }
    }

    /** {@code r} in {@code group}: the stored record names the group the running member admits it in. */
    private static TaskRecord inGroup(TaskRecord r, String group) {
        return new TaskRecord(r.id(), r.parentId(), r.rootId(), r.name(), r.status(), r.priority(), group, r.runtime(),
                r.tags(), r.createdAt(), r.startedAt(), r.completedAt(), r.attempts(), r.failureType(),
                r.failureMessage(), r.queueWaitNanos(), r.runNanos(), r.cpuNanos(), r.allocatedBytes(), r.bytesRead(),
                r.bytesWritten(), r.resourceSources(), r.member(), r.incarnation(), r.durable());
    }

    private static PlacedTask start(TaskCluster cluster, DurableTarget target, TaskId id) {
        try {
            return cluster.startDurable(target, id);
        }
        catch (Exception ex) {
            LOG.log(Level.WARNING, "durable task " + id + " could not be started on member " + target.member()
                    + "; it runs once that member's lease lapses", ex);
            return PlacedTask.lost(target.member(), "it could not be started there: " + ex.getMessage());
        }
    }

    /**
     * Durable tasks placed on {@code member} (by name) whose start there waits for the start gate: load of that
     * member, as this member's placements count it ({@link io.sweetasync.spi.ClusterHost#durablesNotStarted}).
     */
    int notStarted(String member) {
        return notStarted.getOrDefault(member, 0);
    }

    /**
     * This member claimed the invocation {@code record}: if a mirror of it lives here, the mirror takes it
     * (and runs it, or writes its end), and this returns true; else the caller runs it as usual.
     */
    boolean handOff(DurableRecord record) {
        DurableMirror<?> mirror = mirrors.get(new TaskId(record.id()));
        return mirror != null && mirror.offer(record);
    }

    /**
     * Adds the ids of the mirrors that live here to {@code into}: while one lives, a claim of its invocation here
     * goes to it ({@link #handOff}), and it is tracked before it leaves.
     */
    void mirrored(Set<TaskId> into) {
        into.addAll(mirrors.keySet());
    }

    /** A later run of placed durable task {@code id} ended elsewhere. */
    void ended(TaskId id, RemoteOutcome outcome) {
        DurableMirror<?> mirror = mirrors.get(id);
        if (mirror != null) {
            mirror.offer(outcome);
        }
    }
}
