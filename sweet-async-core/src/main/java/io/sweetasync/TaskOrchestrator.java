package io.sweetasync;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.TaskClock;
import io.sweetasync.spi.TaskCluster;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
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
 * walking their root's tree, so spawning a child touches no shared map.
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

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());
    private static final int HISTORY_CHILD_LIMIT = 100;
    private static final Duration AFTER_CANCEL_WAIT = Duration.ofSeconds(5);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Object GLOBAL_LOCK = new Object();
    /** Guarded by GLOBAL_LOCK. */
    private static TaskOrchestrator global;

    private static final ClassValue<String> DERIVED_NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return deriveName(type);
        }
    };

    private final Map<String, TaskRuntime> runtimes;
    private final TaskRuntime defaultRuntime;
    private final TaskClock clock;
    private final SystemClock ownedClock;
    private final Duration defaultTimeout;
    private final RetryPolicy defaultRetry;
    private final int historySize;
    private final LimiterConfig defaultGroupConfig;
    private final Map<String, LimiterConfig> groupConfigs;
    private final ConcurrentHashMap<String, ConcurrencyLimiter> limiters = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /**
     * Live root tasks only: children are found through their root (a root is terminal only after its
     * whole subtree), which keeps a shared map off the path of every child spawned.
     */
    private final ConcurrentHashMap<TaskId, TaskNode<?>> liveRoots = new ConcurrentHashMap<>();
    private final LongAdder liveNodes = new LongAdder();
    private final CopyOnWriteArrayList<TaskListener> listeners = new CopyOnWriteArrayList<>();
    private final List<io.sweetasync.spi.ContextPropagator> propagators;
    private final ReentrantLock historyLock = new ReentrantLock();
    /** Guarded by historyLock. */
    private final ArrayDeque<TaskInfo> history;
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Condition drained = drainLock.newCondition();
    private final ResourceTracking resourceTracking;
    private final ResourceAttribution attribution;
    private final ConcurrentHashMap<String, UsageTotals> usage = new ConcurrentHashMap<>();
    /** Durable state: null without a store. */
    private final StoreSync storeSync;
    private final StoreSettings storeSettings;
    private final Durables durables;
    /** Null without a cluster. */
    private final TaskCluster cluster;
    private final ClusterPlacement placement;
    /** The incarnation in every id: 0 without a store. */
    private final long incarnation;
    private volatile boolean accepting = true;
    /** Set once shutdown's grace has passed: from then on no queued body starts. */
    private volatile boolean cancellingAll;
    /** Tasks that ended while their bodies still run (see {@link TaskInfo#runaway()}). */
    private final Set<TaskNode<?>> runaways = ConcurrentHashMap.newKeySet();
    /** Runaways whose body holds a pooled runtime's thread, and that runtime (see {@link #runawayStarted}). */
    private final Map<TaskNode<?>, PooledRuntime> stuckThreads = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private TaskOrchestrator(Builder builder) {
        int instance = INSTANCES.incrementAndGet();
        Map<String, TaskRuntime> all = new LinkedHashMap<>();
        all.put("virtual", TaskRuntime.virtual("virtual"));
        all.put("platform", TaskRuntime.platform("platform", Runtime.getRuntime().availableProcessors()));
        all.put("single", TaskRuntime.single("single"));
        all.putAll(builder.runtimes);
        this.runtimes = Map.copyOf(all);
        TaskRuntime chosen = runtimes.get(builder.defaultRuntime);
        if (chosen == null) {
            throw new IllegalArgumentException("default runtime '" + builder.defaultRuntime + "' is not registered; runtimes: "
                    + String.join(", ", all.keySet()));
        }
        this.defaultRuntime = chosen;
        this.ownedClock = builder.clock == null ? new SystemClock("sweet-async-timer-" + instance) : null;
        this.clock = builder.clock == null ? ownedClock : builder.clock;
        this.defaultTimeout = builder.defaultTimeout;
        this.defaultRetry = builder.defaultRetry;
        this.historySize = builder.historySize;
        this.defaultGroupConfig = builder.defaultGroupConfig;
        this.groupConfigs = Map.copyOf(builder.groups);
        groupConfigs.keySet().forEach(this::limiter);
        this.history = new ArrayDeque<>(Math.min(historySize, 1024));
        this.listeners.addAll(builder.listeners);
        this.propagators = List.copyOf(builder.propagators);
        this.resourceTracking = builder.resourceTracking;
        this.attribution = resourceTracking == ResourceTracking.MEASURE_AND_SAMPLE
                ? ResourceAttribution.start(this::resourcesFinal) : null;
        this.storeSettings = new StoreSettings(builder.member == null ? StoreSettings.defaultMember() : builder.member,
                builder.storeLease, builder.storeFlushInterval, builder.storeRetention, builder.storeMaxTracked,
                builder.maxResultSize);
        this.durables = new Durables(this, builder.durableCodec, builder.durableStartGate);
        builder.handlers.forEach(registration -> registerHandler(registration));
        this.storeSync = builder.store == null ? null : new StoreSync(this, builder.store, storeSettings);
        this.cluster = builder.cluster;
        this.placement = new ClusterPlacement(this, cluster);
        this.incarnation = storeSync != null ? storeSync.incarnation() : cluster != null ? clusterIncarnation(cluster) : 0;
        if (storeSync != null) {
            storeSync.start();
        }
        if (cluster != null) {
            cluster.attach(placement);
        }
    }

    private static long clusterIncarnation(TaskCluster cluster) {
        long value = cluster.incarnation();
        if (value < 1 || value > TaskId.MAX_INCARNATION) {
            throw new IllegalStateException("the cluster gave incarnation " + value + ", outside 1.."
                    + TaskId.MAX_INCARNATION);
        }
        return value;
    }

    private <A> void registerHandler(Durables.Registration<A> registration) {
        durables.register(registration.name(), registration.type(), registration.handler());
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
        synchronized (GLOBAL_LOCK) {
            if (global == null) {
                global = builder().build();
            }
            return global;
        }
    }

    /**
     * Makes {@code orchestrator} the global one (the Spring Boot starter does this for the context's
     * orchestrator); {@code null} goes back to a default created on next use. The previous global is
     * not closed.
     *
     * @return the previous global orchestrator, or null if none had been created
     */
    public static TaskOrchestrator setGlobal(TaskOrchestrator orchestrator) {
        synchronized (GLOBAL_LOCK) {
            TaskOrchestrator previous = global;
            global = orchestrator;
            return previous;
        }
    }

    // ---- entry points ---------------------------------------------------------------------------

    /** A builder for tasks of this orchestrator producing {@code type}. */
    public <T> SpawningTaskBuilder<T> to(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return new SpawningTaskBuilder<>(this, TaskSpec.empty());
    }

    /** A builder for tasks of this orchestrator; the value type is inferred. */
    public <T> SpawningTaskBuilder<T> to() {
        return new SpawningTaskBuilder<>(this, TaskSpec.empty());
    }

    /** A builder for streaming pipelines of this orchestrator whose events are {@code type}. */
    public <E> io.sweetasync.emit.EmittingTaskBuilder<E> emits(Class<E> type) {
        Objects.requireNonNull(type, "type");
        return io.sweetasync.emit.EmittingTaskBuilder.on(this);
    }

    /** A builder for streaming pipelines of this orchestrator; the event type is inferred. */
    public <E> io.sweetasync.emit.EmittingTaskBuilder<E> emits() {
        return io.sweetasync.emit.EmittingTaskBuilder.on(this);
    }

    // ---- queries --------------------------------------------------------------------------------

    /** The task with this id, with its subtree, if it is live or among the recent finished roots. */
    public Optional<TaskInfo> find(TaskId id) {
        TaskNode<?> node = inLiveTrees(id);
        if (node != null) {
            return Optional.of(node.tree(Integer.MAX_VALUE));
        }
        historyLock.lock();
        try {
            for (TaskInfo root : history) {
                TaskInfo found = findIn(root, id);
                if (found != null) {
                    return Optional.of(found);
                }
            }
        }
        finally {
            historyLock.unlock();
        }
        if (storeSync != null) {
            try {
                return storeSync.store().find(id).map(StoredTasks::info);
            }
            catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "task store failed reading task " + id, ex);
            }
        }
        return Optional.empty();
    }

    /**
     * Stored records of finished and live tasks matching {@code query}, newest first (flat snapshots);
     * empty without a store.
     *
     * <pre>{@code
     * orchestrator.stored(new TaskQuery("FAILED", "send-invoice", null, 0, 20));
     * }</pre>
     */
    public List<TaskInfo> stored(io.sweetasync.spi.TaskQuery query) {
        Objects.requireNonNull(query, "query");
        return storeSync == null ? List.of() : storeSync.store().query(query).stream().map(StoredTasks::info).toList();
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
        return durables.storedResult(id, type);
    }

    /**
     * Registers a durable task handler after the orchestrator was built (the Spring starter registers
     * {@code @AsyncTask(durable = true)} methods this way); see {@link Builder#handler}.
     *
     * @throws IllegalStateException if a handler of that name is registered already
     */
    public <A> void handler(String name, Class<A> type, TaskHandler<A, ?> handler) {
        durables.register(name, type, handler);
    }

    /** How the task store keeps up, if there is one: member, incarnation, records written, failures, drops. */
    public Optional<StoreStatistics> storeStatistics() {
        StoreSync sync = storeSync;
        return sync == null ? Optional.empty() : Optional.of(new StoreStatistics(sync.member(), sync.incarnation(),
                sync.pending(), sync.written(), sync.failedWrites(), sync.dropped()));
    }

    /** Writes the pending task records now and waits; false if the store failed (it is retried later). */
    public boolean flushStore() {
        return storeSync == null || storeSync.flushNow();
    }

    StoreSync storeSync() {
        return storeSync;
    }

    StoreSettings storeSettings() {
        return storeSettings;
    }

    Durables durables() {
        return durables;
    }

    ClusterPlacement placement() {
        return placement;
    }

    /** The snapshot with this id in {@code top}'s tree; a walk with an explicit stack, however deep. */
    private static TaskInfo findIn(TaskInfo top, TaskId id) {
        ArrayDeque<TaskInfo> pending = new ArrayDeque<>();
        pending.push(top);
        while (!pending.isEmpty()) {
            TaskInfo info = pending.pop();
            if (info.id().equals(id)) {
                return info;
            }
            info.children().forEach(pending::push);
        }
        return null;
    }

    /**
     * The node with this id in a live root's tree (finished children of live roots included): a lookup
     * by id for roots, a walk of the live trees for children (descendants have greater ids than their
     * ancestors, so only matching branches are walked).
     */
    private TaskNode<?> inLiveTrees(TaskId id) {
        TaskNode<?> root = liveRoots.get(id);
        if (root != null) {
            return root;
        }
        ArrayDeque<TaskNode<?>> pending = new ArrayDeque<>();
        for (TaskNode<?> candidate : liveRoots.values()) {
            if (candidate.id().compareTo(id) < 0) {
                pending.push(candidate);
            }
        }
        while (!pending.isEmpty()) {
            for (TaskNode<?> child : pending.pop().childNodes()) {
                int order = child.id().compareTo(id);
                if (order == 0) {
                    return child;
                }
                if (order < 0) {
                    pending.push(child);
                }
            }
        }
        return null;
    }

    /** Every live (not terminal) task, roots and children; a terminal node's subtree is all terminal. */
    private void forEachLive(Consumer<TaskNode<?>> action) {
        ArrayDeque<TaskNode<?>> pending = new ArrayDeque<>(liveRoots.values());
        while (!pending.isEmpty()) {
            TaskNode<?> node = pending.pop();
            if (!node.isDone()) {
                action.accept(node);
                pending.addAll(node.childNodes());
            }
        }
    }

    /** Live root tasks with their subtrees, oldest first. */
    public List<TaskInfo> roots() {
        return liveRoots.values().stream()
                .sorted(Comparator.comparing(TaskNode::id))
                .map(node -> node.tree(Integer.MAX_VALUE))
                .toList();
    }

    /** Flat snapshots (no children) of every live task, roots and children, oldest first; walks the live trees. */
    public List<TaskInfo> liveTasks() {
        List<TaskNode<?>> nodes = new ArrayList<>();
        forEachLive(nodes::add);
        return nodes.stream().sorted(Comparator.comparing(TaskNode::id)).map(TaskNode::info).toList();
    }

    /** Snapshots of the most recently finished roots, newest first (at most {@code historySize}). */
    public List<TaskInfo> recent() {
        historyLock.lock();
        try {
            List<TaskInfo> newestFirst = new ArrayList<>(history);
            java.util.Collections.reverse(newestFirst);
            return newestFirst;
        }
        finally {
            historyLock.unlock();
        }
    }

    /** Number of live tasks waiting for a runtime slot or a permit ({@code QUEUED}); walks the live trees. */
    public int queuedCount() {
        int[] queued = new int[1];
        forEachLive(node -> {
            if (node.status() == TaskStatus.QUEUED) {
                queued[0]++;
            }
        });
        return queued[0];
    }

    /**
     * Number of live (not yet terminal) tasks, roots and children: a striped counter, exact once the
     * tasks being created or finishing at that moment have settled.
     */
    public int liveCount() {
        return (int) liveNodes.sum();
    }

    /** Snapshots of every concurrency group's limiter, by group name. */
    public List<LimiterSnapshot> limiters() {
        return limiters.values().stream().map(ConcurrencyLimiter::snapshot)
                .sorted(Comparator.comparing(LimiterSnapshot::group)).toList();
    }

    /**
     * The limiter of a group, created with the default group configuration if the group was not
     * configured (so {@code group("x")} always means admission through a limiter).
     */
    public ConcurrencyLimiter limiter(String group) {
        Objects.requireNonNull(group, "group");
        return limiters.computeIfAbsent(group,
                name -> new ConcurrencyLimiter(name, groupConfigs.getOrDefault(name, defaultGroupConfig), clock));
    }

    /** How this orchestrator obtains resource figures. */
    public ResourceTracking resourceTracking() {
        return resourceTracking;
    }

    /** Resource totals per task name, by name. */
    public List<ResourceUsage> resourceUsage() {
        return usage.entrySet().stream().map(entry -> entry.getValue().snapshot(entry.getKey()))
                .sorted(Comparator.comparing(ResourceUsage::name)).toList();
    }

    /** The registered runtimes by name. */
    public Map<String, TaskRuntime> runtimes() {
        return runtimes;
    }

    /**
     * Cancels a live task and its subtree.
     *
     * @return whether this call requested the cancellation (false if the task is unknown, finished or
     *         already stopping)
     */
    public boolean cancel(TaskId id) {
        TaskNode<?> node = inLiveTrees(id);
        return node != null && node.stop(TaskNode.StopKind.CANCEL, "cancelled through the orchestrator");
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
     * for their bodies to return.
     *
     * @return whether everything finished within {@code grace}, without being cancelled
     */
    public boolean shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace must not be negative, was " + grace);
        }
        accepting = false;
        if (awaitDrained(grace)) {
            return true;
        }
        cancellingAll = true; // before the sweep: a body queued anywhere in a live tree must not start now
        List<TaskNode<?>> rest = List.copyOf(liveRoots.values());
        for (TaskNode<?> root : rest) {
            root.stop(TaskNode.StopKind.CANCEL, "the orchestrator shut down before it finished");
        }
        if (!awaitDrained(AFTER_CANCEL_WAIT)) {
            LOG.log(Level.WARNING, "{0} task(s) still running after shutdown cancelled them (bodies ignoring interrupts?): {1}",
                    liveCount(), liveTasks().stream().limit(10).map(TaskInfo::path).toList());
        }
        return false;
    }

    private boolean awaitDrained(Duration timeout) {
        long left = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
        drainLock.lock();
        try {
            while (!liveRoots.isEmpty()) {
                if (left <= 0) {
                    return false;
                }
                left = drained.awaitNanos(left);
            }
            return true;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return liveRoots.isEmpty();
        }
        finally {
            drainLock.unlock();
        }
    }

    /** Whether {@link #shutdown} has begun (a cancellation now may be the shutdown's, not a user's). */
    boolean isShuttingDown() {
        return !accepting;
    }

    /** Whether shutdown's grace has passed: queued bodies are cancelled instead of started. */
    boolean isCancellingAll() {
        return cancellingAll;
    }

    /**
     * Snapshots of tasks that ended (timed out, or under a timed-out ancestor) while their bodies still
     * run, ignoring their interrupts: each holds a thread, and its group permit, until its body returns.
     */
    public List<TaskInfo> runaways() {
        return runaways.stream().filter(TaskNode::isRunaway).sorted(Comparator.comparing(TaskNode::id))
                .map(TaskNode::info).toList();
    }

    /** Number of runaway bodies now (see {@link #runaways()}). */
    public int runawayCount() {
        return runaways.size();
    }

    /** Called just before a task whose body still runs is ended at its deadline. */
    boolean runawayStarting(TaskNode<?> node) {
        return runaways.add(node);
    }

    /**
     * Called once that task has ended: warns, unless its body returned meanwhile, and has a pooled
     * runtime whose thread the body holds run one more body meanwhile ({@link PooledRuntime#threadStuck}).
     * Exactly one {@code threadFreed} follows each {@code threadStuck}: whoever removes the node from
     * {@link #stuckThreads} frees it — the body's return, or this method if the body returned meanwhile.
     */
    void runawayStarted(TaskNode<?> node) {
        if (!node.isRunaway()) {
            runaways.remove(node); // its body returned meanwhile
            return;
        }
        PooledRuntime pool = node.carrierPool();
        if (pool != null && stuckThreads.putIfAbsent(node, pool) == null) {
            pool.threadStuck();
            if (!node.isRunaway() && stuckThreads.remove(node, pool)) {
                pool.threadFreed(); // returned between the check above and the count
            }
        }
        LOG.log(Level.WARNING, "task {0} ended but its body still runs on its thread, ignoring the interrupt "
                + "(a blocking call the JDK cannot interrupt, or a loop that never checks): it keeps its thread "
                + "and group permit until it returns", node.path());
    }

    /** Called when a runaway's body has returned. */
    void runawayReturned(TaskNode<?> node) {
        runaways.remove(node);
        PooledRuntime pool = stuckThreads.remove(node);
        if (pool != null) {
            pool.threadFreed();
        }
    }

    /** Whether new root tasks are admitted. */
    public boolean isAccepting() {
        return accepting;
    }

    /**
     * Cancels everything still running ({@link #shutdown(Duration)} with no grace; call that first for
     * a graceful stop), stops the runtimes' threads and the timer, and waits for them. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdown(Duration.ZERO);
        try {
            for (TaskRuntime runtime : runtimes.values()) {
                if (!runtime.close(TimeUnit.SECONDS.toMillis(10))) {
                    LOG.log(Level.WARNING, "runtime {0} did not stop within 10 seconds", runtime.name());
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (storeSync != null) {
            storeSync.close();
        }
        if (cluster != null) {
            cluster.detach();
        }
        if (ownedClock != null) {
            ownedClock.close();
        }
        if (attribution != null) {
            attribution.close();
        }
        synchronized (GLOBAL_LOCK) {
            if (global == this) {
                global = null;
            }
        }
    }

    // ---- engine ---------------------------------------------------------------------------------

    TaskClock clock() {
        return clock;
    }

    /** An instant and the monotonic time it was read at; instants are derived from nanoTime near it. */
    private record Anchor(Instant instant, long nanos) {
    }

    private static final long REANCHOR_NANOS = 1_000_000_000L;
    private volatile Anchor anchor;

    /**
     * The wall-clock instant of monotonic time {@code nanos}: reading the wall clock for every task event
     * costs far more than the monotonic clock, so instants are derived from an anchor renewed every second.
     */
    Instant instantAt(long nanos) {
        Anchor current = anchor;
        if (current == null || nanos - current.nanos() > REANCHOR_NANOS || nanos < current.nanos()) {
            current = new Anchor(clock.now(), clock.nanoTime());
            anchor = current;
        }
        return current.instant().plusNanos(nanos - current.nanos());
    }

    /** The JFR attribution, null unless sampling is on and JFR available. */
    ResourceAttribution attribution() {
        return attribution;
    }

    private static final int MAX_USAGE_NAMES = 1000;

    /** The totals of a task name; names beyond the first 1000 share one bucket, so memory stays bounded. */
    UsageTotals usage(String name) {
        UsageTotals totals = usage.get(name);
        if (totals != null) {
            return totals;
        }
        String key = usage.size() >= MAX_USAGE_NAMES ? "(other)" : name;
        return usage.computeIfAbsent(key, ignored -> new UsageTotals());
    }

    /** Running totals of one task name. */
    static final class UsageTotals {
        private final java.util.concurrent.atomic.LongAdder attempts = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder[] figures = {
                new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder(),
                new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder() };

        void attempt() {
            attempts.increment();
        }

        void addMeasured(long cpu, long allocated) {
            if (cpu > 0) {
                figures[0].add(cpu);
            }
            if (allocated > 0) {
                figures[1].add(allocated);
            }
        }

        void addSampled(TaskNode.Resource resource, long amount) {
            figures[resource.ordinal()].add(amount);
        }

        ResourceUsage snapshot(String name) {
            return new ResourceUsage(name, attempts.sum(), figures[0].sum(), figures[1].sum(), figures[2].sum(),
                    figures[3].sum());
        }
    }

    TaskRuntime runtime(String name) {
        Objects.requireNonNull(name, "runtime");
        TaskRuntime runtime = runtimes.get(name);
        if (runtime == null) {
            throw new IllegalArgumentException("unknown runtime '" + name + "'; registered runtimes: "
                    + String.join(", ", new java.util.TreeSet<>(runtimes.keySet())));
        }
        return runtime;
    }

    <T> SpawningTask<T> spawn(TaskSpec<T> spec, Callable<? extends T> work) {
        TaskNode<T> node = create(spec, work, DERIVED_NAMES.get(work.getClass()));
        List<TaskNode<?>> after = spec.after();
        if (after.isEmpty()) {
            node.submit();
        }
        else {
            AtomicInteger waiting = new AtomicInteger(after.size());
            for (TaskNode<?> dependency : after) {
                dependency.whenTerminal(() -> {
                    if (!(dependency.resultNow0() instanceof TaskResult.Ok)) {
                        node.stop(TaskNode.StopKind.CANCEL, "its dependency " + dependency.label() + " "
                                + describeEnd(dependency.status()));
                    }
                    else if (waiting.decrementAndGet() == 0) {
                        node.submit();
                    }
                });
            }
        }
        return node;
    }

    <T, U> SpawningTask<U> chain(TaskNode<T> upstream, Function<? super T, ? extends U> next) {
        Objects.requireNonNull(next, "next");
        TaskSpec<U> spec = TaskSpec.<U>empty().withPriority(upstream.priority()).withRuntime(upstream.runtimeRef().name());
        TaskNode<U> node = create(spec, () -> next.apply(upstream.valueNow()), DERIVED_NAMES.get(next.getClass()));
        upstream.whenTerminal(() -> {
            if (upstream.resultNow0() instanceof TaskResult.Err<T>(AsyncTaskException error)) {
                node.stop(new TaskNode.Stop(TaskNode.StopKind.PASS_THROUGH, error.getMessage(), upstream, error));
            }
            else {
                node.submit();
            }
        });
        return node;
    }

    /** A durable task's node: created, tracked and registered, but not submitted. */
    <T> TaskNode<T> createDurable(TaskSpec<T> spec, Callable<? extends T> work, TaskId givenId, int priorAttempts) {
        return create(spec, work, "durable", givenId, priorAttempts, true);
    }

    private <T> TaskNode<T> create(TaskSpec<T> spec, Callable<? extends T> work, String derivedName) {
        return create(spec, work, derivedName, null, 0, false);
    }

    private <T> TaskNode<T> create(TaskSpec<T> spec, Callable<? extends T> work, String derivedName, TaskId givenId,
            int priorAttempts, boolean durable) {
        TaskNode<?> parent = spec.parent();
        if (parent == null && !spec.detached()) {
            TaskNode<?> current = Carrier.currentTask();
            parent = current != null && current.orchestrator() == this ? current : null;
        }
        TaskRuntime runtime = spec.runtime() != null ? runtime(spec.runtime())
                : parent != null ? parent.runtimeRef() : defaultRuntime;
        TaskPriority priority = spec.priority() != null ? spec.priority()
                : parent != null ? parent.priority() : TaskPriority.NORMAL;
        TaskNode<T> node = new TaskNode<>(this, givenId != null ? givenId : TaskId.of(incarnation, ids.incrementAndGet()),
                spec.name() != null ? spec.name() : derivedName, parent, priority, runtime, spec.group(),
                spec.group() == null ? null : limiter(spec.group()), spec.tags(),
                spec.timeout() != null ? spec.timeout() : defaultTimeout,
                spec.retry() != null ? spec.retry() : defaultRetry, spec.fallback(),
                spec.after().isEmpty() ? List.of() : spec.after().stream().map(TaskNode::id).toList(), work);
        if (durable) {
            node.markDurable(priorAttempts);
        }
        // Registered before it can finish, so that finishing always removes it.
        liveNodes.increment();
        if (parent == null) {
            liveRoots.put(node.id(), node);
        }
        boolean parentStopping = false;
        if (parent != null) {
            try {
                parentStopping = parent.addChild(node);
            }
            catch (IllegalStateException ex) {
                liveNodes.decrement();
                throw ex;
            }
        }
        node.capture(propagators);
        if (storeSync != null && !durable) {
            storeSync.track(node); // a durable task is tracked once its start gate lets it start
        }
        notify(node, TaskListener::onCreated);
        if (parentStopping) {
            node.stop(TaskNode.StopKind.CANCEL, parent.stopReasonForChildren());
        }
        else if (parent == null && !accepting) {
            node.reject(RejectionReason.SHUTDOWN, "the orchestrator is shutting down");
        }
        return node;
    }

    private static String describeEnd(TaskStatus status) {
        return switch (status) {
            case CANCELLED -> "was cancelled";
            case TIMED_OUT -> "timed out";
            default -> "failed";
        };
    }

    /** Called by a node once its status is terminal, before its waiters are released. */
    void finished(TaskNode<?> node) {
        // The listeners' snapshot comes first: the history's is then at least as final, and sampled
        // figures pending in the former are announced (renewing the latter) once they are final.
        TaskInfo info = listeners.isEmpty() ? null : node.info();
        boolean resourcesPending = info == null ? node.resourcesPending() : hasPending(info.metrics());
        liveNodes.decrement();
        if (node.parentNode() == null) {
            liveRoots.remove(node.id());
        }
        if (node.parentNode() == null && historySize > 0) {
            TaskInfo snapshot = node.tree(HISTORY_CHILD_LIMIT);
            historyLock.lock();
            try {
                if (history.size() == historySize) {
                    history.removeFirst();
                }
                history.addLast(snapshot);
            }
            finally {
                historyLock.unlock();
            }
        }
        if (info != null) {
            each(listener -> listener.onFinished(info));
        }
        if (resourcesPending && node.announceResourcesWhenFinal()) {
            attribution.announce(node);
        }
        if (!accepting) {
            drainLock.lock();
            try {
                drained.signalAll();
            }
            finally {
                drainLock.unlock();
            }
        }
    }

    private static boolean hasPending(TaskMetrics metrics) {
        return metrics.cpuTimeNanos().isPending() || metrics.allocatedBytes().isPending()
                || metrics.bytesRead().isPending() || metrics.bytesWritten().isPending();
    }

    /**
     * Finished tasks whose sampled figures were pending when they finished and are final now: tells the
     * listeners, renews the history snapshots that show them and has their stored records written again. Called one batch at a time, on a thread
     * of the attribution's (never a task's, nor the JFR stream's).
     */
    private void resourcesFinal(List<TaskNode<?>> nodes) {
        if (!listeners.isEmpty()) {
            for (TaskNode<?> node : nodes) {
                TaskInfo info = node.info();
                each(listener -> listener.onResourcesUpdated(info));
            }
        }
        StoreSync sync = storeSync;
        if (sync != null) {
            nodes.forEach(sync::figuresFinal);
        }
        if (historySize > 0) {
            Map<TaskId, TaskNode<?>> roots = new HashMap<>();
            nodes.forEach(node -> roots.put(node.rootNode().id(), node.rootNode()));
            renewHistory(roots);
        }
    }

    private void renewHistory(Map<TaskId, TaskNode<?>> roots) {
        List<TaskId> shown = new ArrayList<>();
        historyLock.lock();
        try {
            history.forEach(entry -> {
                if (roots.containsKey(entry.id())) {
                    shown.add(entry.id());
                }
            });
        }
        finally {
            historyLock.unlock();
        }
        if (shown.isEmpty()) {
            return;
        }
        Map<TaskId, TaskInfo> renewed = new HashMap<>();
        shown.forEach(id -> renewed.put(id, roots.get(id).tree(HISTORY_CHILD_LIMIT)));
        historyLock.lock();
        try {
            List<TaskInfo> entries = new ArrayList<>(history);
            history.clear();
            entries.forEach(entry -> history.addLast(renewed.getOrDefault(entry.id(), entry)));
        }
        finally {
            historyLock.unlock();
        }
    }

    void notifyQueued(TaskNode<?> node) {
        notify(node, TaskListener::onQueued);
    }

    void notifyStarted(TaskNode<?> node) {
        notify(node, TaskListener::onStarted);
    }

    void notifyRetrying(TaskNode<?> node, Throwable error, Duration delay) {
        if (!listeners.isEmpty()) {
            TaskInfo info = node.info();
            each(listener -> listener.onRetrying(info, error, delay));
        }
    }

    private void notify(TaskNode<?> node, java.util.function.BiConsumer<TaskListener, TaskInfo> event) {
        if (!listeners.isEmpty()) {
            TaskInfo info = node.info();
            each(listener -> event.accept(listener, info));
        }
    }

    void warn(String message, Throwable error) {
        LOG.log(Level.WARNING, message, error);
    }

    private void each(Consumer<TaskListener> call) {
        for (TaskListener listener : listeners) {
            try {
                call.accept(listener);
            }
            catch (Throwable t) {
                LOG.log(Level.WARNING, "task listener " + listener.getClass().getName() + " threw; ignored", t);
            }
        }
    }

    /** The simple name of the class that declares a lambda, or of the class itself; "task" if none. */
    static String deriveName(Class<?> type) {
        String name = type.getName();
        int lambda = name.indexOf("$$Lambda");
        if (lambda >= 0) {
            name = name.substring(0, lambda);
        }
        name = name.substring(name.lastIndexOf('.') + 1);
        int anonymous = name.indexOf('$');
        while (anonymous >= 0 && anonymous + 1 < name.length() && Character.isDigit(name.charAt(anonymous + 1))) {
            name = name.substring(0, anonymous);
            anonymous = name.indexOf('$');
        }
        name = name.replace('$', '.');
        return name.isEmpty() ? "task" : name;
    }

    /** Configures a {@link TaskOrchestrator}. Not thread-safe; build once. */
    public static final class Builder {

        private final Map<String, TaskRuntime> runtimes = new LinkedHashMap<>();
        private final List<TaskListener> listeners = new ArrayList<>();
        private final List<io.sweetasync.spi.ContextPropagator> propagators = new ArrayList<>();
        private String defaultRuntime = "virtual";
        private TaskClock clock;
        private Duration defaultTimeout;
        private RetryPolicy defaultRetry = RetryPolicy.none();
        private int historySize = 100;
        private ResourceTracking resourceTracking = ResourceTracking.MEASURE;
        private LimiterConfig defaultGroupConfig = LimiterConfig.defaults();
        private final Map<String, LimiterConfig> groups = new LinkedHashMap<>();
        private io.sweetasync.spi.TaskStore store;
        private String member;
        private Duration storeLease = StoreSettings.DEFAULT_LEASE;
        private Duration storeFlushInterval = StoreSettings.DEFAULT_FLUSH;
        private Duration storeRetention = StoreSettings.DEFAULT_RETENTION;
        private int storeMaxTracked = StoreSettings.DEFAULT_MAX_TRACKED;
        private int maxResultSize = StoreSettings.DEFAULT_MAX_RESULT;
        private io.sweetasync.spi.DurableCodec durableCodec;
        private io.sweetasync.spi.DurableStartGate durableStartGate = (start, abandon) -> start.run();
        private final List<Durables.Registration<?>> handlers = new ArrayList<>();
        private TaskCluster cluster;

        private Builder() {
        }

        /**
         * Makes this orchestrator a member of {@code cluster}: tasks built with
         * {@link SpawningTaskBuilder#anywhere()} run on the least loaded member, and the cluster's views and
         * cancellation cover this member's tasks. Without a store, ids take their incarnation from the
         * cluster, so they are unique across its live members. Every member registers the same handlers.
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
        public Builder store(io.sweetasync.spi.TaskStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** This process's name among the members sharing a store; host name and process id by default. */
        public Builder member(String name) {
            this.member = Objects.requireNonNull(name, "member");
            return this;
        }

        /**
         * How long this process counts as alive without renewing its lease in the store (renewed every
         * third); 30 s by default, 1 s to 1 day. Tasks of a process whose lease expired are marked lost,
         * and its durable tasks run again elsewhere.
         */
        public Builder storeLease(Duration lease) {
            this.storeLease = Objects.requireNonNull(lease, "storeLease");
            return this;
        }

        /** How often task records are written; 1 s by default (a terminal status is stored within it). */
        public Builder storeFlushInterval(Duration interval) {
            this.storeFlushInterval = Objects.requireNonNull(interval, "storeFlushInterval");
            return this;
        }

        /** How long finished task records are kept; 7 days by default. */
        public Builder storeRetention(Duration retention) {
            this.storeRetention = Objects.requireNonNull(retention, "storeRetention");
            return this;
        }

        /** How many tasks may wait to be written (while the store is slow or down); 10,000 by default. */
        public Builder storeMaxPending(int tasks) {
            this.storeMaxTracked = tasks;
            return this;
        }

        /** The largest encoded durable result kept, in characters; 64 KiB by default. */
        public Builder maxResultSize(int characters) {
            this.maxResultSize = characters;
            return this;
        }

        /** Encodes durable task arguments and results (needed for durable tasks). */
        public Builder durableCodec(io.sweetasync.spi.DurableCodec codec) {
            this.durableCodec = Objects.requireNonNull(codec, "durableCodec");
            return this;
        }

        /** When a stored durable task starts; at once by default (the Spring starter: after commit). */
        public Builder durableStartGate(io.sweetasync.spi.DurableStartGate gate) {
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
         */
        public <A> Builder handler(String name, Class<A> type, TaskHandler<A, ?> handler) {
            Durables.checkName(name);
            handlers.add(new Durables.Registration<>(name, Objects.requireNonNull(type, "type"),
                    Objects.requireNonNull(handler, "handler")));
            return this;
        }

        /** Configures a concurrency group (see {@link io.sweetasync.limit.ConcurrencyLimiter}). */
        public Builder group(String name, LimiterConfig config) {
            Objects.requireNonNull(name, "group name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("group name must not be blank");
            }
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
         * replaces the built-in one (e.g. {@code TaskRuntime.platform("platform", 16)}).
         */
        public Builder runtime(TaskRuntime runtime) {
            Objects.requireNonNull(runtime, "runtime");
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
        public Builder contextPropagator(io.sweetasync.spi.ContextPropagator propagator) {
            propagators.add(Objects.requireNonNull(propagator, "propagator"));
            return this;
        }

        /** Adds a listener (see {@link TaskListener}). */
        public Builder listener(TaskListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public TaskOrchestrator build() {
            return new TaskOrchestrator(this);
        }
    }
}
