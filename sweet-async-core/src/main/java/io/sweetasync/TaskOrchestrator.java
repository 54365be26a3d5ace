package io.sweetasync;

import io.sweetasync.emit.EmittingTaskBuilder;
import io.sweetasync.internal.LiveCancels;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskQuery;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The engine: runtimes, the live task registry, a bounded history of finished root tasks, and
 * listeners. Thread-safe. Most code uses the global one through {@link AsyncTask}; build your own
 * for isolation (tests, separate pools) and close it when done.
 *
 * <p>Memory stays bounded however many tasks run: a root task leaves the live registry when it
 * reaches its terminal status (with its subtree: a root is terminal only after all its children), and
 * the history keeps snapshots of the last {@code historySize} finished roots (children beyond the
 * first 100 of any node are counted, not kept). The registry holds roots only; children are found by
 * walking their root's tree, so spawning a child touches no shared map. One thing grows with a live task:
 * it keeps the children it started until it finishes (their results for {@code joinChildren()}), about 400
 * bytes each, so a long-lived task that starts tasks without end should start them {@code detached()}; a
 * warning names a task at 100,000 children and each tenfold.
 *
 * <pre>{@code
 * try (TaskOrchestrator orchestrator = TaskOrchestrator.builder()
 *         .runtime(TaskRuntime.platform("cpu", 4))
 *         .historySize(500)
 *         .defaultTimeout(Duration.ofMinutes(5))
 *         .build()) {
 *     SpawningTask<Long> sum = orchestrator.to(Long.class).runtime("cpu").run(() -> checksum(file));
 *     System.out.println(sum.join());
 *     orchestrator.roots().forEach(root -> System.out.println(root.path() + " " + root.status()));
 * }
 * }</pre>
 */
public final class TaskOrchestrator implements AutoCloseable {

    // A facade over package-private parts, one job each (package-info lists them): OrchestratorParts makes them
    // in dependency order, starts what calls back in (the store's thread, the cluster) only once this holds them,
    // and closes them in order; the engine's classes reach them through parts(). The public methods stay here.

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());

    static {
        LiveCancels.install(LiveCancelAnswers::cancel);
    }

    private final OrchestratorParts parts;
    /**
     * The builder with nothing set, which {@link #to()} hands out: builders are immutable, so one serves every
     * call (a {@code to(type).run(work)} per task made one each).
     */
    private final SpawningTaskBuilder<?> anyTask = new SpawningTaskBuilder<>(this, TaskSpec.empty());
    /** The builders {@link #to(Class)} hands out, one per type. */
    private final TypedBuilders typedTasks = new TypedBuilders(this);

    private TaskOrchestrator(Builder builder) {
        this.parts = new OrchestratorParts(this, builder);
        parts.start(); // once this holds the parts: the store's thread and the cluster call back through them
    }

    /** A builder for an orchestrator with the three built-in runtimes. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The orchestrator that {@link AsyncTask}'s static methods use: the one installed with
     * {@link #setGlobal}, else a default one created on first use.
     */
    public static TaskOrchestrator global() {
        return GlobalOrchestrator.get();
    }

    /**
     * Makes {@code orchestrator} the global one (the Spring Boot starter does this for the context's
     * orchestrator); {@code null} goes back to a default created on next use. The previous global is
     * not closed.
     *
     * @return the previous global orchestrator, or null if none had been created
     */
    public static TaskOrchestrator setGlobal(TaskOrchestrator orchestrator) {
        return GlobalOrchestrator.set(orchestrator);
    }

    /**
     * Makes {@code replacement} the global orchestrator ({@code null}: a default on next use) only if
     * {@code expected} is the global one now, atomically: for whoever installed {@code expected} with
     * {@link #setGlobal} and must not displace one installed after it (the Spring Boot starter, when one
     * of two application contexts closes).
     *
     * @return whether {@code expected} was the global orchestrator and has been replaced
     */
    public static boolean replaceGlobal(TaskOrchestrator expected, TaskOrchestrator replacement) {
        Objects.requireNonNull(expected, "expected");
        return GlobalOrchestrator.replace(expected, replacement);
    }

    // ---- entry points ---------------------------------------------------------------------------

    /**
     * A builder for tasks of this orchestrator producing {@code type}. A durable or {@code anywhere()} task made from
     * it, whose work is a handler registered by name, fails if the handler returns another type (a
     * {@link ClassCastException} naming the handler and both types, never retried) rather than hand out a value
     * of the wrong type.
     */
    public <T> SpawningTaskBuilder<T> to(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return typedTasks.of(type);
    }

    /** A builder for tasks of this orchestrator; the value type is inferred. */
    @SuppressWarnings("unchecked") // nothing set: the builder holds no value of its type
    public <T> SpawningTaskBuilder<T> to() {
        return (SpawningTaskBuilder<T>) anyTask;
    }

    /** A builder for streaming pipelines of this orchestrator whose events are {@code type}. */
    public <E> EmittingTaskBuilder<E> emits(Class<E> type) {
        Objects.requireNonNull(type, "type");
        return EmittingTaskBuilder.on(this);
    }

    /** A builder for streaming pipelines of this orchestrator; the event type is inferred. */
    public <E> EmittingTaskBuilder<E> emits() {
        return EmittingTaskBuilder.on(this);
    }

    // ---- queries --------------------------------------------------------------------------------

    /**
     * The task with this id, with its subtree, if it is live or among the recent finished roots. A root that
     * is ending is found throughout (it enters the history before it leaves the live trees; {@link #roots()}
     * and {@link #recent()} may both show it for that moment).
     */
    public Optional<TaskInfo> find(TaskId id) {
        TaskNode<?> node = parts.live.find(Objects.requireNonNull(id, "id"));
        TaskInfo found = node != null ? liveTree(node) : parts.history.find(id);
        return found != null ? Optional.of(found) : parts.outside.find(id);
    }

    /**
     * {@code node}'s subtree, walked now; or, if its root ended during the walk and let go of its tree (which the walk
     * may then show cut), the history's snapshot, in before that (null without one).
     */
    private TaskInfo liveTree(TaskNode<?> node) {
        TaskInfo tree = node.tree(Integer.MAX_VALUE);
        return node.rootNode().treeForgotten() ? parts.history.find(node.id()) : tree;
    }

    /**
     * Stored records of finished and live tasks matching {@code query}, newest first (flat snapshots);
     * empty without a store.
     *
     * <pre>{@code
     * orchestrator.stored(new TaskQuery("FAILED", "send-invoice", null, 0, 20));
     * }</pre>
     */
    public List<TaskInfo> stored(TaskQuery query) {
        return parts.outside.stored(Objects.requireNonNull(query, "query"));
    }

    /**
     * The result of a durable task by id, decoded as {@code type}, also after a restart; empty while it
     * runs, or if no durable task has that id. A result larger than the store keeps reads as null.
     *
     * <pre>{@code
     * orchestrator.storedResult(TaskId.parse("7-42"), Receipt.class).ifPresent(r -> System.out.println(r));
     * }</pre>
     *
     * @throws IllegalStateException without a store
     * @throws IllegalArgumentException if the result is not a {@code type} (read as another type than its handler
     *                                  returns), naming the task and the handler
     */
    public <T> Optional<TaskResult<T>> storedResult(TaskId id, Class<T> type) {
        return parts.outside.durables().storedResult(id, type);
    }

    /**
     * Registers a durable task handler after the orchestrator was built (the Spring starter registers
     * {@code @AsyncTask(durable = true)} methods this way); see
     * {@link Builder#handler TaskOrchestrator.Builder.handler(String, Class, TaskHandler)}.
     *
     * @throws IllegalStateException if a handler of that name is registered already
     */
    public <A> void handler(String name, Class<A> type, TaskHandler<A, ?> handler) {
        parts.outside.durables().register(name, type, handler);
    }

    /** How the task store keeps up, if there is one: member, incarnation, records written, failures, drops. */
    public Optional<StoreStatistics> storeStatistics() {
        return parts.outside.statistics();
    }

    /** Writes the pending task records now and waits; false if the store failed (it is retried later). */
    public boolean flushStore() {
        return parts.outside.flush();
    }

    /** Live root tasks with their subtrees, oldest first. */
    public List<TaskInfo> roots() {
        List<TaskInfo> trees = new ArrayList<>();
        for (TaskNode<?> node : parts.live.rootsOldestFirst()) {
            TaskInfo tree = liveTree(node); // none: ended meanwhile, and no history keeps it
            if (tree != null) {
                trees.add(tree);
            }
        }
        return trees;
    }

    /** Flat snapshots (no children) of every live task, roots and children, oldest first; walks the live trees. */
    public List<TaskInfo> liveTasks() {
        return parts.live.allOldestFirst().stream().map(TaskNode::info).toList();
    }

    /**
     * Snapshots of the most recently finished roots, newest first (at most {@code historySize}), with their
     * subtrees: each node keeps its first 100 children ({@link TaskInfo#childCount()} still counts all).
     */
    public List<TaskInfo> recent() {
        return parts.history.newestFirst();
    }

    /** Number of live tasks waiting for a runtime slot or a permit ({@code QUEUED}); walks the live trees. */
    public int queuedCount() {
        return parts.live.queuedCount();
    }

    /**
     * Number of live (not yet terminal) tasks, roots and children: a striped counter, exact once the
     * tasks being created or finishing at that moment have settled, never negative.
     */
    public int liveCount() {
        return parts.live.count();
    }

    /** Snapshots of every concurrency group's limiter, by group name. */
    public List<LimiterSnapshot> limiters() {
        return parts.groups.snapshots();
    }

    /**
     * The limiter of a group, created with the default group configuration if the group was not
     * configured (so {@code group("x")} always means admission through a limiter).
     *
     * @throws IllegalArgumentException if {@code group} is not a name a task could use (see
     *                                  {@link SpawningTaskBuilder#group}), naming it
     */
    public ConcurrencyLimiter limiter(String group) {
        return parts.groups.limiter(group);
    }

    /** How this orchestrator obtains resource figures. */
    public ResourceTracking resourceTracking() {
        return parts.resourceTracking;
    }

    /** Resource totals per task name, by name. */
    public List<ResourceUsage> resourceUsage() {
        return parts.usage.snapshots();
    }

    /**
     * The resource totals of one task name, without building every name's as {@link #resourceUsage()} does
     * (what a meter per name reads on each scrape).
     *
     * <pre>{@code
     * long cpu = orchestrator.resourceUsage("order-import").map(ResourceUsage::cpuNanos).orElse(0L);
     * }</pre>
     *
     * @return empty if no task of that name has ended yet, or if its totals count under {@code "(other)"} (more
     *         than 1000 names)
     */
    public Optional<ResourceUsage> resourceUsage(String name) {
        return parts.usage.snapshot(Objects.requireNonNull(name, "name"));
    }

    /** The registered runtimes by name. */
    public Map<String, TaskRuntime> runtimes() {
        return parts.runtimes.byName();
    }

    /**
     * The retry policy of tasks that set none ({@link Builder#defaultRetry TaskOrchestrator.Builder.defaultRetry};
     * {@link RetryPolicy#none()} unless set).
     *
     * <pre>{@code
     * boolean mayRetry = orchestrator.defaultRetry().maxRetries() > 0;
     * }</pre>
     */
    public RetryPolicy defaultRetry() {
        return parts.factory.defaultRetry();
    }

    /**
     * Cancels a live task and its subtree, as its {@link SpawningTask#cancel()} does. In a cluster
     * ({@link Builder#cluster TaskOrchestrator.Builder.cluster}) a task that is not live here is cancelled on whichever
     * member runs it (the cluster's {@link TaskCluster#cancel}); a member that does not answer in time counts as not running it
     * (the answer is then false, though the request may still cancel the task there when it arrives).
     *
     * <pre>{@code
     * boolean cancelled = orchestrator.cancel(TaskId.parse("1-42"));
     * }</pre>
     *
     * @return true when the task is live and ends {@link TaskStatus#CANCELLED} (by this call or an earlier
     *         cancellation); false if it is unknown, finished, or being stopped for another reason
     */
    public boolean cancel(TaskId id) {
        Objects.requireNonNull(id, "id");
        TaskNode<?> here = parts.live.find(id);
        if (here != null) {
            return cancelHere(here);
        }
        TaskCluster cluster = parts.placement().cluster();
        if (cluster == null) {
            return false;
        }
        try {
            return cluster.cancel(id); // asks this member again first: a task registered meanwhile is found
        }
        catch (Exception ex) {
            // the cluster is detached (this orchestrator closed) or its engine failed (a checked exception its language
            // does not declare too): no member was reached
            LOG.log(Level.DEBUG, "could not ask the cluster to cancel task " + id, ex);
            return false;
        }
    }

    /** {@link #cancel(TaskId)} among this member's live tasks only: what the cluster asks each member to do. */
    boolean cancelHere(TaskId id) {
        TaskNode<?> node = parts.live.find(id);
        return node != null && cancelHere(node);
    }

    static boolean cancelHere(TaskNode<?> node) {
        // The lookup finds finished children of live roots too: finished is false, as for a finished root.
        // A durable re-run turned away unrun (bounced) ends CANCELLED, but runs again later: that cancel lost to it.
        return node.stop(StopKind.CANCEL, "cancelled through the orchestrator")
                || !node.isTerminal() && node.isCancelled() && !node.bounced();
    }

    /** Adds a listener for all tasks started from now on. */
    public void addListener(TaskListener listener) {
        parts.listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener; returns whether it was registered. */
    public boolean removeListener(TaskListener listener) {
        return parts.listeners.remove(listener);
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    /**
     * Stops admitting new root tasks (they end {@code FAILED} with {@link TaskRejectedException};
     * children of running tasks are still admitted so that running work can finish), waits up to
     * {@code grace} for all live tasks to finish, then cancels the rest and waits a few more seconds
     * for their bodies to return. A tree counts as finished once its end is recorded: when this returns, the
     * {@code onFinished} listeners have been called for the roots it saw end. Called by a task's own code (its
     * body, its fallback, a {@link TaskListener}'s call about it), it waits for everything but that task's tree
     * and the tasks that start only after it ({@code after}, {@code chain}): those cannot end while the call
     * waits.
     *
     * @return whether everything finished within {@code grace}, without being cancelled (but for the trees
     *         a task's own call does not wait for)
     */
    public boolean shutdown(Duration grace) {
        return parts.shutdown.drainThenCancel(grace);
    }

    /**
     * Snapshots of tasks that ended (timed out, or under a timed-out ancestor) while their bodies still
     * run, ignoring their interrupts: each holds a thread, and its group permit, until its body returns.
     */
    public List<TaskInfo> runaways() {
        return parts.runaways.snapshots();
    }

    /** Number of runaway bodies now (see {@link #runaways()}). */
    public int runawayCount() {
        return parts.runaways.count();
    }

    /** Whether new root tasks are admitted. */
    public boolean isAccepting() {
        return parts.shutdown.isAccepting();
    }

    /**
     * Cancels everything still running ({@link #shutdown(Duration)} with no grace; call that first for
     * a graceful stop), stops the runtimes' threads and the timer, and waits for them (10 s at most in all).
     * A body that ignores the cancel's interrupt for 5 s is not waited for any longer (nor one an earlier
     * {@link #shutdown(Duration)} waited for so, nor a runaway's): a warning names its task, {@code close()}
     * returns, and the body's thread ends when it returns (a task with a timeout ends then, {@code CANCELLED},
     * a runaway, as its deadline would have ended it: closing the clock drops that deadline). Idempotent: a call
     * made while another closes waits until that one has finished (an interrupt ends its wait), so that
     * whichever returns, the threads have stopped; but one made by a task's own code (its body, fallback or
     * listeners), which the closing call may be waiting for, or on the closing call's own thread, returns at once.
     */
    @Override
    public void close() {
        parts.close(this);
    }

    // ---- engine ---------------------------------------------------------------------------------

    /** The parts, for the engine's classes (a task reaches its orchestrator's clock, store, listeners here). */
    OrchestratorParts parts() {
        return parts;
    }

    /** Configures a {@link TaskOrchestrator}. Not thread-safe; build once. */
    public static final class Builder extends OrchestratorSettingsBuilder {

        private Builder() {
        }

        /**
         * Builds the orchestrator: with a store, opens this member's incarnation in it (the first part of its task
         * ids); with a cluster, joins it. Its runtimes' and timer's threads start when first needed. A build that
         * fails leaves nothing of its own running (no sampler, no timer), so it may be tried again. The builder is
         * not needed after; close the orchestrator when done.
         *
         * <pre>{@code
         * try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().historySize(500).build()) {
         *     orchestrator.to(String.class).run(() -> "hello").join();
         * }
         * }</pre>
         *
         * @throws IllegalArgumentException if the default runtime is not registered, or the store's flush
         *                                  interval is more than a third of its lease, naming the values
         * @throws IllegalStateException    if two handlers have the same name
         * @throws RuntimeException         what the store or the cluster threw (the store out of reach, say)
         */
        public TaskOrchestrator build() {
            return new TaskOrchestrator(this);
        }
    }
}
