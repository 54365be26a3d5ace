package io.sweetasync;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.TaskClock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One task's state machine, its children's accounting, and the handle users hold ({@link SpawningTask}).
 * What the task is and has measured (identity, settings, times, figures, snapshots) is the layer below,
 * {@link TaskFacts}; its outcome and the waits on it are {@link TaskOutcome}; walks over its subtree are
 * {@link TaskTrees}; its captured context is {@link PropagatedContext}.
 *
 * <h2>State</h2>
 * Three independent pieces of state, each moved by compare-and-set:
 * <ul>
 * <li>{@link #stop}: {@code null} until the first stop request (cancel, timeout, rejection, failed
 * dependency, or an upstream failure passed through by {@code chain}); the first one wins and the
 * task's terminal status follows from it.</li>
 * <li>{@link #bodyState}: {@code IDLE} (not started, or between attempts) → {@code RUNNING} → back to
 * {@code IDLE} for a retry, or → {@code DONE}. Only the thread that moved it to {@code RUNNING} moves
 * it on from there; a stop request moves {@code IDLE} → {@code DONE} itself. Whoever moves it to
 * {@code DONE} releases the body's share of {@link #outstanding}, exactly once.</li>
 * <li>{@link #outstanding}: one share for the body, one held by the task's creator until the task is
 * fully registered ({@link #registered}: parent, context, store, {@code onCreated}; a stop that lands
 * meanwhile, e.g. the parent's, cannot end it half made), plus, once the body has ended, one per unfinished
 * child. While the body runs, children are not counted in it (the parent cannot finish then anyway),
 * so spawning and finishing a child touch no counter shared with the parent: a child then ends by
 * moving its own {@link #parentShare} {@code NONE} → {@code GONE}. When the body ends,
 * {@link #countChildren} (under {@link #outcome}'s monitor, with the body's share still held) adds a share for
 * every child, moves every still-{@code NONE} child to {@code COUNTED}, then gives back the shares of
 * the others: shares go in before any child can see itself counted, so a counted child that ends at
 * once never takes the count to zero early. A {@code COUNTED} child releases its share when it ends.
 * Each child's CAS from {@code NONE} decides exactly once which side accounts for it. A child
 * added after that is {@code COUNTED} at once, and only while {@code outstanding} is positive. The
 * thread that takes {@code outstanding} to zero calls {@link #finish()}, exactly once.</li>
 * </ul>
 * {@link #status} only moves forward ({@link #advance}); {@link #finish()} alone sets the terminal
 * status, then records history, notifies listeners, completes {@link #outcome}, and finally releases
 * the parent's share, so a parent is never terminal before its children.
 *
 * <h2>Happens-before</h2>
 * The body's value or failure is written before the body's share is released (a volatile
 * read-modify-write of {@code outstanding}), and read by {@code finish()} after its own decrement
 * reached zero; waiters read the result through {@link #outcome}.
 *
 * <h2>Stop versus child registration</h2>
 * {@link #stop} is set before the children list is read under {@link #outcome}'s monitor; a child is added
 * under that lock before {@code stop} is read. So a child added concurrently with a stop is cancelled
 * by one side or the other.
 */
final class TaskNode<T> extends TaskFacts<T> implements SpawningTask<T> {

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;

    private static final VarHandle STATUS;
    private static final VarHandle STOP;
    private static final VarHandle BODY_STATE;
    private static final VarHandle OUTSTANDING;
    private static final VarHandle PARENT_SHARE;
    private static final VarHandle FINISHED;
    private static final int SHARE_NONE = 0;
    private static final int SHARE_COUNTED = 1;
    private static final int SHARE_GONE = 2;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATUS = lookup.findVarHandle(TaskNode.class, "status", TaskStatus.class);
            STOP = lookup.findVarHandle(TaskNode.class, "stop", Stop.class);
            BODY_STATE = lookup.findVarHandle(TaskNode.class, "bodyState", int.class);
            OUTSTANDING = lookup.findVarHandle(TaskNode.class, "outstanding", int.class);
            PARENT_SHARE = lookup.findVarHandle(TaskNode.class, "parentShare", int.class);
            FINISHED = lookup.findVarHandle(TaskNode.class, "finished", int.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Why a task was stopped before its body could decide its outcome. */
    enum StopKind {
        CANCEL(TaskStatus.CANCELLED), TIMEOUT(TaskStatus.TIMED_OUT), REJECT(TaskStatus.FAILED), PASS_THROUGH(null),
        /** The member it was placed on left the cluster: {@link TaskLostException}. */
        LOST(TaskStatus.FAILED);

        final TaskStatus status;

        StopKind(TaskStatus status) {
            this.status = status;
        }
    }

    /** A stop request; {@code rejection} says why for {@link StopKind#REJECT}, null otherwise. */
    record Stop(StopKind kind, String reason, TaskNode<?> upstream, AsyncTaskException passed,
            RejectionReason rejection) {

        Stop(StopKind kind, String reason, TaskNode<?> upstream, AsyncTaskException passed) {
            this(kind, reason, upstream, passed, null);
        }
    }

    /**
     * Put into {@link #stop} by {@link #finish()} when no stop request came first: from then on no stop
     * request can land, so the terminal status decided from {@code stop} is the one every caller sees.
     */
    private static final Stop SEALED = new Stop(null, "finished", null, null);
    /** How long a timed-out body has to return after its interrupt before its waiters are released without it. */
    static final Duration RUNAWAY_GRACE = Duration.ofMillis(100);

    private final TaskOutcome<T> outcome = new TaskOutcome<>();

    /** Cleared once the body is done, so that finished tasks retain nothing of the user's. */
    private volatile Callable<? extends T> work;
    private volatile TaskStatus status = TaskStatus.PENDING;
    private volatile Stop stop;
    private volatile int bodyState = IDLE;
    private volatile int outstanding = 2;
    /** 0 until {@link #finish()} runs (once: the normal path and a runaway's forced end race for it). */
    private volatile int finished;
    /** This task's share in its parent's count: {@code SHARE_NONE}, {@code SHARE_COUNTED} or {@code SHARE_GONE}. */
    private volatile int parentShare;
    /** Set under outcome's monitor when the body ends: from then on, children are counted in outstanding. */
    private boolean childrenCounted;
    /** The carrier of the current or last attempt; set before bodyState becomes RUNNING. */
    private volatile Carrier carrier;
    /** Context captured by the orchestrator's propagators when the task was created; null if none. */
    private PropagatedContext context;
    /** Body outcome; written by the body owner before it releases its share. */
    private T value;
    private Throwable failure;
    /** Guarded by outcome's monitor (the outcome never leaves this class: see {@link TaskOutcome}). */
    private List<TaskNode<?>> children;
    /** Position in a pooled runtime's queue, -1 when not queued. Guarded by that runtime's lock. */
    long enqueueSeq = -1;
    /**
     * The settings of the last child created under this task, for the next one built alike; a benign race
     * (immutable, final fields: any thread's copy is whole), a miss only costs a new object.
     */
    private TaskSettings childSettings;

    TaskNode(TaskSettings settings, long idValue, TaskId givenId, Callable<? extends T> work) {
        super(settings, idValue, givenId);
        this.work = work;
    }

    /** The settings of this task's last child, if resolved from {@code spec} with {@code derivedName}; else null. */
    TaskSettings lastChildSettings(TaskSpec<?> spec, String derivedName) {
        TaskSettings last = childSettings;
        return last != null && last.resolvedFrom(spec, derivedName) ? last : null;
    }

    void rememberChildSettings(TaskSettings settings) {
        childSettings = settings;
    }

    // ---- state ----------------------------------------------------------------------------------

    boolean isStopRequested() {
        Stop request = stop;
        return request != null && request != SEALED;
    }

    /** The stop request that decides this task's end, or null if none came before it finished. */
    Stop stopRequest() {
        Stop request = stop;
        return request == SEALED ? null : request;
    }

    @Override
    public TaskStatus status() {
        return status;
    }

    TaskContext context() {
        return new NodeContext(this);
    }

    // ---- submission and attempts ----------------------------------------------------------------

    /** Queues the first attempt on the runtime; no effect if the task was stopped meanwhile. */
    void submit() {
        if (bodyState != IDLE || stop != null || !advance(TaskStatus.QUEUED)) {
            return;
        }
        recordQueued();
        settings.orchestrator.notifyQueued(this);
        Duration timeout = settings.timeout;
        if (timeout != null) {
            occasional().timeoutHandle = schedule(timeout, this::timedOut);
        }
        admit();
    }

    /** Runs the next attempt, through the group's limiter if the task has a group. */
    private void admit() {
        ConcurrencyLimiter limiter = settings.limiter;
        if (limiter == null) {
            execute();
            return;
        }
        Occasional rare = occasional();
        ConcurrencyLimiter.Request request = limiter.acquire(settings.priority, granted -> {
            rare.permit = granted;
            execute();
        }, rejection -> reject(rejection.reason(), rejection.message()));
        rare.permitRequest = request;
        // A stop that landed while the request was being queued may have missed it: withdraw it here.
        if (stop != null) {
            request.cancel();
        }
    }

    private void execute() {
        try {
            settings.runtime.execute(this);
        }
        catch (RejectedExecutionException ex) {
            releasePermit(PermitRelease.IGNORE);
            reject(RejectionReason.SHUTDOWN, "runtime '" + settings.runtime.name() + "' is closed");
        }
    }

    /** How a held permit is returned to its limiter. */
    private enum PermitRelease { IGNORE, SAMPLE, DROPPED }

    /** Returns the permit, if this task holds one; exactly once per permit (an atomic take). */
    private void releasePermit(PermitRelease how) {
        Occasional rare = occasionalOrNull();
        ConcurrencyLimiter.Permit held = rare == null ? null
                : (ConcurrencyLimiter.Permit) Occasional.PERMIT.getAndSet(rare, null);
        if (held != null) {
            switch (how) {
                case IGNORE -> held.ignore();
                case SAMPLE -> held.success();
                case DROPPED -> held.dropped();
            }
        }
    }

    /** Schedules {@code action}; a practically endless delay schedules nothing (returns null). */
    private TaskClock.Scheduled schedule(Duration delay, Runnable action) {
        if (TaskClock.isPracticallyNever(delay)) {
            return null;
        }
        try {
            return settings.orchestrator.clock().schedule(delay, action);
        }
        catch (RejectedExecutionException ex) {
            reject(RejectionReason.SHUTDOWN, "the orchestrator's clock is closed");
            return null;
        }
    }

    /**
     * Runs one attempt on the calling thread (a runtime's thread); never throws. The thread leaves the
     * body (its carrier no longer names this task, a pending interrupt is cleared) before anything
     * after the body runs, so completion callbacks, listeners and the fallback never run as if inside
     * a finished task, nor with the body's interrupt still set.
     */
    void runAttempt() {
        runAttempt(Carrier.current());
    }

    /** As {@link #runAttempt()}, on the current thread whose carrier is {@code here}. */
    void runAttempt(Carrier here) {
        if (settings.orchestrator.isCancellingAll() && stop == null) {
            stop(StopKind.CANCEL, "the orchestrator shut down before it started");
        }
        TaskNode<?> enclosing = here.enter(this);
        carrier = here;
        boolean claimed = false;
        boolean ran = false;
        T result = null;
        Throwable error = null;
        long start = 0;
        try {
            claimed = BODY_STATE.compareAndSet(this, IDLE, RUNNING);
            if (claimed && stop == null) {
                ran = true;
                start = startAttempt();
                ResourceMeter meter = ResourceMeter.start(this, settings.orchestrator.resourceTracking(), settings.orchestrator.attribution());
                try {
                    reassertStop();
                    result = withContext(work);
                }
                catch (Throwable t) {
                    error = t;
                }
                meter.stop();
            }
        }
        catch (Throwable t) {
            error = t; // the engine's bookkeeping around the body failed: the attempt fails with it
        }
        finally {
            here.exit(enclosing);
        }
        try {
            if (!claimed) {
                releasePermit(PermitRelease.IGNORE);
            }
            else if (!ran) {
                releasePermit(PermitRelease.IGNORE);
                endBody();
                if (finished != 0) {
                    settings.orchestrator.runawayTasks().returned(this);
                }
            }
            else {
                afterAttempt(start, result, error);
            }
        }
        finally {
            here.resume(enclosing);
        }
    }

    /** Bookkeeping at the start of an attempt; returns its start time. */
    private long startAttempt() {
        long start = recordAttemptStart();
        advance(TaskStatus.RUNNING);
        settings.orchestrator.notifyStarted(this);
        return start;
    }

    private void afterAttempt(long start, T result, Throwable error) {
        recordAttemptEnd(start);
        Stop stopped = stop;
        releasePermit(stopped == null || stopped == SEALED ? PermitRelease.SAMPLE
                : stopped.kind() == StopKind.TIMEOUT ? PermitRelease.DROPPED : PermitRelease.IGNORE);
        if (finished != 0) {
            // A runaway: its waiters were released at the deadline; only the body's share is left to give back.
            endBody();
            settings.orchestrator.runawayTasks().returned(this);
        }
        else if (error == null) {
            value = result;
            endBody();
        }
        else if (stop != null) {
            endBody();
        }
        else {
            afterFailure(attempts(), error);
        }
    }

    private void afterFailure(int attempt, Throwable error) {
        Duration delay;
        try {
            delay = settings.retry.nextDelay(attempt, error).orElse(null);
        }
        catch (RuntimeException | Error policyFailure) {
            // A retry policy that throws must not strand the task: it fails, with the policy's error attached.
            error.addSuppressed(policyFailure);
            delay = null;
        }
        if (delay == null) {
            failure = error;
            stopSubtree(this, "its parent " + label() + " failed");
            endBody();
            return;
        }
        settings.orchestrator.notifyRetrying(this, error, delay);
        bodyState = IDLE;
        if (stop != null) {
            if (BODY_STATE.compareAndSet(this, IDLE, DONE)) {
                bodyEnded();
            }
            return;
        }
        occasional().retryHandle = schedule(delay, this::resubmit);
    }

    private void resubmit() {
        if (bodyState == IDLE && stop == null) {
            recordQueued();
            admit();
        }
    }

    /** Called by the owner of RUNNING. */
    private void endBody() {
        bodyState = DONE;
        bodyEnded();
    }

    private void bodyEnded() {
        work = null;
        countChildren();
        release();
    }

    /**
     * The creator has registered this task (with its parent, context, store and listeners): gives back the
     * creation's share, so that a stop which landed meanwhile ends the task now, on this thread.
     */
    void registered() {
        release();
    }

    /** The body has ended: unfinished children now hold shares of outstanding (see the class javadoc). */
    private void countChildren() {
        synchronized (outcome) {
            childrenCounted = true;
            if (children == null) {
                return;
            }
            // Shares first, for every child: one COUNTED below may finish and release its share at once,
            // and must never find the count without it (the body's share alone could then reach zero).
            int all = children.size();
            OUTSTANDING.getAndAdd(this, all);
            int pending = 0;
            for (TaskNode<?> child : children) {
                if (child.parentShare == SHARE_NONE && PARENT_SHARE.compareAndSet(child, SHARE_NONE, SHARE_COUNTED)) {
                    pending++;
                }
            }
            // Give back the shares of children that had already gone; the body's share keeps it positive.
            OUTSTANDING.getAndAdd(this, pending - all);
        }
    }

    /**
     * Gives back one share; the thread that takes the count to zero finishes the task, then gives back
     * the task's share in its parent, and so on up the tree: a loop, not a recursion, however deep.
     */
    private void release() {
        TaskNode<?> node = this;
        while (node != null && (int) OUTSTANDING.getAndAdd(node, -1) == 1) {
            node = node.finish();
        }
    }

    /** Moves status forward to {@code next}; false if it is already there, beyond, or terminal. */
    private boolean advance(TaskStatus next) {
        while (true) {
            TaskStatus current = status;
            if (current.isTerminal() || current.ordinal() >= next.ordinal()) {
                return false;
            }
            if (STATUS.compareAndSet(this, current, next)) {
                return true;
            }
        }
    }

    // ---- stopping -------------------------------------------------------------------------------

    @Override
    public boolean cancel() {
        return stop(StopKind.CANCEL, "cancel() was called");
    }

    boolean stop(StopKind kind, String reason) {
        return stop(new Stop(kind, reason, null, null));
    }

    /** Ends the task as rejected ({@link TaskRejectedException}) for {@code why}. */
    boolean reject(RejectionReason why, String reason) {
        return stop(new Stop(StopKind.REJECT, reason, null, null, why));
    }

    /**
     * Requests a stop: the first request wins. Ends a body that is not running, interrupts one that
     * is, and cancels the unfinished subtree (iteratively, however deep).
     */
    boolean stop(Stop request) {
        if (!stopThis(request)) {
            return false;
        }
        stopSubtree(this, stopReasonForChildren());
        return true;
    }

    /** The stop of this task alone: the first request wins; false if another came first or it finished. */
    boolean stopThis(Stop request) {
        if (!STOP.compareAndSet(this, null, request)) {
            return false;
        }
        // The deadline stays armed through other stops: it still bounds the waiters of a cancelled
        // body that ignores its interrupt (finish() disarms it).
        while (true) {
            int state = bodyState;
            if (state == IDLE) {
                if (BODY_STATE.compareAndSet(this, IDLE, DONE)) {
                    Occasional rare = occasionalOrNull();
                    if (rare != null) {
                        cancel(rare.retryHandle);
                        ConcurrencyLimiter.Request pending = rare.permitRequest;
                        if (pending != null) {
                            pending.cancel();
                        }
                    }
                    releasePermit(PermitRelease.IGNORE);
                    bodyEnded();
                    return true;
                }
            }
            else {
                Carrier running = carrier;
                if (state == RUNNING && running != null) {
                    running.interruptIfRunning(this);
                }
                return true;
            }
        }
    }

    /** Cancels every unfinished task below {@code top}; see {@link TaskTrees#cancelBelow}. */
    private static void stopSubtree(TaskNode<?> top, String reason) {
        TaskTrees.cancelBelow(top, reason);
    }

    /**
     * The deadline passed: stop the task, give its body {@link #RUNAWAY_GRACE} to return, and if it has
     * not, end the task and its subtree now so that no waiter waits past the deadline. Runs on a timer
     * action's own thread, never a runtime's.
     */
    private void timedOut() {
        if (!stop(StopKind.TIMEOUT, "timed out after " + settings.timeout) && (outcome.isDone() || stop == SEALED)) {
            return; // ended, or ending with its body done: nothing left to bound
        }
        try {
            outcome.get(RUNAWAY_GRACE.toNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        catch (TimeoutException ex) {
            // the body (or a descendant's) ignores its interrupt
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException ex) {
            throw new IllegalStateException("task outcomes never complete exceptionally", ex);
        }
        forceEnd();
    }

    /**
     * Ends this task and its unfinished subtree at once, children first, without waiting for their
     * bodies: each still-running body is a runaway ({@link #isRunaway()}) that keeps its thread and its
     * group permit until it returns, and then only gives back its share.
     */
    private void forceEnd() {
        List<TaskNode<?>> order = TaskTrees.unfinishedTopDown(this);
        for (int i = order.size() - 1; i >= 0; i--) {
            TaskNode<?> node = order.get(i);
            if (node != this && node.parentNode() != null) {
                // A child registered while the stop went down the tree: cancel it before it is ended.
                node.stopThis(new Stop(StopKind.CANCEL, node.parentNode().stopReasonForChildren(), null, null));
            }
            // Registered before its waiters are released, so that they see it counted as a runaway.
            boolean running = node.bodyState == RUNNING && settings.orchestrator.runawayTasks().starting(node);
            TaskNode<?> parentToRelease = node.finish();
            if (running) {
                settings.orchestrator.runawayTasks().started(node);
            }
            if (parentToRelease != null) {
                parentToRelease.release();
            }
        }
    }

    /** The pooled runtime whose worker thread runs (or last ran) this task's body; null if none. */
    PooledRuntime carrierPool() {
        Carrier running = carrier;
        return running == null ? null : running.pool();
    }

    /** Whether {@code finish()} has run (the task is terminal, or about to be). */
    boolean isFinished() {
        return finished != 0;
    }

    /** Whether the task ended (it timed out, or an ancestor did) while its body still runs. */
    @Override
    boolean isRunaway() {
        return finished != 0 && bodyState == RUNNING;
    }

    private static void cancel(TaskClock.Scheduled scheduled) {
        if (scheduled != null) {
            scheduled.cancel();
        }
    }

    // ---- children -------------------------------------------------------------------------------

    /**
     * Registers {@code child}; throws if this task has finished. Returns whether this task is
     * stopping, in which case the caller must stop the child (once it is fully registered).
     */
    boolean addChild(TaskNode<?> child) {
        synchronized (outcome) {
            if (finished != 0 && !childrenCounted) {
                throw new IllegalStateException("cannot start child task " + child.name() + " of " + label()
                        + ": that task has ended (" + status + ") while its body still runs; start it detached");
            }
            // While the body runs (not childrenCounted) the task cannot finish: nothing to count yet.
            while (childrenCounted) {
                int current = outstanding;
                if (current == 0) {
                    throw new IllegalStateException("cannot start child task " + child.name() + " of " + label()
                            + ": that task has finished (" + status + "); start it detached or from a live task");
                }
                if (OUTSTANDING.compareAndSet(this, current, current + 1)) {
                    child.parentShare = SHARE_COUNTED; // before the child can run, let alone finish
                    break;
                }
            }
            if (children == null) {
                children = new ArrayList<>();
            }
            children.add(child);
        }
        return stop != null;
    }

    /** Reason given to children cancelled because this task stopped. */
    String stopReasonForChildren() {
        Stop request = stop;
        return request != null && request.kind() == StopKind.TIMEOUT ? "its parent " + label() + " timed out"
                : "its parent " + label() + " was cancelled";
    }

    List<TaskNode<?>> childNodes() {
        synchronized (outcome) {
            return children == null ? List.of() : List.copyOf(children);
        }
    }

    @Override
    int childCount() {
        synchronized (outcome) {
            return children == null ? 0 : children.size();
        }
    }

    // ---- completion -----------------------------------------------------------------------------

    /**
     * Decides the terminal status, once: seals {@link #stop} (a stop request that lands first decides
     * the status; none can land after), then records, notifies and completes {@link #outcome}.
     *
     * @return the parent whose share this task must now give back, or null
     */
    private TaskNode<?> finish() {
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return null;
        }
        recordCompleted();
        Stop request = stop;
        if (request == null && !STOP.compareAndSet(this, null, SEALED)) {
            request = stop;
        }
        TaskStatus terminal;
        if (request != null) {
            terminal = request.kind() == StopKind.PASS_THROUGH ? request.upstream().status() : request.kind().status;
        }
        else {
            terminal = failure != null ? TaskStatus.FAILED : TaskStatus.COMPLETED;
        }
        freezeProgress();
        STATUS.setVolatile(this, terminal);
        AsyncTaskException error = terminal == TaskStatus.COMPLETED ? null : error(request);
        if (error != null) {
            recordFailure(error.task().failure());
        }
        TaskResult<T> result = error == null ? TaskResult.ok(value) : resultAfter(error, terminal);
        value = null;
        failure = null;
        Occasional rare = occasionalOrNull();
        if (rare != null) {
            cancel(rare.timeoutHandle);
            cancel(rare.retryHandle);
        }
        PropagatedContext mine = context;
        if (mine != null) {
            context = null;
            mine.finished(info(), error == null ? null
                    : terminal == TaskStatus.FAILED && error.getCause() != null ? error.getCause() : error);
        }
        settings.orchestrator.finished(this);
        outcome.complete(result);
        // Not counted by the parent yet (its body still runs): leave without touching its counter.
        TaskNode<?> parent = settings.parent;
        return parent != null && !PARENT_SHARE.compareAndSet(this, SHARE_NONE, SHARE_GONE) ? parent : null;
    }

    private AsyncTaskException error(Stop request) {
        if (request == null) {
            return new TaskFailedException(snapshot(failureOf(failure)), failure);
        }
        return switch (request.kind()) {
            case PASS_THROUGH -> request.passed();
            case CANCEL -> new TaskCancelledException(
                    snapshot(new TaskInfo.Failure("TaskCancelledException", request.reason())), request.reason());
            case TIMEOUT -> new TaskTimeoutException(
                    snapshot(new TaskInfo.Failure("TaskTimeoutException", request.reason())), settings.timeout);
            case REJECT -> new TaskRejectedException(
                    snapshot(new TaskInfo.Failure("TaskRejectedException", request.reason())), request.rejection(),
                    request.reason());
            case LOST -> new TaskLostException(
                    snapshot(new TaskInfo.Failure("TaskLostException", request.reason())), request.reason());
        };
    }

    private TaskResult<T> resultAfter(AsyncTaskException error, TaskStatus terminal) {
        @SuppressWarnings("unchecked") // the settings were resolved from this task's own spec, of T
        Function<? super AsyncTaskException, ? extends T> fallback =
                (Function<? super AsyncTaskException, ? extends T>) settings.fallback;
        if (fallback == null || terminal == TaskStatus.CANCELLED) {
            return TaskResult.err(error);
        }
        try {
            return TaskResult.ok(withContext(() -> fallback.apply(error)));
        }
        catch (Throwable t) {
            TaskFailedException failed = new TaskFailedException(error.task(), t);
            failed.addSuppressed(error);
            return TaskResult.err(failed);
        }
    }

    private static TaskInfo.Failure failureOf(Throwable error) {
        return new TaskInfo.Failure(error.getClass().getSimpleName(), String.valueOf(error.getMessage()));
    }

    // ---- waiting (see TaskOutcome) --------------------------------------------------------------

    @Override
    public boolean isDone() {
        return outcome.isDone();
    }

    /** Runs {@code action} once the task is terminal; see {@link TaskOutcome#whenTerminal}. */
    void whenTerminal(Runnable action) {
        outcome.whenTerminal(action);
    }

    /** Waits for the outcome; see {@link TaskOutcome#await}. */
    TaskResult<T> awaitResult() throws InterruptedException {
        return outcome.await();
    }

    @Override
    public TaskResult<T> result() {
        return outcome.awaitUninterruptibly(this);
    }

    @Override
    public T join() {
        return result().orElseThrow();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        return TaskOutcome.unwrap(outcome.await());
    }

    @Override
    public T get(long time, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return outcome.valueWithin(this, time, unit);
    }

    @Override
    public CompletableFuture<T> toCompletableFuture() {
        return outcome.newValueFuture(this);
    }

    @Override
    public <U> SpawningTask<U> chain(Function<? super T, ? extends U> next) {
        return settings.orchestrator.chain(this, next);
    }

    /** The value of a completed task; only after {@link #isDone()} with an Ok result. */
    T valueNow() {
        return outcome.now().orElseThrow();
    }

    TaskResult<T> resultNow0() {
        return outcome.now();
    }

    // ---- context propagation --------------------------------------------------------------------

    /** Captures context on the creating thread; called once, before the task is submitted. */
    void capture(List<io.sweetasync.spi.ContextPropagator> propagators) {
        if (!propagators.isEmpty()) {
            context = PropagatedContext.capture(this, propagators);
        }
    }

    /**
     * Called on the body's thread just before user code of the attempt runs: a stop that arrived since
     * the attempt started (while listeners' {@code onStarted} or a propagator ran, which may have
     * swallowed its interrupt) interrupts the thread again, so that the body still sees it.
     */
    void reassertStop() {
        Stop current = stop;
        if (current != null && current != SEALED && !Thread.currentThread().isInterrupted()) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code body} inside the captured context, if any. */
    private <V> V withContext(Callable<V> body) throws Exception {
        PropagatedContext mine = context;
        return mine == null ? body.call() : mine.call(body);
    }
}
