package io.sweetasync;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.spi.TaskClock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;

/**
 * The state only some tasks need (a deadline, a retry, a group's permit, a failure, sampled figures, a durable
 * task's marks),
 * out of the task's own object so that a plain task does not carry its fields: made on first use by
 * {@link TaskFacts#occasional()} (compare-and-set: every thread sees the same one), read through
 * {@link TaskFacts#occasionalOrNull()} (null: none of its fields was ever set).
 *
 * <p>Invariants: at most one per task, published by the compare-and-set on the task's field; every field
 * is volatile and written by the step that owns it (see each field); {@link #lateFigures} moves only by atomic
 * adds; {@link #permitRequest} is replaced by its admission's request only while it holds that admission's
 * placeholder ({@link #PERMIT_REQUEST} compare-and-set); {@link #permit} is taken once, by a
 * {@link #PERMIT} get-and-set, and {@link #sampled} created once, by a {@link #SAMPLED} compare-and-set (a
 * losing racer's object is dropped unused).
 */
final class Occasional {
    static final VarHandle PERMIT = TaskFacts.fieldHandle(MethodHandles.lookup(), "permit",
            ConcurrencyLimiter.Permit.class);
    static final VarHandle PERMIT_REQUEST = TaskFacts.fieldHandle(MethodHandles.lookup(), "permitRequest",
            ConcurrencyLimiter.Request.class);
    static final VarHandle SAMPLED = TaskFacts.fieldHandle(MethodHandles.lookup(), "sampled",
            SampledFigures.class);
    static final VarHandle LATE_FIGURES = TaskFacts.fieldHandle(MethodHandles.lookup(), "lateFigures", int.class);

    /** The deadline armed at submission and the retry waiting to run, if any. */
    volatile TaskClock.Scheduled timeoutHandle;
    volatile TaskClock.Scheduled retryHandle;
    /** A granted permit not yet released; taken (set to null) exactly once by whoever releases it. */
    volatile ConcurrencyLimiter.Permit permit;
    /**
     * The pending permit request of the current attempt, if any: written by that attempt's admission, first a
     * placeholder of its own, then (a {@link #PERMIT_REQUEST} compare-and-set from that placeholder) the request,
     * so that the request of an earlier attempt, stored late, never replaces a later one's.
     */
    volatile ConcurrencyLimiter.Request permitRequest;
    /** Why the task did not complete; set when it finishes, kept when a fallback supplied the value. */
    volatile TaskInfo.Failure failureInfo;
    /** Figures attributed from JFR events; created when the first attempt opens its slice. */
    volatile SampledFigures sampled;
    /**
     * Completed when a cancellation of the task wins or its outcome completes; made by the first
     * {@code Future.get} that has to wait (see {@link TaskEnding#cancelOrOutcome}).
     */
    volatile ManagedFuture<Void> getWaiters;
    /**
     * The figures of the work this task only follows (an {@code anywhere()} or placed durable task's handle: the
     * work ran as a task elsewhere, or as its child here), once known; {@link TaskFacts#metrics()} answers them.
     */
    volatile Supplier<TaskMetrics> workFigures;
    /**
     * The work an {@code anywhere()} handle follows, set before the handle is submitted: while it has not begun,
     * the handle's status says {@code QUEUED} ({@link TaskEnding#status()}).
     */
    volatile FollowedWork followedWork;
    /**
     * Why the task's children are cancelled as they are added, set once its body failed for good
     * ({@link TaskEnding#stopChildrenForGood}): its unfinished children then are cancelled, and so is a child started
     * after that (through its context, kept by another thread) while it waits for them. Null otherwise.
     */
    volatile String childrenCancelled;
    /**
     * Whether the task is being ended at once with its subtree (its forced end, {@link TaskDeadline}), which listed
     * its children: a child its body (a runaway) starts from then on is refused, as after its end, or it was not in
     * the list and ended after its parent. Written and read under the task's monitor ({@link TaskChildren#addChild}).
     */
    boolean closedToChildren;
    /**
     * Whether the task only follows work (an {@code anywhere()} handle, a placed durable task's mirror): no load of this
     * member ({@link ClusterPlacement#liveTasks}) from when it is counted live to just before it is not. Set before it
     * is counted, read by {@link FinishedTasks}.
     */
    volatile boolean followsWork;
    /**
     * Set on a root rejected as it was made (the orchestrator shutting down), before it can finish: it was never in the
     * live-roots registry, so its end leaves it without taking a stripe's monitor ({@link LiveTasks#finished}).
     */
    volatile boolean neverRegistered;
    /**
     * The runaway attempts whose figures are not in yet (the low bits: 0 or 1), and the flag the finisher adds
     * once it showed pending figures: see {@link TaskFigures#holdFiguresWhileBodyRuns}. 0 for all but runaways
     * (and tasks whose sampled figures were pending at their end). Changed only by atomic adds
     * ({@link #LATE_FIGURES}).
     */
    @SuppressWarnings("unused") // through LATE_FIGURES
    volatile int lateFigures;
    /**
     * A durable task's marks ({@link TaskFigures#markDurable}), set before it is submitted: whether it is durable
     * (written last), the runs its stored invocation had before this one, and whether it runs again a stored
     * invocation (claimed, found owned here), not its first start.
     */
    volatile boolean durable;
    volatile int priorAttempts;
    volatile boolean rerun;
}
