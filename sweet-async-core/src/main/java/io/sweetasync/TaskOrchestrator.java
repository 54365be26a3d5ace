package io.sweetasync;

import io.sweetasync.emit.EmittingTaskBuilder;
import io.sweetasync.internal.Names;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.ContextPropagator;
import io.sweetasync.spi.DurableCodec;
import io.sweetasync.spi.DurableStartGate;
import io.sweetasync.spi.TaskClock;
import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskQuery;
import io.sweetasync.spi.TaskStore;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

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

    // A facade over package-private parts, one job each (package-info lists them): every field is final and
    // every part thread-safe. The constructor makes the parts in dependency order and starts what calls back
    // in (the store's thread, the cluster) only once all are made. close() ends the tasks (Shutdown), then
    // stops the runtimes' threads, the store and cluster, the timer and the JFR attribution, in that order.

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Runtimes runtimes;
    private final TaskClock clock;
    private final SystemClock ownedClock;
    private final LimiterGroups groups;
    private final LiveTasks live = new LiveTasks();
    private final TaskFactory factory;
    private final TaskListeners listeners = new TaskListeners();
    private final TaskHistory history;
    private final ResourceTracking resourceTracking;
    private final ResourceAttribution attribution;
    /** Announces figures that became final after their task finished; null when tracking is off. */
    private final FigureUpdates figureUpdates;
    private final UsageByName usage = new UsageByName();
    private final WallClockAnchor wallClock;
    private final FinishedTasks finishedTasks;
    private final StoreAndCluster outside;
    private final Shutdown shutdown = new Shutdown(live);
    /** Tasks that ended while their bodies still run (see {@link TaskInfo#runaway()}). */
    private final Runaways runaways = new Runaways();
    /**
     * The builder with nothing set, which {@link #to()} hands out: builders are immutable, so one serves every
     * call (a {@code to(type).run(work)} per task made one each).
     */
    private final SpawningTaskBuilder<?> anyTask = new SpawningTaskBuilder<>(this, TaskSpec.empty());

    private TaskOrchestrator(Builder builder) {
        int instance = INSTANCES.incrementAndGet();
        this.runtimes = new Runtimes(builder.runtimes, builder.defaultRuntime);
        this.ownedClock = builder.clock == null ? new SystemClock("sweet-async-timer-" + instance) : null;
        this.clock = builder.clock == null ? ownedClock : builder.clock;
        this.groups = new LimiterGroups(builder.groups, builder.defaultGroupConfig, clock);
        this.wallClock = new WallClockAnchor(clock);
        this.history = new TaskHistory(builder.historySize);
        this.listeners.addAll(builder.listeners);
        this.finishedTasks = new FinishedTasks(this, live, history, listeners);
        this.resourceTracking = builder.resourceTracking;
        this.figureUpdates = resourceTracking == ResourceTracking.OFF ? null
                : new FigureUpdates(finishedTasks::resourcesFinal);
        this.attribution = resourceTracking == ResourceTracking.MEASURE_AND_SAMPLE
                ? ResourceAttribution.start(figureUpdates) : null;
        try {
            StoreSettings storeSettings = new StoreSettings(
                    builder.member == null ? StoreSettings.defaultMember() : builder.member, builder.storeLease,
                    builder.storeFlushInterval, builder.storeRetention, builder.storeMaxTracked, builder.maxResultSize,
                    builder.storeUnresolvedAfter);
            this.outside = new StoreAndCluster(this, storeSettings, builder.store, builder.durableCodec,
                    builder.durableStartGate, builder.handlers, builder.cluster);
            this.factory = new TaskFactory(this, runtimes.defaultRuntime(), builder.defaultTimeout,
                    builder.defaultRetry, outside.incarnation(), live, listeners, List.copyOf(builder.propagators),
                    outside.storeSync());
            outside.start();
        }
        catch (RuntimeException | Error ex) {
            // A failed build (a store out of reach, a handler name given twice) leaves no sampler or timer running:
            // nobody holds this orchestrator to close it, and a start-up may try again and again.
            if (attribution != null) {
                attribution.close();
            }
            if (ownedClock != null) {
                ownedClock.close();
            }
            throw ex;
        }
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

    /** A builder for tasks of this orchestrator producing {@code type}. */
    public <T> SpawningTaskBuilder<T> to(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return to();
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
        TaskNode<?> node = live.find(Objects.requireNonNull(id, "id"));
        if (node != null) {
            return Optional.of(node.tree(Integer.MAX_VALUE));
        }
        TaskInfo recorded = history.find(id);
        return recorded != null ? Optional.of(recorded) : outside.find(id);
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
        return outside.stored(Objects.requireNonNull(query, "query"));
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
     */
    public <T> Optional<TaskResult<T>> storedResult(TaskId id, Class<T> type) {
        return outside.durables().storedResult(id, type);
    }

    /**
     * Registers a durable task handler after the orchestrator was built (the Spring starter registers
     * {@code @AsyncTask(durable = true)} methods this way); see {@link Builder#handler}.
     *
     * @throws IllegalStateException if a handler of that name is registered already
     */
    public <A> void handler(String name, Class<A> type, TaskHandler<A, ?> handler) {
        outside.durables().register(name, type, handler);
    }

    /** How the task store keeps up, if there is one: member, incarnation, records written, failures, drops. */
    public Optional<StoreStatistics> storeStatistics() {
        return outside.statistics();
    }

    /** Writes the pending task records now and waits; false if the store failed (it is retried later). */
    public boolean flushStore() {
        return outside.flush();
    }

    /** Live root tasks with their subtrees, oldest first. */
    public List<TaskInfo> roots() {
        return live.rootsOldestFirst().stream().map(node -> node.tree(Integer.MAX_VALUE)).toList();
    }

    /** Flat snapshots (no children) of every live task, roots and children, oldest first; walks the live trees. */
    public List<TaskInfo> liveTasks() {
        return live.allOldestFirst().stream().map(TaskNode::info).toList();
    }

    /**
     * Snapshots of the most recently finished roots, newest first (at most {@code historySize}), with their
     * subtrees: each node keeps its first 100 children ({@link TaskInfo#childCount()} still counts all).
     */
    public List<TaskInfo> recent() {
        return history.newestFirst();
    }

    /** Number of live tasks waiting for a runtime slot or a permit ({@code QUEUED}); walks the live trees. */
    public int queuedCount() {
        return live.queuedCount();
    }

    /**
     * Number of live (not yet terminal) tasks, roots and children: a striped counter, exact once the
     * tasks being created or finishing at that moment have settled.
     */
    public int liveCount() {
        return live.count();
    }

    /** Snapshots of every concurrency group's limiter, by group name. */
    public List<LimiterSnapshot> limiters() {
        return groups.snapshots();
    }

    /**
     * The limiter of a group, created with the default group configuration if the group was not
     * configured (so {@code group("x")} always means admission through a limiter).
     *
     * @throws IllegalArgumentException if {@code group} is not a name a task could use (see
     *                                  {@link SpawningTaskBuilder#group}), naming it
     */
    public ConcurrencyLimiter limiter(String group) {
        return groups.limiter(group);
    }

    /** How this orchestrator obtains resource figures. */
    public ResourceTracking resourceTracking() {
        return resourceTracking;
    }

    /** Resource totals per task name, by name. */
    public List<ResourceUsage> resourceUsage() {
        return usage.snapshots();
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
        return usage.snapshot(Objects.requireNonNull(name, "name"));
    }

    /** The registered runtimes by name. */
    public Map<String, TaskRuntime> runtimes() {
        return runtimes.byName();
    }

    /**
     * Cancels a live task and its subtree, as its {@link SpawningTask#cancel()} does. In a cluster
     * ({@link Builder#cluster}) a task that is not live here is cancelled on whichever member runs it
     * (the cluster's {@link TaskCluster#cancel}); a member that does not answer in time counts as not running it.
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
        TaskNode<?> here = live.find(id);
        if (here != null) {
            return cancelHere(here);
        }
        TaskCluster cluster = placement().cluster();
        if (cluster == null) {
            return false;
        }
        try {
            return cluster.cancel(id); // asks this member again first: a task registered meanwhile is found
        }
        catch (RuntimeException ex) {
            // the cluster is detached (this orchestrator closed) or its engine failed: no member was reached
            LOG.log(Level.DEBUG, "could not ask the cluster to cancel task " + id, ex);
            return false;
        }
    }

    /** {@link #cancel(TaskId)} among this member's live tasks only: what the cluster asks each member to do. */
    boolean cancelHere(TaskId id) {
        TaskNode<?> node = live.find(id);
        return node != null && cancelHere(node);
    }

    private static boolean cancelHere(TaskNode<?> node) {
        // The lookup finds finished children of live roots too: finished is false, as for a finished root.
        return node.stop(StopKind.CANCEL, "cancelled through the orchestrator")
                || !node.isTerminal() && node.isCancelled();
    }

    /** Adds a listener for all tasks started from now on. */
    public void addListener(TaskListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener; returns whether it was registered. */
    public boolean removeListener(TaskListener listener) {
        return listeners.remove(listener);
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    /**
     * Stops admitting new root tasks (they end {@code FAILED} with {@link TaskRejectedException};
     * children of running tasks are still admitted so that running work can finish), waits up to
     * {@code grace} for all live tasks to finish, then cancels the rest and waits a few more seconds
     * for their bodies to return. Called by a task's own code (its body, its fallback, a {@link TaskListener}'s
     * call about it), it waits for everything but that task's tree and the tasks that start only after it
     * ({@code after}, {@code chain}): those cannot end while the call waits.
     *
     * @return whether everything finished within {@code grace}, without being cancelled (but for the trees
     *         a task's own call does not wait for)
     */
    public boolean shutdown(Duration grace) {
        return shutdown.drainThenCancel(grace);
    }

    /**
     * Snapshots of tasks that ended (timed out, or under a timed-out ancestor) while their bodies still
     * run, ignoring their interrupts: each holds a thread, and its group permit, until its body returns.
     */
    public List<TaskInfo> runaways() {
        return runaways.snapshots();
    }

    /** Number of runaway bodies now (see {@link #runaways()}). */
    public int runawayCount() {
        return runaways.count();
    }

    /** Whether new root tasks are admitted. */
    public boolean isAccepting() {
        return shutdown.isAccepting();
    }

    /**
     * Cancels everything still running ({@link #shutdown(Duration)} with no grace; call that first for
     * a graceful stop), stops the runtimes' threads and the timer, and waits for them. Idempotent: a call
     * made while another closes waits until that one has finished (an interrupt ends its wait), so that
     * whichever returns, the threads have stopped; but one made by a task's own code (its body, fallback or
     * listeners), which the closing call may be waiting for, or on the closing call's own thread, returns at once.
     */
    @Override
    public void close() {
        if (!shutdown.beginClose()) {
            if (!runsOwnTaskCodeHere()) {
                shutdown.awaitCloseEnded();
            }
            return;
        }
        try {
            shutdown.cancelAllForClose();
            runtimes.close();
            outside.close();
            if (ownedClock != null) {
                ownedClock.close();
            }
            if (attribution != null) {
                attribution.close();
            }
            GlobalOrchestrator.closed(this);
        }
        finally {
            shutdown.closeEnded();
        }
    }

    /** Whether the current thread runs a body, fallback or listener of a task of this orchestrator. */
    private boolean runsOwnTaskCodeHere() {
        Carrier here = Carrier.currentOrNull();
        if (here == null) {
            return false;
        }
        TaskNode<?> body = here.top();
        TaskNode<?> ending = here.ending();
        return body != null && body.orchestrator() == this || ending != null && ending.orchestrator() == this;
    }

    // ---- engine (what its classes reach here; each kept by the part whose job it is) ------------

    /** Whether {@link #close()} has begun. */
    boolean isClosed() {
        return shutdown.isClosed();
    }

    /** Whether {@link #shutdown} has begun (a cancellation now may be the shutdown's, not a user's). */
    boolean isShuttingDown() {
        return shutdown.isShuttingDown();
    }

    /** Whether shutdown's grace has passed: queued bodies are cancelled instead of started. */
    boolean isCancellingAll() {
        return shutdown.isCancellingAll();
    }

    /** The runaway bookkeeping; see {@link Runaways}. */
    Runaways runawayTasks() {
        return runaways;
    }

    /** The task store's sync, null without a store; see {@link StoreAndCluster}. */
    StoreSync storeSync() {
        return outside.storeSync();
    }

    Durables durables() {
        return outside.durables();
    }

    ClusterPlacement placement() {
        return outside.placement();
    }

    TaskClock clock() {
        return clock;
    }

    /** The wall-clock instant of monotonic time {@code nanos}; see {@link WallClockAnchor}. */
    Instant instantAt(long nanos) {
        return wallClock.instantAt(nanos);
    }

    /** The anchor that gives the wall-clock instant of monotonic time {@code nanos}; see {@link WallClockAnchor}. */
    WallClockAnchor.Anchor anchorAt(long nanos) {
        return wallClock.anchorAt(nanos);
    }

    /**
     * Where finished tasks whose figures became final go to be announced (sampled figures, a runaway's);
     * null when resource tracking is off.
     */
    FigureUpdates figureUpdates() {
        return figureUpdates;
    }

    /** The JFR attribution, null unless sampling is on and JFR available. */
    ResourceAttribution attribution() {
        return attribution;
    }

    /** The totals of a task name; see {@link UsageByName}. */
    UsageTotals usage(String name) {
        return usage.of(name);
    }

    TaskRuntime runtime(String name) {
        return runtimes.named(name);
    }

    <T> SpawningTask<T> spawn(TaskSpec<T> spec, Callable<? extends T> work) {
        return factory.spawn(spec, work);
    }

    <T, U> SpawningTask<U> chain(TaskNode<T> upstream, Function<? super T, ? extends U> next) {
        return factory.chain(upstream, next);
    }

    /**
     * The retry policy of tasks that set none ({@link Builder#defaultRetry}; {@link RetryPolicy#none()} unless set).
     *
     * <pre>{@code
     * boolean mayRetry = orchestrator.defaultRetry().maxRetries() > 0;
     * }</pre>
     */
    public RetryPolicy defaultRetry() {
        return factory.defaultRetry();
    }

    /** A durable task's node: created, tracked and registered, but not submitted. */
    <T> TaskNode<T> createDurable(TaskSpec<T> spec, Callable<? extends T> work, TaskId givenId, int priorAttempts) {
        return factory.create(spec, work, "durable", givenId, priorAttempts, true);
    }

    /** Called by a node once its status is terminal, before its waiters are released; see {@link FinishedTasks}. */
    <T> void finished(TaskNode<T> node, TaskResult<T> result) {
        finishedTasks.finished(node, result);
    }

    /** Called once a runaway's body has returned; see {@link FinishedTasks#runawayReturned}. */
    void runawayReturned(TaskNode<?> node) {
        finishedTasks.runawayReturned(node);
    }

    /**
     * Marked as the task's end is ({@link TaskEnding#runWhileEnding}): the task is admitted only once the
     * listeners return, so a listener's {@code shutdown(grace)} does not wait for it.
     */
    void notifyQueued(TaskNode<?> node) {
        if (listeners.wants(TaskListeners.QUEUED)) {
            node.runWhileEnding("an onQueued listener",
                    () -> listeners.notify(node, TaskListeners.QUEUED, TaskListener::onQueued));
        }
    }

    void notifyStarted(TaskNode<?> node) {
        listeners.notify(node, TaskListeners.STARTED, TaskListener::onStarted);
    }

    void notifyRetrying(TaskNode<?> node, Throwable error, Duration delay) {
        listeners.notify(node, TaskListeners.RETRYING, (listener, info) -> listener.onRetrying(info, error, delay));
    }

    void warn(String message, Throwable error) {
        LOG.log(Level.WARNING, message, error);
    }

    /** Configures a {@link TaskOrchestrator}. Not thread-safe; build once. */
    public static final class Builder {

        private final Map<String, TaskRuntime> runtimes = new LinkedHashMap<>();
        private final List<TaskListener> listeners = new ArrayList<>();
        private final List<ContextPropagator> propagators = new ArrayList<>();
        private String defaultRuntime = "virtual";
        private TaskClock clock;
        private Duration defaultTimeout;
        private RetryPolicy defaultRetry = RetryPolicy.none();
        private int historySize = 100;
        private ResourceTracking resourceTracking = ResourceTracking.MEASURE;
        private LimiterConfig defaultGroupConfig = LimiterConfig.defaults();
        private final Map<String, LimiterConfig> groups = new LinkedHashMap<>();
        private TaskStore store;
        private String member;
        private Duration storeLease = StoreSettings.DEFAULT_LEASE;
        private Duration storeFlushInterval = StoreSettings.DEFAULT_FLUSH;
        private Duration storeRetention = StoreSettings.DEFAULT_RETENTION;
        private Duration storeUnresolvedAfter = StoreSettings.DEFAULT_UNRESOLVED;
        private int storeMaxTracked = StoreSettings.DEFAULT_MAX_TRACKED;
        private int maxResultSize = StoreSettings.DEFAULT_MAX_RESULT;
        private DurableCodec durableCodec;
        private DurableStartGate durableStartGate = (start, abandon) -> start.run();
        private final List<Durables.Registration<?>> handlers = new ArrayList<>();
        private TaskCluster cluster;

        private Builder() {
        }

        /**
         * Makes this orchestrator a member of {@code cluster}: tasks built with
         * {@link SpawningTaskBuilder#anywhere()} run on the least loaded member, and the cluster's views and
         * cancellation cover this member's tasks. Ids are unique across the cluster's live members whatever
         * their stores: without a store, the incarnation comes from the cluster; with one, the store's number
         * is claimed in the cluster, and the store skips ahead when the cluster has used it
         * ({@link TaskCluster#claimIncarnation}). Every member registers the same handlers.
         *
         * <pre>{@code
         * TaskOrchestrator.builder().cluster(new HazelcastTaskCluster(hazelcast))
         *         .handler("resize", Image.class, image -> resizer.resize(image))
         *         .build();
         * }</pre>
         */
        public Builder cluster(TaskCluster cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            return this;
        }

        /**
         * Keeps task state in {@code store}: every task's record is written there in batches off the task
         * threads (within {@link #storeFlushInterval}), {@link TaskOrchestrator#find} reads finished tasks
         * from it, tasks of crashed processes end {@code FAILED} with {@link TaskLostException}, and durable
         * tasks ({@link SpawningTaskBuilder#durable}) survive a crash. Ids then carry the store's
         * incarnation number ({@link TaskId}).
         *
         * <pre>{@code
         * TaskOrchestrator.builder().store(new JdbcTaskStore(dataSource)).durableCodec(new JsonDurableCodec()).build();
         * }</pre>
         */
        public Builder store(TaskStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * This process's name among the members sharing a store; host name and process id by default.
         *
         * @throws IllegalArgumentException if the name is blank, longer than 200 characters or has control
         *                                  characters
         */
        public Builder member(String name) {
            Objects.requireNonNull(name, "member");
            // refused by build() only (blank, long), or not at all (a line break, a NUL PostgreSQL refuses)
            if (name.isBlank() || name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("member must be 1 to 200 characters, not blank, without control "
                        + "characters, was '" + Names.printable(name) + "'");
            }
            this.member = name;
            return this;
        }

        /**
         * How long this process counts as alive without renewing its lease in the store (renewed every
         * third); 30 s by default, 1 s to 1 day. Tasks of a process whose lease expired are marked lost,
         * and its durable tasks run again elsewhere.
         *
         * @throws IllegalArgumentException if {@code lease} is outside 1 s to 1 day (and {@link #build()}
         *                                  if the flush interval is more than a third of it)
         */
        public Builder storeLease(Duration lease) {
            this.storeLease = StoreSettings.inRange("storeLease", lease, StoreSettings.MIN_LEASE, StoreSettings.MAX_LEASE);
            return this;
        }

        /**
         * How often task records are written; 1 s by default (a terminal status is stored within it).
         *
         * @throws IllegalArgumentException if {@code interval} is outside 1 ms to 1 hour
         */
        public Builder storeFlushInterval(Duration interval) {
            this.storeFlushInterval = StoreSettings.inRange("storeFlushInterval", interval, StoreSettings.MIN_FLUSH,
                    StoreSettings.MAX_FLUSH);
            return this;
        }

        /**
         * How long finished task records are kept; 7 days by default.
         *
         * @throws IllegalArgumentException if {@code retention} is outside 1 minute to 36,500 days
         */
        public Builder storeRetention(Duration retention) {
            this.storeRetention = StoreSettings.inRange("storeRetention", retention, StoreSettings.MIN_RETENTION,
                    StoreSettings.MAX_RETENTION);
            return this;
        }

        /**
         * How long a stored durable invocation of a handler this member does not register may wait, unclaimed by
         * any member, before this member ends it {@code FAILED} with a {@link TaskRejectedException} naming the
         * handler; 14 days by default. Such an invocation is one no live member can run (its handler was renamed or
         * removed by a deploy, or the members that register it have all been gone that long): without this it
         * would stay pending in the store for ever. Set it longer than the longest outage you expect of the members
         * that run a handler; a member that registers the handler claims and runs it as usual in the meantime.
         *
         * <pre>{@code
         * TaskOrchestrator.builder().store(store).storeUnresolvedAfter(Duration.ofDays(30)).build();
         * }</pre>
         *
         * @throws IllegalArgumentException if {@code unclaimed} is outside 1 second to 36,500 days
         */
        public Builder storeUnresolvedAfter(Duration unclaimed) {
            this.storeUnresolvedAfter = StoreSettings.inRange("storeUnresolvedAfter", unclaimed,
                    StoreSettings.MIN_UNRESOLVED, StoreSettings.MAX_UNRESOLVED);
            return this;
        }

        /**
         * How many tasks may wait to be written (while the store is slow or down); 10,000 by default.
         *
         * @throws IllegalArgumentException if {@code tasks} is less than 1
         */
        public Builder storeMaxPending(int tasks) {
            if (tasks < 1) {
                throw new IllegalArgumentException("storeMaxPending must be at least 1, was " + tasks);
            }
            this.storeMaxTracked = tasks;
            return this;
        }

        /**
         * The largest encoded durable result kept, in characters; 64 KiB by default, 0 keeps none.
         *
         * @throws IllegalArgumentException if {@code characters} is negative
         */
        public Builder maxResultSize(int characters) {
            if (characters < 0) {
                throw new IllegalArgumentException("maxResultSize must not be negative, was " + characters);
            }
            this.maxResultSize = characters;
            return this;
        }

        /** Encodes durable task arguments and results (needed for durable tasks). */
        public Builder durableCodec(DurableCodec codec) {
            this.durableCodec = Objects.requireNonNull(codec, "durableCodec");
            return this;
        }

        /** When a stored durable task starts; at once by default (the Spring starter: after commit). */
        public Builder durableStartGate(DurableStartGate gate) {
            this.durableStartGate = Objects.requireNonNull(gate, "durableStartGate");
            return this;
        }

        /**
         * Registers the handler of durable tasks named {@code name}, whose argument decodes to
         * {@code type}; see {@link DurableTaskBuilder}.
         *
         * <pre>{@code
         * builder.handler("send-invoice", Invoice.class, invoice -> mailer.send(invoice));
         * }</pre>
         *
         * @throws IllegalArgumentException if the name is blank, longer than 100 characters, or has control
         *         characters (the store keeps it)
         */
        public <A> Builder handler(String name, Class<A> type, TaskHandler<A, ?> handler) {
            Durables.checkName(name);
            handlers.add(new Durables.Registration<>(name, Objects.requireNonNull(type, "type"),
                    Objects.requireNonNull(handler, "handler")));
            return this;
        }

        /** Configures a concurrency group (see {@link io.sweetasync.limit.ConcurrencyLimiter}). */
        public Builder group(String name, LimiterConfig config) {
            Names.group("group name", name);
            groups.put(name, Objects.requireNonNull(config, "config"));
            return this;
        }

        /** The configuration of groups used without being configured; {@link LimiterConfig#defaults()} by default. */
        public Builder defaultGroupConfig(LimiterConfig config) {
            if (Objects.requireNonNull(config, "defaultGroupConfig").clusterWide()) {
                throw new IllegalArgumentException("the default group configuration cannot be cluster-wide: "
                        + "configure each cluster-wide group by name, with group(name, config)");
            }
            this.defaultGroupConfig = config;
            return this;
        }

        /**
         * Registers a runtime. A runtime named {@code virtual}, {@code platform} or {@code single}
         * replaces the built-in one (e.g. {@code TaskRuntime.platform("platform", 16)}). The orchestrator
         * closes its runtimes when it closes: a runtime object registered in several orchestrators is closed
         * by the first to close, and the others' tasks then queued on it end with
         * {@link TaskRejectedException} (as do their later ones), so give each orchestrator its own.
         *
         * @throws IllegalArgumentException if the runtime takes a built-in name but is of another kind (such
         *                                  as {@code TaskRuntime.platform("virtual", 4)}): every task that names
         *                                  no runtime would run on it; give it another name and make it the
         *                                  default with {@link #defaultRuntime(String)} if that is meant
         */
        public Builder runtime(TaskRuntime runtime) {
            Objects.requireNonNull(runtime, "runtime");
            TaskRuntime.Kind builtIn = switch (runtime.name()) {
                case "virtual" -> TaskRuntime.Kind.VIRTUAL;
                case "platform" -> TaskRuntime.Kind.PLATFORM;
                case "single" -> TaskRuntime.Kind.SINGLE;
                default -> null;
            };
            if (builtIn != null && runtime.kind() != builtIn) {
                throw new IllegalArgumentException("runtime '" + runtime.name() + "' is the built-in runtime of kind "
                        + builtIn + ", was given one of kind " + runtime.kind() + ": give it another name (and make "
                        + "it the default with defaultRuntime(name) if that is meant)");
            }
            runtimes.put(runtime.name(), runtime);
            return this;
        }

        /** The runtime for tasks that name none and have no parent; {@code "virtual"} by default. */
        public Builder defaultRuntime(String name) {
            this.defaultRuntime = Objects.requireNonNull(name, "defaultRuntime");
            return this;
        }

        /** The time source; the system clock (with a scheduler thread the orchestrator owns) by default. */
        public Builder clock(TaskClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Timeout for tasks that set none; none by default. */
        public Builder defaultTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "defaultTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("defaultTimeout must be positive, was " + timeout);
            }
            this.defaultTimeout = timeout;
            return this;
        }

        /** Retry policy for tasks that set none; {@link RetryPolicy#none()} by default. */
        public Builder defaultRetry(RetryPolicy policy) {
            this.defaultRetry = Objects.requireNonNull(policy, "defaultRetry");
            return this;
        }

        /** How many finished root tasks {@link TaskOrchestrator#recent()} keeps; 100 by default, 0 for none. */
        public Builder historySize(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("historySize must not be negative, was " + size);
            }
            this.historySize = size;
            return this;
        }

        /** How resource figures are obtained; {@link ResourceTracking#MEASURE} by default. */
        public Builder resourceTracking(ResourceTracking tracking) {
            this.resourceTracking = Objects.requireNonNull(tracking, "resourceTracking");
            return this;
        }

        /**
         * Adds a context propagator: context captured where a task is created is restored around its
         * attempts and fallback (see {@link io.sweetasync.spi.ContextPropagator}). Restored in the order
         * added.
         */
        public Builder contextPropagator(ContextPropagator propagator) {
            propagators.add(Objects.requireNonNull(propagator, "propagator"));
            return this;
        }

        /** Adds a listener (see {@link TaskListener}). */
        public Builder listener(TaskListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
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
