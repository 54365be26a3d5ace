package io.sweetasync;

import io.sweetasync.spi.TaskClock;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The engine's side of one orchestrator: its package-private parts, made in dependency order from what its
 * builder was told, started, and closed in order, and what the engine's classes reach through {@link
 * TaskOrchestrator#parts()} (making, finishing and announcing tasks, the clock, the store and the cluster);
 * {@link TaskOrchestrator} keeps the public methods and reads the parts here.
 *
 * <p>Invariants: every field is final and every part thread-safe, so the parts are fixed once made. Nothing
 * that calls back into the orchestrator runs while they are made: the store's thread starts and the cluster
 * attaches in {@link #start}, which the orchestrator calls once it holds these parts. A failed make or start
 * leaves no thread of its own running (the sampler, the timer). The parts are closed once, by the one close
 * that {@link Shutdown#beginClose} lets through: the tasks end first, then the threads that run and time them
 * stop, then the store and the cluster, the timer and the JFR attribution.
 */
final class OrchestratorParts {

    private static final System.Logger LOG = System.getLogger(TaskOrchestrator.class.getName());
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    final Runtimes runtimes;
    private final TaskClock clock;
    private final SystemClock ownedClock;
    final LimiterGroups groups;
    final LiveTasks live = new LiveTasks();
    /** How long close() waits for the ends of tasks its clock bounds ({@link #endWhatTheClockBounds}). */
    private static final Duration CLOCK_BOUND_ENDS_WAIT = Duration.ofSeconds(2);
    final TaskFactory factory;
    final TaskListeners listeners = new TaskListeners();
    final TaskHistory history;
    final ResourceTracking resourceTracking;
    private final ResourceAttribution attribution;
    /** Announces figures that became final after their task finished; null when tracking is off. */
    private final FigureUpdates figureUpdates;
    final UsageByName usage = new UsageByName();
    private final WallClockAnchor wallClock;
    private final FinishedTasks finishedTasks;
    final StoreAndCluster outside;
    final Shutdown shutdown = new Shutdown(live);
    /** Tasks that ended while their bodies still run (see {@link TaskInfo#runaway()}). */
    final Runaways runaways = new Runaways();

    OrchestratorParts(TaskOrchestrator orchestrator, OrchestratorSettingsBuilder builder) {
        int instance = INSTANCES.incrementAndGet();
        this.runtimes = new Runtimes(builder.runtimes, builder.defaultRuntime);
        this.ownedClock = builder.clock == null ? new SystemClock("sweet-async-timer-" + instance) : null;
        this.clock = builder.clock == null ? ownedClock : builder.clock;
        this.groups = new LimiterGroups(builder.groups, builder.defaultGroupConfig, clock);
        this.wallClock = new WallClockAnchor(clock);
        this.history = new TaskHistory(builder.historySize);
        this.listeners.addAll(builder.listeners);
        this.finishedTasks = new FinishedTasks(orchestrator, live, history, listeners);
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
            this.outside = new StoreAndCluster(orchestrator, storeSettings, builder.store, builder.durableCodec,
                    builder.durableStartGate, builder.handlers, builder.cluster);
            this.factory = new TaskFactory(orchestrator, runtimes.defaultRuntime(), builder.defaultTimeout,
                    builder.defaultRetry, outside.incarnation(), live, listeners, List.copyOf(builder.propagators),
                    outside.storeSync());
        }
        catch (Throwable ex) { // a user's store or cluster: a checked exception its language does not declare too
            closeAfterFailedBuild();
            throw ex;
        }
    }

    /** Starts what calls back into the orchestrator (the store's thread, the cluster); once, after it holds these. */
    void start() {
        try {
            outside.start();
        }
        catch (Throwable ex) { // a user's store or cluster: a checked exception its language does not declare too
            closeAfterFailedBuild();
            throw ex;
        }
    }

    private void closeAfterFailedBuild() {
        // A failed build (a store out of reach, a handler name given twice) leaves no sampler or timer running:
        // nobody holds this orchestrator to close it, and a start-up may try again and again.
        closeTimerAndAttribution();
    }

    /** Stops the timer this orchestrator owns and the JFR attribution, if there are. */
    private void closeTimerAndAttribution() {
        if (ownedClock != null) {
            ownedClock.close();
        }
        if (attribution != null) {
            attribution.close();
        }
    }

    /**
     * See {@link TaskOrchestrator#close()}: the one call that {@link Shutdown#beginClose} lets through closes the
     * parts; another waits until it has, but one made by a task's own code, or on the closing call's own thread,
     * returns at once.
     */
    void close(TaskOrchestrator orchestrator) {
        if (!shutdown.beginClose()) {
            if (!runsOwnTaskCodeHere(orchestrator)) {
                shutdown.awaitCloseEnded();
            }
            return;
        }
        try {
            // The tasks end first (Shutdown), then the runtimes' threads stop, then the store and cluster, the
            // timer and the JFR attribution, in that order.
            // Bodies that ignored the cancel's interrupt for 5 s (now or at an earlier shutdown), and runaways,
            // hold their threads: the runtimes are told to stop, not waited for (warnings named those tasks; their
            // threads end when they return).
            boolean bodiesReturned = shutdown.cancelAllForClose();
            if (!bodiesReturned && ownedClock != null) {
                endWhatTheClockBounds();
            }
            runtimes.close(bodiesReturned && runaways.count() == 0);
            outside.close();
            closeTimerAndAttribution();
            GlobalOrchestrator.closed(orchestrator);
        }
        finally {
            shutdown.closeEnded();
        }
    }

    /**
     * The live tasks whose end an action of the orchestrator's own clock bounds (a deadline, a stop's grace), once
     * close() gave up waiting for their bodies: closing the clock drops those actions, and the waiters of such a
     * task (an 8 s timeout, a body that ignores its interrupt) waited past its deadline, until the body returned.
     * Ended now as those actions would have ({@link TaskDeadline#endBeforeTheClockCloses}), on a thread of their
     * own (their listeners run there), waited for {@link #CLOCK_BOUND_ENDS_WAIT} at most.
     */
    private void endWhatTheClockBounds() {
        Thread ending = Thread.ofPlatform().name("sweet-async-close-deadlines").daemon(true).start(() -> {
            for (TaskNode<?> node : live.allOldestFirst()) { // parents before their children: one forced end each
                node.endBeforeTheClockCloses();
            }
        });
        try {
            if (!ending.join(CLOCK_BOUND_ENDS_WAIT)) {
                LOG.log(Level.WARNING, "close(): the listeners or fallbacks of tasks ended at their deadlines still run");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the current thread runs a body, fallback or listener of a task of {@code orchestrator}. */
    private static boolean runsOwnTaskCodeHere(TaskOrchestrator orchestrator) {
        Carrier here = Carrier.currentOrNull();
        if (here == null) {
            return false;
        }
        TaskNode<?> body = here.top();
        TaskNode<?> ending = here.ending();
        return body != null && body.orchestrator() == orchestrator
                || ending != null && ending.orchestrator() == orchestrator;
    }

    /** Whether {@link TaskOrchestrator#close()} has begun. */
    boolean isClosed() {
        return shutdown.isClosed();
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

    /**
     * Schedules {@code action} {@code delay} from now on the orchestrator's own clock, whose time is real time and
     * whose actions run on threads of their own; null if it uses a clock of the user's (a manual clock's time
     * moves only when told) or its clock is closed.
     */
    TaskClock.Scheduled scheduleInRealTime(Duration delay, Runnable action) {
        if (ownedClock == null) {
            return null;
        }
        try {
            return ownedClock.schedule(delay, action);
        }
        catch (java.util.concurrent.RejectedExecutionException ex) {
            return null;
        }
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

    /** An {@code anywhere()} handle: QUEUED while {@code followed} has not begun (see {@link FollowedWork}). */
    <T> SpawningTask<T> spawnFollowing(TaskSpec<T> spec, Callable<? extends T> work, FollowedWork followed) {
        return factory.spawn(spec, work, followed);
    }

    <T, U> SpawningTask<U> chain(TaskNode<T> upstream, Function<? super T, ? extends U> next) {
        return factory.chain(upstream, next);
    }

    /**
     * A durable task's node: created, tracked and registered, but not submitted; {@code rerun}: it runs again a
     * stored invocation ({@link TaskFigures#markDurable}).
     */
    <T> TaskNode<T> createDurable(TaskSpec<T> spec, Callable<? extends T> work, TaskId givenId, int priorAttempts,
            boolean rerun) {
        return factory.create(spec, work, "durable", givenId, priorAttempts, rerun, true);
    }

    /** A placed durable task's mirror: as {@link #createDurable}, but no load of this member (it follows the run). */
    <T> TaskNode<T> createMirror(TaskSpec<T> spec, Callable<? extends T> work) {
        return factory.createMirror(spec, work);
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
}
