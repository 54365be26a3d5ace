package io.sweetasync;

import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.TaskClock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Function;

/**
 * How a task ends: the stop request (cancel, timeout, rejection, a failed dependency, a lost member), the
 * status moving forward, and {@link #finish()}, which decides the terminal status once and completes the
 * {@link #outcome}. The layer below, {@link TaskUserCode}, holds the context the task was created in and runs the
 * user code of its end. The layer above, {@link TaskChildren}, counts what the task waits for before
 * it can finish; {@link TaskAttempts} runs its body; {@link TaskNode} is the handle. A stop request is a
 * {@link Stop} (its {@link StopKind}); the exception of an end that did not complete is built by {@link EndErrors}.
 *
 * <h2>State</h2>
 * <ul>
 * <li>{@link #stop}: {@code null} until the first stop request (cancel, timeout, rejection, failed
 * dependency, lost member, or an upstream failure passed through by {@code chain}); the first one wins
 * (compare-and-set) and the task's terminal status follows from it. The winner tells the body
 * ({@link #stopBody()}: an idle body ends, a running one is interrupted).</li>
 * <li>{@link #status} only moves forward ({@link #advance}); {@link #finish()} alone sets the terminal
 * status, then records history, notifies listeners, completes {@link #outcome} and tells what follows it (the
 * tasks that wait for it, its futures), and finally gives up the task's share in its parent
 * ({@link #leaveParent()}), so a parent is never terminal before its children.</li>
 * <li>{@link #finished}: 0 until {@code finish()} runs, once (the thread that takes the task's count to
 * zero and a deadline's forced end race for it). {@code finish()} first <em>seals</em>
 * {@code stop} (a compare-and-set from {@code null} to {@link #SEALED}), so a stop that lands while the
 * status is being decided either decides it or fails: {@code cancel()} returns {@code true} exactly when
 * the task ends {@code CANCELLED}.</li>
 * </ul>
 *
 * <h2>Happens-before</h2>
 * The body's value or failure is written by the body's owner before it releases the body's share (a
 * volatile read-modify-write of the task's count, {@link TaskChildren}), and read by {@code finish()}
 * after the decrement that reached zero; waiters read the result through {@link #outcome}.
 *
 * <h2>Stop versus child registration</h2>
 * {@link #stop} is set before the children list is read under {@link #outcome}'s monitor; a child is added
 * under that lock before {@code stop} is read ({@link TaskChildren#addChild}). So a child added
 * concurrently with a stop is cancelled by one side or the other.
 */
abstract class TaskEnding<T> extends TaskUserCode<T> {

    private static final VarHandle STATUS = fieldHandle(MethodHandles.lookup(), "status", TaskStatus.class);
    private static final VarHandle STOP = fieldHandle(MethodHandles.lookup(), "stop", Stop.class);
    private static final VarHandle FINISHED = fieldHandle(MethodHandles.lookup(), "finished", int.class);

    /**
     * Put into {@link #stop} by {@link #finish()} when no stop request came first: from then on no stop
     * request can land, so the terminal status decided from {@code stop} is the one every caller sees.
     */
    private static final Stop SEALED = new Stop(null, "finished", null, null);

    /**
     * Completed by {@link #finish()} alone; waited on by the handle ({@link TaskNode}); its monitor is also
     * the lock of the children list ({@link TaskChildren}). Never handed out (see {@link TaskOutcome}).
     */
    final TaskOutcome<T> outcome = new TaskOutcome<>();
    private volatile TaskStatus status = TaskStatus.PENDING;
    private volatile Stop stop;
    /** 0 until {@link #finish()} runs (once: the normal path and a runaway's forced end race for it). */
    private volatile int finished;
    /** Body outcome; written by the body owner before it releases its share. */
    private T value;
    private Throwable failure;

    TaskEnding(TaskSettings settings, long idValue, TaskId givenId) {
        super(settings, idValue, givenId);
    }

    /**
     * A stop request has just won: ends the body if it is idle (giving back its share), interrupts it if it
     * runs. Called once, by the thread whose request won.
     */
    abstract void stopBody();

    /**
     * Gives up this task's share in its parent's count, once, when it finishes: returns the parent whose
     * count the caller must now decrement, or null (no parent, or one that had not counted it yet).
     */
    abstract TaskNode<?> leaveParent();

    // ---- state ----------------------------------------------------------------------------------

    /**
     * The status; an {@code anywhere()} handle whose body runs (it placed the work and waits for it) says
     * {@code QUEUED} until the work began where it was placed ({@link FollowedWork}).
     */
    @Override
    public TaskStatus status() {
        TaskStatus current = status;
        if (current == TaskStatus.RUNNING) {
            Occasional rare = occasionalOrNull();
            FollowedWork work = rare == null ? null : rare.followedWork;
            if (work != null && !work.started()) {
                return TaskStatus.QUEUED;
            }
        }
        return current;
    }

    /**
     * The status of this task's own run, here: an {@code anywhere()} handle whose body runs says {@code RUNNING},
     * whatever its work does where it was placed (counted there: {@link LiveTasks#queuedCount}).
     */
    final TaskStatus statusHere() {
        return status;
    }

    /** Moves status forward to {@code next}; false if it is already there, beyond, or terminal. */
    final boolean advance(TaskStatus next) {
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

    boolean isStopRequested() {
        Stop request = stop;
        return request != null && request != SEALED;
    }

    /** The stop request that decides this task's end, or null if none came before it finished. */
    Stop stopRequest() {
        Stop request = stop;
        return request == SEALED ? null : request;
    }

    /** Whether a stop request landed or {@link #finish()} sealed the task against one: no new work starts. */
    final boolean isStoppedOrSealed() {
        return stop != null;
    }

    /** Whether {@link #finish()} sealed the task before any stop request came. */
    final boolean isSealed() {
        return stop == SEALED;
    }

    /**
     * Whether this task was stopped by its orchestrator's shutdown: cancelled by the shutdown's own stop request
     * (its sweep once the grace passed, a queued body it refused, or a cancellation passed down from those to
     * children and dependents), not by a user's {@code cancel()}, whenever made (during the shutdown's grace, or
     * while its sweep runs), even if the task's body returned only after the shutdown began.
     */
    boolean cancelledByShutdown() {
        return status() == TaskStatus.CANCELLED && stopRequestedByShutdown();
    }

    /**
     * Whether a stop request has won that the shutdown made (see {@link #cancelledByShutdown()}); the body may
     * still run. Marked in the request itself, before it wins: a body ending at once on another thread reads it
     * with the stop.
     */
    boolean stopRequestedByShutdown() {
        Stop request = stop;
        return request != null && request.byShutdown();
    }

    /** Whether {@code finish()} has run (the task is terminal, or about to be). */
    boolean isFinished() {
        return finished != 0;
    }

    // ---- stopping -------------------------------------------------------------------------------

    /**
     * A stop request made here and now: a cancellation made by a body the shutdown is stopping (its clean-up
     * cancelling what it started, as the shutdown's sweep is about to) is passed down from the shutdown; any other
     * is its caller's own.
     */
    boolean stop(StopKind kind, String reason) {
        TaskNode<?> caller = kind == StopKind.CANCEL ? Carrier.currentTask() : null;
        boolean fromHere = caller != null && caller.orchestrator() == settings.orchestrator;
        return stop(fromHere ? Stop.passedDownFrom(caller, reason) : new Stop(kind, reason, null, null));
    }

    /**
     * Ends the task as rejected ({@link TaskRejectedException}) for {@code why}. A durable re-run (a stored invocation
     * this member claimed, found owned here, or was placed) turned away before it made an attempt here, for a queue
     * full, a wait for a permit too long or this member's shutdown, is no rejection of anyone's work: its invocation stays pending, is handed
     * over and runs at a later look ({@link DurableEnds#released}). Ended {@code FAILED} with a
     * {@link TaskRejectedException}, that bounce reached the listeners as a failed task (the {@code failed} outcome of
     * the tasks' timer, the failure-rate alert) once per look while its group stayed full, for work that then ran and
     * completed. It ends as what it is: this member's run of it called off before it began, {@code CANCELLED}, the
     * reason saying so ({@link #bounced}), as a run this member's shutdown stopped and hands over does.
     */
    boolean reject(RejectionReason why, String reason) {
        return stop(refusal(why, reason));
    }

    /**
     * The stop that refuses this task for {@code why} ({@link #reject}, and a root refused as it is made): a
     * {@link StopKind#REJECT}, but for a durable re-run that made no attempt here, whose invocation stays pending and
     * is handed over, which is called off ({@link #bounced}), for a shutdown as for a queue full. Refused by its
     * member's shutdown (made once the orchestrator stopped accepting, or refused by a closed runtime or clock), it
     * ended {@code FAILED} with a {@link TaskRejectedException}, the listeners' failed task, for work that then ran
     * elsewhere and completed.
     */
    final Stop refusal(RejectionReason why, String reason) {
        if (isDurable() && isUnrunRerun()) {
            return new Stop(StopKind.CANCEL, "turned away here before it ran (" + reason + "); its invocation "
                    + "stays pending, handed over: it runs again later", null, null, why);
        }
        return new Stop(StopKind.REJECT, reason, null, null, why);
    }

    /**
     * Whether this task was refused because its orchestrator shuts down (a root made once it stopped accepting, or one
     * its closed runtime or clock refused): it never ran. Rejected, or, a durable re-run, called off ({@link #refusal}).
     */
    boolean refusedByShutdown() {
        Stop request = stop;
        return request != null && request.rejection() == RejectionReason.SHUTDOWN;
    }

    /**
     * Whether this durable re-run was turned away here before it ran, for a queue full, a wait too long or its
     * member's shutdown ({@link #refusal}): ended {@code CANCELLED}, its invocation handed over to run again (the only
     * cancellation whose stop carries a rejection reason).
     */
    boolean bounced() {
        Stop request = stop;
        return request != null && request.kind() == StopKind.CANCEL && request.rejection() != null;
    }

    /**
     * Requests a stop: the first request wins. Ends a body that is not running, interrupts one that
     * is, and cancels the unfinished subtree (iteratively, however deep).
     */
    boolean stop(Stop request) {
        if (!stopThis(request)) {
            return false;
        }
        stopSubtree(stopReasonForChildren());
        return true;
    }

    /** The stop of this task alone: the first request wins; false if another came first or it finished. */
    boolean stopThis(Stop request) {
        if (!STOP.compareAndSet(this, null, request)) {
            return false;
        }
        if (request.kind() == StopKind.CANCEL) {
            releaseGetWaiters();
        }
        stopBody();
        return true;
    }

    /**
     * A future that completes when a cancellation of this task wins or its outcome completes, for
     * {@code Future.get} callers: as {@link java.util.concurrent.Future} requires, a {@code get()} already
     * waiting when {@code cancel} wins throws {@code CancellationException} then, not once the interrupted
     * body has returned. Made on first use; the stop is re-read after it is published (and
     * {@link #stopThis} reads it after its compare-and-set), so a cancellation racing with its creation
     * completes it from one side or the other.
     */
    final ManagedFuture<Void> cancelOrOutcome() {
        Occasional rare = occasional();
        ManagedFuture<Void> signal = rare.getWaiters;
        if (signal == null) {
            synchronized (rare) {
                signal = rare.getWaiters;
                if (signal == null) {
                    ManagedFuture<Void> made = new ManagedFuture<>();
                    rare.getWaiters = made;
                    outcome.whenComplete((result, never) -> made.complete(null));
                    signal = made;
                }
            }
        }
        Stop request = stop;
        if (request != null && request.kind() == StopKind.CANCEL) {
            signal.complete(null);
        }
        return signal;
    }

    private void releaseGetWaiters() {
        Occasional rare = occasionalOrNull();
        ManagedFuture<Void> signal = rare == null ? null : rare.getWaiters;
        if (signal != null) {
            signal.complete(null);
        }
    }

    /** Cancels every unfinished task below this one; see {@link TaskTrees#cancelBelow}. */
    final void stopSubtree(String reason) {
        TaskTrees.cancelBelow(self(), reason);
    }

    /**
     * The body failed for good: cancels the unfinished subtree, and every child started from now on as it is added
     * (SPEC 1.8 rule 4: the task, failed but not stopped, still waits for its children to return, and a context kept
     * by another thread may start more meanwhile). The reason is kept before the walk reads the children, and a child
     * is added under the lock the walk takes before its parent reads the reason ({@link TaskChildren#addChild}): one
     * side or both cancel it.
     */
    final void stopChildrenForGood() {
        String reason = "its parent " + label() + " failed";
        occasional().childrenCancelled = reason;
        stopSubtree(reason);
    }

    /** Whether a child added now must be stopped: this task was stopped or sealed, or its body failed for good. */
    final boolean stopsNewChildren() {
        Occasional rare;
        return isStoppedOrSealed() || (rare = occasionalOrNull()) != null && rare.childrenCancelled != null;
    }

    /** Reason given to children cancelled because this task stopped, or (none stopped it) its body failed for good. */
    String stopReasonForChildren() {
        Stop request = stop;
        if (request != null && request.kind() == StopKind.TIMEOUT) {
            return "its parent " + label() + " timed out";
        }
        Occasional rare = request == null || request == SEALED ? occasionalOrNull() : null;
        String failed = rare == null ? null : rare.childrenCancelled;
        return failed != null ? failed : "its parent " + label() + " was cancelled";
    }

    /**
     * Cancels a deadline or a retry of this task's. A user's clock may fail here as in {@code schedule}: thrown from
     * {@link #finish}, it left the status terminal and the outcome never completed ({@code join()} waited for ever);
     * from a stop, it reached {@code cancel()}'s caller. A checked exception too (the clock in a language without
     * them): caught as any other. An action that still fires finds the task ended: logged only.
     */
    static void cancel(TaskClock.Scheduled scheduled) {
        if (scheduled == null) {
            return;
        }
        try {
            scheduled.cancel();
        }
        catch (Throwable ex) {
            System.getLogger(TaskEnding.class.getName()).log(System.Logger.Level.WARNING,
                    "the clock failed to cancel a task's deadline or retry; it will find the task ended", ex);
        }
    }

    // ---- completion -----------------------------------------------------------------------------

    /** The body returned {@code result}; called by the body's owner before it gives back the body's share. */
    final void bodyReturned(T result) {
        value = result;
    }

    /** The body failed for good with {@code error}; called as {@link #bodyReturned}. */
    final void bodyFailed(Throwable error) {
        failure = error;
    }

    /**
     * Decides the terminal status, once: seals {@link #stop} (a stop request that lands first decides
     * the status; none can land after), then records, notifies and completes {@link #outcome}.
     *
     * @param now the time now on the orchestrator's clock
     * @return the parent whose share this task must now give back, or null
     */
    final TaskNode<?> finish(long now) {
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return null;
        }
        recordCompleted(now);
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
        // The error (whose snapshot shows the terminal status) and the failure it records go before the
        // status is published: a snapshot that reads a terminal status finds its failure too.
        AsyncTaskException error =
                terminal == TaskStatus.COMPLETED ? null : EndErrors.of(this, request, terminal, failure);
        if (error != null) {
            recordFailure(error.task().failure());
        }
        STATUS.setVolatile(this, terminal);
        TaskResult<T> result = error == null ? TaskResult.ok(value) : resultAfter(error, terminal);
        value = null;
        failure = null;
        Occasional rare = occasionalOrNull();
        if (rare != null) {
            cancel(rare.timeoutHandle);
            cancel(rare.retryHandle);
        }
        contextEnded(error == null ? null
                : terminal == TaskStatus.FAILED && error.getCause() != null ? error.getCause() : error);
        settings.orchestrator.parts().finished(self(), result);
        outcome.completeAndRunFollowers(result); // here, before it leaves its parent (see TaskOutcome#firstFollowerAdded)
        return leaveParent();
    }

    private TaskResult<T> resultAfter(AsyncTaskException error, TaskStatus terminal) {
        @SuppressWarnings("unchecked") // the settings were resolved from this task's own spec, of T
        Function<? super AsyncTaskException, ? extends T> fallback =
                (Function<? super AsyncTaskException, ? extends T>) settings.fallback;
        if (fallback == null || terminal == TaskStatus.CANCELLED) {
            return TaskResult.err(error);
        }
        try {
            return TaskResult.ok(whileEnding("the fallback", () -> withContext(() -> fallback.apply(error))));
        }
        catch (Throwable t) {
            TaskFailedException failed = new TaskFailedException(error.task(), t);
            failed.addSuppressed(error);
            return TaskResult.err(failed);
        }
    }

    /**
     * Called on the body's thread just before user code of the attempt runs: a stop that arrived since
     * the attempt started (while listeners' {@code onStarted} or a propagator ran, which may have
     * swallowed its interrupt) interrupts the thread again, so that the body still sees it.
     */
    void reassertStop() {
        if (isStopRequested() && !Thread.currentThread().isInterrupted()) {
            Thread.currentThread().interrupt();
        }
    }
}
