package io.sweetasync;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.TaskClock;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One task: its state machine, its place in the tree, and its handle.
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
 * <li>{@link #outstanding}: one share for the body plus, once the body has ended, one per unfinished
 * child. While the body runs, children are not counted in it (the parent cannot finish then anyway),
 * so spawning and finishing a child touch no counter shared with the parent: a child then ends by
 * moving its own {@link #parentShare} {@code NONE} → {@code GONE}. When the body ends,
 * {@link #countChildren} (under {@link #childLock}, with the body's share still held) adds a share for
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
 * {@link #stop} is set before the children list is read under {@link #childLock}; a child is added
 * under that lock before {@code stop} is read. So a child added concurrently with a stop is cancelled
 * by one side or the other.
 */
final class TaskNode<T> implements SpawningTask<T> {

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;

    private static final VarHandle STATUS;
    private static final VarHandle STOP;
    private static final VarHandle BODY_STATE;
    private static final VarHandle OUTSTANDING;
    private static final VarHandle PERMIT;
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
            PERMIT = lookup.findVarHandle(TaskNode.class, "permit", ConcurrencyLimiter.Permit.class);
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
    /** Path segments shown at the end of a deep task's path (the root is always shown too). */
    private static final int PATH_TAIL = 8;
    /** How long a timed-out body has to return after its interrupt before its waiters are released without it. */
    static final Duration RUNAWAY_GRACE = Duration.ofMillis(100);

    /** A resource figure attributed from sampled events. */
    enum Resource { CPU, ALLOCATED, READ, WRITTEN }

    private static final com.sun.management.ThreadMXBean THREADS = threads();
    private static final boolean CPU_COUNTERS = THREADS != null && THREADS.isCurrentThreadCpuTimeSupported()
            && THREADS.isThreadCpuTimeEnabled();
    private static final boolean ALLOCATION_COUNTERS = THREADS != null && THREADS.isThreadAllocatedMemorySupported()
            && THREADS.isThreadAllocatedMemoryEnabled();

    private static com.sun.management.ThreadMXBean threads() {
        try {
            return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean extended ? extended
                    : null;
        }
        catch (LinkageError ex) {
            return null;
        }
    }

    private final TaskOrchestrator orchestrator;
    private final TaskClock clock;
    private final TaskId id;
    private final String name;
    private final TaskNode<?> parent;
    /** The root of this task's tree (itself for a root), and this task's distance from it. */
    private final TaskNode<?> root;
    private final int depth;
    /** Built on first use (snapshots, messages): most tasks never need it. */
    private volatile String path;
    private final TaskPriority priority;
    private final TaskRuntime runtime;
    private final String group;
    /** The group's limiter, null without a group. */
    private final ConcurrencyLimiter limiter;
    private final Map<String, String> tags;
    private final Duration timeout;
    private final RetryPolicy retry;
    private final Function<? super AsyncTaskException, ? extends T> fallback;
    private final List<TaskId> dependencies;
    private final long createdNanos;
    private final CompletableFuture<TaskResult<T>> outcome = new CompletableFuture<>();

    /** Cleared once the body is done, so that finished tasks retain nothing of the user's. */
    private volatile Callable<? extends T> work;
    private volatile TaskStatus status = TaskStatus.PENDING;
    private volatile Stop stop;
    private volatile int bodyState = IDLE;
    private volatile int outstanding = 1;
    /** 0 until {@link #finish()} runs (once: the normal path and a runaway's forced end race for it). */
    private volatile int finished;
    /** This task's share in its parent's count: {@code SHARE_NONE}, {@code SHARE_COUNTED} or {@code SHARE_GONE}. */
    private volatile int parentShare;
    /** Set under childLock when the body ends: from then on, children are counted in outstanding. */
    private boolean childrenCounted;
    /** The carrier of the current or last attempt; set before bodyState becomes RUNNING. */
    private volatile Carrier carrier;
    private volatile int attempts;
    /** Set before the task is submitted; see {@link #markDurable}. */
    private volatile boolean durable;
    /** Monotonic times of the first start and of the end; {@link #UNSET} until then. */
    private static final long UNSET = Long.MIN_VALUE;
    private volatile long startedNanos = UNSET;
    private volatile long completedNanos = UNSET;
    private volatile long queuedAtNanos;
    private volatile long queueWaitNanos;
    private volatile long runNanos;
    /** Start of the running attempt, 0 when none runs. */
    private volatile long attemptStartNanos;
    private volatile TaskClock.Scheduled timeoutHandle;
    private volatile TaskClock.Scheduled retryHandle;
    /** A granted permit not yet released; taken (set to null) exactly once by whoever releases it. */
    private volatile ConcurrencyLimiter.Permit permit;
    /** The pending permit request of the current attempt, if any. */
    private volatile ConcurrencyLimiter.Request permitRequest;
    /** Why the task did not complete; set by finish(), kept when a fallback supplied the value. */
    private volatile TaskInfo.Failure failureInfo;
    /** Measured totals over attempts on platform threads; -1 until measured. Written by the attempt's runner. */
    private volatile long measuredCpu = -1;
    private volatile long measuredAllocated = -1;
    /** Figures attributed from JFR events; created when the first attempt opens its slice. */
    private volatile SampledFigures sampled;
    /**
     * Published live values in registration order, copied on write under childLock (registrations are
     * rare); null until the first one, so that most tasks carry no map at all. Frozen into
     * frozenProgress when the task finishes.
     */
    private volatile Map<String, java.util.function.LongSupplier> progressSuppliers;
    private volatile Map<String, Long> frozenProgress;
    /** Whether a progress supplier threw (reported once). */
    private volatile boolean progressFailed;
    /** Context captured by the orchestrator's propagators when the task was created; empty if none. */
    private List<io.sweetasync.spi.ContextPropagator.Captured> captured = List.of();
    /** Body outcome; written by the body owner before it releases its share. */
    private T value;
    private Throwable failure;
    private final Object childLock = new Object();
    /** Guarded by childLock. */
    private List<TaskNode<?>> children;
    /** Position in a pooled runtime's queue, -1 when not queued. Guarded by that runtime's lock. */
    long enqueueSeq = -1;

    TaskNode(TaskOrchestrator orchestrator, TaskId id, String name, TaskNode<?> parent, TaskPriority priority,
            TaskRuntime runtime, String group, ConcurrencyLimiter limiter, Map<String, String> tags, Duration timeout, RetryPolicy retry,
            Function<? super AsyncTaskException, ? extends T> fallback, List<TaskId> dependencies,
            Callable<? extends T> work) {
        this.orchestrator = orchestrator;
        this.clock = orchestrator.clock();
        this.id = id;
        this.name = name;
        this.parent = parent;
        this.root = parent == null ? this : parent.root;
        this.depth = parent == null ? 0 : parent.depth + 1;
        this.priority = priority;
        this.runtime = runtime;
        this.group = group;
        this.limiter = limiter;
        this.tags = tags;
        this.timeout = timeout;
        this.retry = retry;
        this.fallback = fallback;
        this.dependencies = dependencies;
        this.work = work;
        this.createdNanos = clock.nanoTime();
    }

    // ---- identity -------------------------------------------------------------------------------

    TaskOrchestrator orchestrator() {
        return orchestrator;
    }

    TaskNode<?> parentNode() {
        return parent;
    }

    TaskPriority priority() {
        return priority;
    }

    TaskRuntime runtimeRef() {
        return runtime;
    }

    String label() {
        return name + "#" + id;
    }

    /**
     * Names and ids from the root. A deep task's path shows the root, the number of levels left out and
     * the last {@value #PATH_TAIL} levels ({@code root#1/…(991 more)/…/leaf#1000}), so a path costs
     * the same at any depth and a deep tree's snapshots stay linear in its size.
     */
    String path() {
        String known = path;
        if (known == null) {
            int shown = Math.min(depth, PATH_TAIL);
            String[] tail = new String[shown + 1];
            TaskNode<?> node = this;
            for (int i = shown; i >= 0 && node != null; i--) {
                tail[i] = node.label();
                node = node.parent;
            }
            StringBuilder text = new StringBuilder();
            if (depth > PATH_TAIL) {
                text.append(root.label()).append('/');
                if (depth > PATH_TAIL + 1) {
                    text.append("\u2026(").append(depth - PATH_TAIL - 1).append(" more)/");
                }
            }
            text.append(String.join("/", tail));
            known = text.toString();
            path = known;
        }
        return known;
    }

    int attempts() {
        return attempts;
    }

    /** The id of this task's root (its own for a root). */
    TaskId rootId() {
        return root.id;
    }

    /**
     * Marks a durable task, before it is submitted: re-run after a crash instead of being lost, its
     * attempts counting on from {@code priorAttempts} (the runs its invocation already had).
     */
    void markDurable(int priorAttempts) {
        durable = true;
        attempts = priorAttempts;
    }

    boolean isDurable() {
        return durable;
    }

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
    public TaskId id() {
        return id;
    }

    @Override
    public String name() {
        return name;
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
        queuedAtNanos = clock.nanoTime();
        orchestrator.notifyQueued(this);
        if (timeout != null) {
            timeoutHandle = schedule(timeout, this::timedOut);
        }
        admit();
    }

    /** Runs the next attempt, through the group's limiter if the task has a group. */
    private void admit() {
        if (limiter == null) {
            execute();
            return;
        }
        ConcurrencyLimiter.Request request = limiter.acquire(priority, granted -> {
            permit = granted;
            execute();
        }, rejection -> reject(rejection.reason(), rejection.message()));
        permitRequest = request;
        // A stop that landed while the request was being queued may have missed it: withdraw it here.
        if (stop != null) {
            request.cancel();
        }
    }

    private void execute() {
        try {
            runtime.execute(this);
        }
        catch (RejectedExecutionException ex) {
            releasePermit(PermitRelease.IGNORE);
            reject(RejectionReason.SHUTDOWN, "runtime '" + runtime.name() + "' is closed");
        }
    }

    /** How a held permit is returned to its limiter. */
    private enum PermitRelease { IGNORE, SAMPLE, DROPPED }

    /** Returns the permit, if this task holds one; exactly once per permit (an atomic take). */
    private void releasePermit(PermitRelease how) {
        ConcurrencyLimiter.Permit held = (ConcurrencyLimiter.Permit) PERMIT.getAndSet(this, null);
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
            return clock.schedule(delay, action);
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
        if (orchestrator.isCancellingAll() && stop == null) {
            stop(StopKind.CANCEL, "the orchestrator shut down before it started");
        }
        Carrier here = Carrier.current();
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
                ResourceMeter meter = ResourceMeter.start(this, orchestrator.resourceTracking(), orchestrator.attribution());
                try {
                    reassertStop();
                    result = captured.isEmpty() ? work.call() : withContext(work);
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
                    orchestrator.runawayReturned(this);
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
        long start = clock.nanoTime();
        queueWaitNanos += start - queuedAtNanos;
        attempts = attempts + 1;
        if (startedNanos == UNSET) {
            startedNanos = start;
        }
        advance(TaskStatus.RUNNING);
        attemptStartNanos = start;
        orchestrator.notifyStarted(this);
        orchestrator.usage(name).attempt();
        return start;
    }

    private void afterAttempt(long start, T result, Throwable error) {
        runNanos += clock.nanoTime() - start;
        attemptStartNanos = 0;
        Stop stopped = stop;
        releasePermit(stopped == null || stopped == SEALED ? PermitRelease.SAMPLE
                : stopped.kind() == StopKind.TIMEOUT ? PermitRelease.DROPPED : PermitRelease.IGNORE);
        if (finished != 0) {
            // A runaway: its waiters were released at the deadline; only the body's share is left to give back.
            endBody();
            orchestrator.runawayReturned(this);
        }
        else if (error == null) {
            value = result;
            endBody();
        }
        else if (stop != null) {
            endBody();
        }
        else {
            afterFailure(attempts, error);
        }
    }

    private void afterFailure(int attempt, Throwable error) {
        Duration delay;
        try {
            delay = retry.nextDelay(attempt, error).orElse(null);
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
        orchestrator.notifyRetrying(this, error, delay);
        bodyState = IDLE;
        if (stop != null) {
            if (BODY_STATE.compareAndSet(this, IDLE, DONE)) {
                bodyEnded();
            }
            return;
        }
        retryHandle = schedule(delay, this::resubmit);
    }

    private void resubmit() {
        if (bodyState == IDLE && stop == null) {
            queuedAtNanos = clock.nanoTime();
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

    /** The body has ended: unfinished children now hold shares of outstanding (see the class javadoc). */
    private void countChildren() {
        synchronized (childLock) {
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
    private boolean stopThis(Stop request) {
        if (!STOP.compareAndSet(this, null, request)) {
            return false;
        }
        // The deadline stays armed through other stops: it still bounds the waiters of a cancelled
        // body that ignores its interrupt (finish() disarms it).
        while (true) {
            int state = bodyState;
            if (state == IDLE) {
                if (BODY_STATE.compareAndSet(this, IDLE, DONE)) {
                    cancel(retryHandle);
                    ConcurrencyLimiter.Request pending = permitRequest;
                    if (pending != null) {
                        pending.cancel();
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

    /** Cancels every unfinished task below {@code top}, its children with {@code reason}. */
    private static void stopSubtree(TaskNode<?> top, String reason) {
        ArrayDeque<TaskNode<?>> pending = new ArrayDeque<>();
        for (TaskNode<?> child : top.childNodes()) {
            if (child.stopThis(new Stop(StopKind.CANCEL, reason, null, null))) {
                pending.push(child);
            }
        }
        while (!pending.isEmpty()) {
            TaskNode<?> node = pending.pop();
            String below = node.stopReasonForChildren();
            for (TaskNode<?> child : node.childNodes()) {
                if (child.stopThis(new Stop(StopKind.CANCEL, below, null, null))) {
                    pending.push(child);
                }
            }
        }
    }

    /**
     * The deadline passed: stop the task, give its body {@link #RUNAWAY_GRACE} to return, and if it has
     * not, end the task and its subtree now so that no waiter waits past the deadline. Runs on a timer
     * action's own thread, never a runtime's.
     */
    private void timedOut() {
        if (!stop(StopKind.TIMEOUT, "timed out after " + timeout) && (outcome.isDone() || stop == SEALED)) {
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
        List<TaskNode<?>> order = new ArrayList<>();
        ArrayDeque<TaskNode<?>> pending = new ArrayDeque<>();
        pending.push(this);
        while (!pending.isEmpty()) {
            TaskNode<?> node = pending.pop();
            if (node.finished == 0) {
                order.add(node);
                node.childNodes().forEach(pending::push);
            }
        }
        for (int i = order.size() - 1; i >= 0; i--) {
            TaskNode<?> node = order.get(i);
            if (node != this && node.parent != null) {
                // A child registered while the stop went down the tree: cancel it before it is ended.
                node.stopThis(new Stop(StopKind.CANCEL, node.parent.stopReasonForChildren(), null, null));
            }
            // Registered before its waiters are released, so that they see it counted as a runaway.
            boolean running = node.bodyState == RUNNING && orchestrator.runawayStarting(node);
            TaskNode<?> parentToRelease = node.finish();
            if (running) {
                orchestrator.runawayStarted(node);
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

    /** Whether the task ended (it timed out, or an ancestor did) while its body still runs. */
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
        synchronized (childLock) {
            if (finished != 0 && !childrenCounted) {
                throw new IllegalStateException("cannot start child task " + child.name + " of " + label()
                        + ": that task has ended (" + status + ") while its body still runs; start it detached");
            }
            // While the body runs (not childrenCounted) the task cannot finish: nothing to count yet.
            while (childrenCounted) {
                int current = outstanding;
                if (current == 0) {
                    throw new IllegalStateException("cannot start child task " + child.name + " of " + label()
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
        synchronized (childLock) {
            return children == null ? List.of() : List.copyOf(children);
        }
    }

    private int childCount() {
        synchronized (childLock) {
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
        completedNanos = clock.nanoTime();
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
        if (progressSuppliers != null) {
            frozenProgress = java.util.Collections.unmodifiableMap(progressNow());
            progressSuppliers = null;
        }
        STATUS.setVolatile(this, terminal);
        AsyncTaskException error = terminal == TaskStatus.COMPLETED ? null : error(request);
        if (error != null) {
            failureInfo = error.task().failure();
        }
        TaskResult<T> result = error == null ? TaskResult.ok(value) : resultAfter(error, terminal);
        value = null;
        failure = null;
        cancel(timeoutHandle);
        cancel(retryHandle);
        if (!captured.isEmpty()) {
            contextFinished(info(), error == null ? null
                    : terminal == TaskStatus.FAILED && error.getCause() != null ? error.getCause() : error);
        }
        orchestrator.finished(this);
        outcome.complete(result);
        // Not counted by the parent yet (its body still runs): leave without touching its counter.
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
                    snapshot(new TaskInfo.Failure("TaskTimeoutException", request.reason())), timeout);
            case REJECT -> new TaskRejectedException(
                    snapshot(new TaskInfo.Failure("TaskRejectedException", request.reason())), request.rejection(),
                    request.reason());
            case LOST -> new TaskLostException(
                    snapshot(new TaskInfo.Failure("TaskLostException", request.reason())), request.reason());
        };
    }

    private TaskResult<T> resultAfter(AsyncTaskException error, TaskStatus terminal) {
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

    // ---- waiting --------------------------------------------------------------------------------

    @Override
    public boolean isDone() {
        return outcome.isDone();
    }

    /**
     * Runs {@code action} once the task is terminal. Actions that end other tasks (a {@code chain} or
     * {@code after} dependent) run through {@link Trampoline}, so a failure passing down a chain of any
     * length is a loop, not a recursion.
     */
    void whenTerminal(Runnable action) {
        outcome.whenComplete((result, never) -> Trampoline.run(action));
    }

    /**
     * Waits for the outcome. On a thread of a {@code PLATFORM}/{@code SINGLE} runtime the wait is a managed
     * block: the body's slot is handed over while it waits (see {@link PooledRuntime}).
     */
    TaskResult<T> awaitResult() throws InterruptedException {
        TaskResult<T> done = outcome.getNow(null);
        if (done != null) {
            return done;
        }
        TaskRuntime.managedBlock(new OutcomeWait(0));
        return outcome.getNow(null);
    }

    /** Waits for {@link #outcome} without a deadline ({@code nanos == 0}) or up to {@code nanos}. */
    private final class OutcomeWait implements ForkJoinPool.ManagedBlocker {
        private final long deadline;
        private final boolean timed;
        private boolean expired;

        OutcomeWait(long nanos) {
            this.timed = nanos > 0;
            this.deadline = timed ? System.nanoTime() + nanos : 0;
        }

        @Override
        public boolean block() throws InterruptedException {
            try {
                if (!timed) {
                    outcome.get();
                }
                else {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        outcome.get(left, TimeUnit.NANOSECONDS);
                    }
                    expired = !outcome.isDone();
                }
            }
            catch (TimeoutException ex) {
                expired = true;
            }
            catch (ExecutionException ex) {
                throw new IllegalStateException("task outcomes never complete exceptionally", ex);
            }
            return true;
        }

        @Override
        public boolean isReleasable() {
            return outcome.isDone() || expired;
        }
    }

    @Override
    public TaskResult<T> result() {
        try {
            return awaitResult();
        }
        catch (InterruptedException ex) {
            throw interruptedWhileWaiting();
        }
    }

    @Override
    public T join() {
        return result().orElseThrow();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        return unwrap(awaitResult());
    }

    @Override
    public T get(long time, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        TaskResult<T> done = outcome.getNow(null);
        if (done == null) {
            long nanos = unit.toNanos(time); // saturates: Long.MAX_VALUE days is "practically never"
            if (nanos <= 0) {
                throw new TimeoutException("task " + label() + " is not done");
            }
            TaskRuntime.managedBlock(new OutcomeWait(nanos));
            done = outcome.getNow(null);
            if (done == null) {
                throw new TimeoutException("task " + label() + " did not finish within " + time + " " + unit);
            }
        }
        return unwrap(done);
    }

    private T unwrap(TaskResult<T> result) throws ExecutionException {
        return switch (result) {
            case TaskResult.Ok<T> ok -> ok.value();
            case TaskResult.Err<T> err when err.error() instanceof TaskCancelledException cancelled -> {
                CancellationException ex = new CancellationException(cancelled.getMessage());
                ex.initCause(cancelled);
                throw ex;
            }
            case TaskResult.Err<T> err -> throw new ExecutionException(err.error().getMessage(), err.error());
        };
    }

    private CancellationException interruptedWhileWaiting() {
        Thread.currentThread().interrupt();
        return new CancellationException("interrupted while waiting for task " + label());
    }

    @Override
    public CompletableFuture<T> toCompletableFuture() {
        TaskFuture future = new TaskFuture();
        outcome.whenComplete((result, never) -> {
            switch (result) {
                case TaskResult.Ok<T> ok -> future.complete(ok.value());
                case TaskResult.Err<T> err -> future.failed(err.error());
            }
        });
        return future;
    }

    /**
     * The future of {@link #toCompletableFuture()}: cancelling it cancels the task and returns true
     * exactly when the task ends {@code CANCELLED}; it then reports {@code isCancelled()}.
     */
    private final class TaskFuture extends CompletableFuture<T> {

        /** Guarded by this. */
        private boolean cancelRequested;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            synchronized (this) {
                cancelRequested = true;
            }
            if (!TaskNode.this.cancel()) {
                return false;
            }
            super.cancel(mayInterruptIfRunning);
            return true;
        }

        void failed(AsyncTaskException error) {
            boolean viaFuture;
            synchronized (this) {
                viaFuture = cancelRequested;
            }
            if (viaFuture && error instanceof TaskCancelledException) {
                super.cancel(false);
            }
            else {
                completeExceptionally(error);
            }
        }
    }

    @Override
    public <U> SpawningTask<U> chain(Function<? super T, ? extends U> next) {
        return orchestrator.chain(this, next);
    }

    /** The value of a completed task; only after {@link #isDone()} with an Ok result. */
    T valueNow() {
        return outcome.getNow(null).orElseThrow();
    }

    TaskResult<T> resultNow0() {
        return outcome.getNow(null);
    }

    // ---- context propagation --------------------------------------------------------------------

    /** Captures context on the creating thread; called once, before the task is submitted. */
    void capture(List<io.sweetasync.spi.ContextPropagator> propagators) {
        if (propagators.isEmpty()) {
            return;
        }
        TaskInfo info = info();
        List<io.sweetasync.spi.ContextPropagator.Captured> all = new ArrayList<>(propagators.size());
        for (io.sweetasync.spi.ContextPropagator propagator : propagators) {
            try {
                io.sweetasync.spi.ContextPropagator.Captured one = propagator.capture(info);
                if (one != null) {
                    all.add(one);
                }
            }
            catch (Throwable ex) {
                orchestrator.warn("context propagator " + propagator.getClass().getName() + " failed to capture for task "
                        + label() + "; skipped", ex);
            }
        }
        captured = List.copyOf(all);
    }

    /**
     * Runs {@code body} inside every captured context, the first propagator outermost. A propagator's
     * failure never changes the body's outcome: one that fails before running the body is logged and
     * skipped (the body runs without it); one that fails after the body returned (e.g. its scope's
     * {@code close()}) is logged and the body's value kept; when both the body and the propagator
     * throw, the body's exception wins.
     */
    /**
     * Called on the body's thread just before user code of the attempt runs: a stop that arrived since
     * the attempt started (while listeners' {@code onStarted} or a propagator ran, which may have
     * swallowed its interrupt) interrupts the thread again, so that the body still sees it.
     */
    private void reassertStop() {
        Stop current = stop;
        if (current != null && current != SEALED && !Thread.currentThread().isInterrupted()) {
            Thread.currentThread().interrupt();
        }
    }

    private <V> V withContext(Callable<V> body) throws Exception {
        List<io.sweetasync.spi.ContextPropagator.Captured> mine = captured;
        Callable<V> call = body;
        for (int i = mine.size() - 1; i >= 0; i--) {
            call = aroundOne(mine.get(i), call);
        }
        return call.call();
    }

    private <V> Callable<V> aroundOne(io.sweetasync.spi.ContextPropagator.Captured one, Callable<V> inner) {
        return () -> {
            InnerCall<V> tracked = new InnerCall<>(inner, this);
            try {
                V returned = one.around(tracked);
                if (!tracked.entered) {
                    orchestrator.warn("context propagator did not run the body of task " + label() + "; skipped",
                            null);
                    return inner.call();
                }
                return tracked.returned ? tracked.value : returned;
            }
            catch (Throwable ex) {
                if (!tracked.entered) {
                    orchestrator.warn("context propagator failed to restore for task " + label() + "; skipped", ex);
                    return inner.call();
                }
                if (tracked.returned) {
                    orchestrator.warn("context propagator failed after the body of task " + label()
                            + " returned; the body's value is kept", ex);
                    return tracked.value;
                }
                if (tracked.thrown != null && tracked.thrown != ex) {
                    orchestrator.warn("context propagator failed after the body of task " + label()
                            + " threw; the body's exception is kept", ex);
                    throw sneaky(tracked.thrown);
                }
                throw sneaky(ex);
            }
        };
    }

    /** The body as a propagator sees it, recording whether and how it ran. */
    private static final class InnerCall<V> implements Callable<V> {
        private final Callable<V> inner;
        boolean entered;
        boolean returned;
        V value;
        Throwable thrown;

        private final TaskNode<?> node;

        InnerCall(Callable<V> inner, TaskNode<?> node) {
            this.inner = inner;
            this.node = node;
        }

        @Override
        public V call() throws Exception {
            if (entered) {
                throw new IllegalStateException("a context propagator ran the task's body twice");
            }
            entered = true;
            try {
                node.reassertStop(); // the propagator's own code may have swallowed the stop's interrupt
                value = inner.call();
                returned = true;
                return value;
            }
            catch (Throwable t) {
                thrown = t;
                throw t;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <X extends Throwable> Exception sneaky(Throwable t) throws X {
        throw (X) t;
    }

    private void contextFinished(TaskInfo finalInfo, Throwable error) {
        for (io.sweetasync.spi.ContextPropagator.Captured one : captured) {
            try {
                one.finished(finalInfo, error);
            }
            catch (Throwable ex) {
                orchestrator.warn("context propagator failed on finish of task " + label() + "; ignored", ex);
            }
        }
        captured = List.of();
    }

    // ---- progress -------------------------------------------------------------------------------

    void progress(String key, java.util.function.LongSupplier value) {
        java.util.Objects.requireNonNull(key, "name");
        java.util.Objects.requireNonNull(value, "value");
        synchronized (childLock) {
            Map<String, java.util.function.LongSupplier> next = progressSuppliers == null
                    ? new java.util.LinkedHashMap<>() : new java.util.LinkedHashMap<>(progressSuppliers);
            next.put(key, value);
            progressSuppliers = next;
        }
    }

    private Map<String, Long> progressNow() {
        Map<String, Long> frozen = frozenProgress;
        if (frozen != null) {
            return frozen;
        }
        Map<String, java.util.function.LongSupplier> suppliers = progressSuppliers;
        if (suppliers == null) {
            return Map.of();
        }
        Map<String, Long> values = new java.util.LinkedHashMap<>();
        suppliers.forEach((key, supplier) -> {
            try {
                values.put(key, supplier.getAsLong());
            }
            catch (Throwable t) {
                // A supplier that throws is left out of the snapshot; said once per task.
                if (!progressFailed) {
                    progressFailed = true;
                    orchestrator.warn("progress value '" + key + "' of task " + label() + " threw; left out of snapshots", t);
                }
            }
        });
        return values;
    }

    // ---- resources ------------------------------------------------------------------------------

    /** Adds the figures measured over one attempt on a platform thread; called by its runner. */
    void addMeasured(long cpuNanos, long allocatedBytes) {
        if (cpuNanos >= 0) {
            measuredCpu = Math.max(0, measuredCpu) + cpuNanos;
        }
        if (allocatedBytes >= 0) {
            measuredAllocated = Math.max(0, measuredAllocated) + allocatedBytes;
        }
        orchestrator.usage(name).addMeasured(cpuNanos, allocatedBytes);
    }

    /** This task's sampled figures, created on first use; called by the attribution when an attempt opens. */
    SampledFigures sampledFigures(boolean cpuSampled) {
        SampledFigures figures = sampled;
        if (figures == null) {
            synchronized (childLock) {
                figures = sampled;
                if (figures == null) {
                    figures = new SampledFigures(this, orchestrator.usage(name), cpuSampled);
                    sampled = figures;
                }
            }
        }
        return figures;
    }

    /** Whether sampled figures of this task's work are still to arrive. */
    boolean resourcesPending() {
        SampledFigures figures = sampled;
        return figures != null && figures.isPending();
    }

    /**
     * Asks for this finished task's sampled figures to be announced once final; returns whether they
     * already are, in which case the caller announces them (see {@link SampledFigures}).
     */
    boolean announceResourcesWhenFinal() {
        SampledFigures figures = sampled;
        return figures != null && figures.announceWhenFinal();
    }

    /** The root of this task's tree (itself for a root). */
    TaskNode<?> rootNode() {
        return root;
    }

    private ResourceValue figure(long measured, Resource resource, boolean measurable) {
        ResourceTracking tracking = orchestrator.resourceTracking();
        if (tracking == ResourceTracking.OFF || attempts == 0) {
            return ResourceValue.unavailable();
        }
        if (measurable && measured >= 0) {
            return ResourceValue.measured(measured);
        }
        SampledFigures figures = sampled;
        if (tracking == ResourceTracking.MEASURE_AND_SAMPLE && figures != null) {
            return figures.value(resource);
        }
        return ResourceValue.unavailable();
    }

    /** Per-thread counters for one attempt, and its JFR slice; see {@link ResourceTracking}. */
    static final class ResourceMeter {

        private static final ResourceMeter NONE = new ResourceMeter(null, null, null, -1, -1, 0, 0);

        private final TaskNode<?> node;
        private final Carrier carrier;
        private final SliceTimeline.Slice slice;
        private final ResourceAttribution attribution;
        private final long cpuAtStart;
        private final long allocatedAtStart;
        private final long nestedCpuAtStart;
        private final long nestedAllocatedAtStart;

        private ResourceMeter(TaskNode<?> node, Carrier carrier, ResourceAttribution attribution, long cpu,
                long allocated, long nestedCpu, long nestedAllocated) {
            this.node = node;
            this.carrier = carrier;
            this.attribution = attribution;
            this.slice = attribution == null ? null : attribution.open(node);
            this.cpuAtStart = cpu;
            this.allocatedAtStart = allocated;
            this.nestedCpuAtStart = nestedCpu;
            this.nestedAllocatedAtStart = nestedAllocated;
        }

        static ResourceMeter start(TaskNode<?> node, ResourceTracking tracking, ResourceAttribution attribution) {
            if (tracking == ResourceTracking.OFF) {
                return NONE;
            }
            ResourceAttribution sampler = tracking == ResourceTracking.MEASURE_AND_SAMPLE ? attribution : null;
            if (Thread.currentThread().isVirtual()) {
                return sampler == null ? NONE : new ResourceMeter(node, null, sampler, -1, -1, 0, 0);
            }
            Carrier carrier = Carrier.current();
            return new ResourceMeter(node, carrier, sampler, CPU_COUNTERS ? THREADS.getCurrentThreadCpuTime() : -1,
                    ALLOCATION_COUNTERS ? THREADS.getCurrentThreadAllocatedBytes() : -1, carrier.nestedCpu,
                    carrier.nestedAllocated);
        }

        /**
         * Ends the attempt. Attempts run nested inside this one (a waiting body helping its pool) were
         * counted by themselves, so their share is subtracted here and added for the enclosing attempt.
         */
        void stop() {
            if (slice != null) {
                attribution.close(slice);
            }
            if (carrier == null) {
                return;
            }
            long cpu = -1;
            long allocated = -1;
            if (cpuAtStart >= 0) {
                long total = THREADS.getCurrentThreadCpuTime() - cpuAtStart;
                cpu = Math.max(0, total - (carrier.nestedCpu - nestedCpuAtStart));
                carrier.nestedCpu = nestedCpuAtStart + total;
            }
            if (allocatedAtStart >= 0) {
                long total = THREADS.getCurrentThreadAllocatedBytes() - allocatedAtStart;
                allocated = Math.max(0, total - (carrier.nestedAllocated - nestedAllocatedAtStart));
                carrier.nestedAllocated = nestedAllocatedAtStart + total;
            }
            node.addMeasured(cpu, allocated);
        }
    }

    // ---- snapshots ------------------------------------------------------------------------------

    @Override
    public TaskInfo info() {
        return snapshot(failureInfo);
    }

    @Override
    public TaskMetrics metrics() {
        long now = clock.nanoTime();
        long running = attemptStartNanos;
        long waiting = status == TaskStatus.QUEUED ? Math.max(0, now - queuedAtNanos) : 0;
        return new TaskMetrics(Duration.ofNanos(queueWaitNanos + waiting),
                Duration.ofNanos(runNanos + (running == 0 ? 0 : Math.max(0, now - running))),
                figure(measuredCpu, Resource.CPU, true), figure(measuredAllocated, Resource.ALLOCATED, true),
                figure(-1, Resource.READ, false), figure(-1, Resource.WRITTEN, false));
    }

    /**
     * A snapshot with children down to any depth, at most {@code childLimit} children per node
     * ({@code 0}: none, {@code Integer.MAX_VALUE}: all). Built bottom-up with an explicit stack: no
     * recursion per level.
     */
    TaskInfo tree(int childLimit) {
        if (childLimit == 0) {
            return info();
        }
        ArrayDeque<TreeFrame> stack = new ArrayDeque<>();
        stack.push(new TreeFrame(this));
        while (true) {
            TreeFrame frame = stack.peek();
            if (frame.next < frame.children.size() && frame.built.size() < childLimit) {
                stack.push(new TreeFrame(frame.children.get(frame.next++)));
                continue;
            }
            stack.pop();
            TaskInfo done = frame.info.withChildren(frame.built);
            if (stack.isEmpty()) {
                return done;
            }
            stack.peek().built.add(done);
        }
    }

    /** One node of a tree snapshot being built. */
    private static final class TreeFrame {
        final TaskInfo info;
        final List<TaskNode<?>> children;
        final List<TaskInfo> built = new ArrayList<>();
        int next;

        TreeFrame(TaskNode<?> node) {
            this.info = node.info();
            this.children = node.childNodes();
        }
    }

    private TaskInfo snapshot(TaskInfo.Failure failureInfo) {
        return new TaskInfo(id, parent == null ? null : parent.id, name, path(), status, priority, group,
                runtime.name(), tags, orchestrator.instantAt(createdNanos),
                startedNanos == UNSET ? null : orchestrator.instantAt(startedNanos),
                completedNanos == UNSET ? null : orchestrator.instantAt(completedNanos), attempts, dependencies, failureInfo,
                metrics(), progressNow(), childCount(), isRunaway(), List.of());
    }

    @Override
    public String toString() {
        return "SpawningTask[" + path() + " " + status + "]";
    }
}
