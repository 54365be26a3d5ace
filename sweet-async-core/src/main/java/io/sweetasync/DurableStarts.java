package io.sweetasync;

import io.sweetasync.spi.DurableRecord;
import io.sweetasync.spi.TaskRecord;
import io.sweetasync.spi.TaskStore;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starting here a stored invocation this member owns but did not submit (claimed, found by a look, or placed
 * here): its node, made with the name, tags, priority, group, runtime, timeout and retry policy it was submitted
 * with, or none if this member began shutting down first (the invocation is then handed back).
 *
 * <h2>Threads</h2>
 * {@link #startable} and {@link #node} run on the lease keeper (claims, looks) and on the thread a placement
 * arrives on; they read nothing mutable here. {@link #starts} is the lock the two paths that may start an owned
 * invocation from outside the claims take ({@link DurablesPlacedHere}, {@link DurableReruns#recover}); it guards
 * {@link #recovered}, which only those two read and write.
 */
final class DurableStarts {

    private static final System.Logger LOG = System.getLogger(Durables.class.getName()); // the name users configure

    private final TaskOrchestrator orchestrator;
    private final Durables durables;
    private final Map<String, Durables.Registration<?>> handlers;
    /**
     * Taken by the two paths that may start an invocation this member owns from outside the lease keeper's claims:
     * a placement sent here ({@link DurablesPlacedHere#tryStart}) and a look that found an invocation unknown here
     * ({@link DurableReruns#recover}). Each reads this member's state and starts the invocation (tracked) under it, so they never both run it.
     */
    final Object starts = new Object();
    /**
     * Guarded by {@link #starts}: the nodes {@link DurableReruns#recover} started, so that a placement of the same
     * invocation arriving later follows that run instead of starting a second; the oldest forgotten beyond
     * {@value #MAX_RECOVERED} (recoveries are rare: each is a store's answer lost after its commit).
     */
    final Map<TaskId, TaskNode<Object>> recovered = new LinkedHashMap<>();
    static final int MAX_RECOVERED = 1000;

    DurableStarts(TaskOrchestrator orchestrator, Durables durables) {
        this.orchestrator = orchestrator;
        this.durables = durables;
        this.handlers = durables.handlers;
    }

    /**
     * The node that runs here a stored invocation this member owns; null, having handed the invocation back, if this
     * member began shutting down first. A root made then is refused (a re-run called off, {@code CANCELLED}, a
     * placement's first run rejected, {@code FAILED}); written as the invocation's end, that would have ended for
     * good work that never ran, claimed by the lease keeper while
     * the member began to close, or placed here then (by a load from before). It never started here, so it is
     * released to the store at once, not when this member closes: its caller would wait out this member's whole
     * grace period. Released unrun ({@link TaskStore#releaseUnrun}: any member may claim it now, and the attempt the
     * claim, or the placement's store, counted for this run is taken back, since no run happened here: its first real
     * run is attempt 1; the 1 a placement's store counted, kept, numbered it 2. Its next run is a re-run all the same,
     * handed on rather than refused for good by a full group: a claim's node is one ({@code claimed}); with
     * {@code releaseDurables} every shutdown that turned a claim back left one phantom attempt, which the next run's
     * attempt and its retry policy counted on from). If that release fails, the close hands it over
     * ({@link StoreSync#handBack}, registered first; a release is fenced by the owner, so the second one changes
     * nothing once another member claimed it; that one keeps the attempt). {@code claimed}: this member claimed the
     * invocation or found it owned here (a re-run), rather than had it placed here.
     */
    TaskNode<Object> startable(StoreSync sync, DurableRecord record,
            Optional<TaskRecord> before, boolean claimed) {
        TaskNode<Object> node = orchestrator.isAccepting() ? node(record, before, claimed) : null;
        if (node == null || node.refusedByShutdown()) {
            TaskId id = new TaskId(record.id());
            sync.handBack(id);
            try {
                sync.store().releaseUnrun(sync.incarnation(), List.of(id));
                LOG.log(Level.INFO, "durable task {0} ({1}) is not run here: this member is shutting down; it is "
                        + "handed over to the other members", id, record.handler());
            }
            catch (Exception ex) {
                LOG.log(Level.INFO, "durable task " + id + " (" + record.handler() + ") is not run here: this member "
                        + "is shutting down; it is handed over when the member closes (the task store refused it now: "
                        + ex + ")");
            }
            return null;
        }
        return node;
    }

    /**
     * A node for a stored invocation, with the settings its stored record kept; not yet tracked or submitted. A re-run
     * ({@link TaskFigures#markDurable}) if {@code claimed} (this member claimed it, or found it owned here), or if it
     * ran before: a placement's first start is its submission's, refused for good by a full group (its caller hears
     * so).
     */
    private TaskNode<Object> node(DurableRecord record, Optional<TaskRecord> before, boolean claimed) {
        TaskId id = new TaskId(record.id());
        Durables.Registration<?> registration = handlers.get(record.handler());
        // The name and tags it was submitted with come back from its stored record.
        TaskSpec<Object> spec = TaskSpec.empty().withName(before.map(TaskRecord::name)
                .orElse(record.handler()));
        for (Map.Entry<String, String> tag : before.map(TaskRecord::tags).orElse(Map.of()).entrySet()) {
            spec = spec.withTag(tag.getKey(), tag.getValue());
        }
        // So do its priority, group and runtime (if this member has a runtime of that name).
        if (before.isPresent()) {
            TaskRecord stored = before.get();
            spec = spec.withPriority(priority(stored.priority()));
            if (stored.group() != null) {
                spec = spec.withGroup(stored.group());
            }
            if (stored.runtime() != null && orchestrator.runtimes().containsKey(stored.runtime())) {
                spec = spec.withRuntime(stored.runtime());
            }
        }
        // And its timeout and retry policy, from the invocation; one this member cannot read (a retried type it
        // cannot load) leaves the defaults, said in the log, rather than a policy missing one of its types.
        try {
            spec = DurableSettings.apply(spec, record.settings(), registration.loader());
        }
        catch (IllegalArgumentException ex) {
            LOG.log(Level.WARNING, "durable task " + id + " runs again under this member's default timeout and "
                    + "retry policy: the ones it was submitted with cannot be read here (" + ex.getMessage() + ")");
        }
        int attemptsBefore = attemptsBefore(record, before);
        return orchestrator.parts().createDurable(spec, durables.body(registration, record.argument()), id,
                attemptsBefore, claimed || attemptsBefore > 0);
    }

    /**
     * The attempts a claimed invocation made before this run, which its attempts count on from: the invocation counts
     * its runs (each claim one more), its task record its attempts as last written (the retries a run made before its
     * process died or handed it over; within the flush interval), whichever says more.
     */
    static int attemptsBefore(DurableRecord record, Optional<TaskRecord> before) {
        return Math.max(record.attempts() - 1, before.map(TaskRecord::attempts).orElse(0));
    }

    private static TaskPriority priority(String name) {
        try {
            return name == null ? TaskPriority.NORMAL : TaskPriority.valueOf(name);
        }
        catch (IllegalArgumentException ex) {
            return TaskPriority.NORMAL;
        }
    }
}
