package io.sweetasync;

import io.sweetasync.internal.Timeouts;
import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.spi.TaskClock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * A task's body and its attempts: running an attempt on a runtime's thread, retries, and stopping the body (an
 * idle one ends, a running one is interrupted). The layers below submit it ({@link TaskSubmission}: the group's
 * permit, the runtime, the clock), bound it by its deadline ({@link TaskDeadline}), count what the task waits
 * for ({@link TaskChildren}) and decide how it ends ({@link TaskEnding}); {@link TaskNode} is the handle.
 *
 * <h2>State</h2>
 * {@link #bodyState}: {@code IDLE} (not started, or between attempts) → {@code RUNNING} → back to
 * {@code IDLE} for a retry, or → {@code DONE}. Only the thread that moved it to {@code RUNNING} moves it
 * on from there; a stop request moves {@code IDLE} → {@code DONE} itself ({@link #stopBody()}). Whoever
 * moves it to {@code DONE} releases the body's share of the task's count, exactly once, after writing the
 * body's value or failure ({@link TaskEnding#bodyReturned}, {@link TaskEnding#bodyFailed}). An
 * attempt gives back the permit it ran with ({@link TaskSubmission#releasePermit}) before the task can end.
 * {@link #carrier} is set before {@code bodyState} becomes {@code RUNNING}, so a stop that sees
 * {@code RUNNING} interrupts the right thread (only while this task is the innermost body on it).
 */
abstract class TaskAttempts<T> extends TaskSubmission<T> {

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;

    private static final VarHandle BODY_STATE = fieldHandle(MethodHandles.lookup(), "bodyState", int.class);
    private static final VarHandle CARRIER = fieldHandle(MethodHandles.lookup(), "carrier", Carrier.class);

    /** Cleared once the body is done, so that finished tasks retain nothing of the user's. */
    private volatile Callable<? extends T> work;
    private volatile int bodyState = IDLE;
    /**
     * The carrier of the running attempt; set before bodyState becomes RUNNING, cleared by the attempt's
     * thread when it is done with the task (only if it is still its own: a retry may have set another).
     * Not kept after: a virtual body's carrier holds its thread, hundreds of bytes a finished task (kept by
     * its parent, its handle, its pending figures) would retain for nothing.
     */
    private volatile Carrier carrier;

    TaskAttempts(TaskSettings settings, long idValue, TaskId givenId, Callable<? extends T> work) {
        super(settings, idValue, givenId);
        this.work = work;
    }

    /**
     * A user's executor or clock failed (its own bug, a closed resource, an {@link Error} such as no thread
     * could be made) while no attempt runs: the task fails with that error, as an attempt whose bookkeeping
     * failed does, instead of staying QUEUED or waiting for a retry for ever (this runs on run()'s caller, a
     * limiter's grant or the clock's thread: nobody else would end it).
     */
    @Override
    final void failOutsideAnAttempt(Throwable ex) {
        releasePermit(PermitRelease.IGNORE);
        if (BODY_STATE.compareAndSet(this, IDLE, RUNNING)) {
            bodyFailed(ex);
            stopChildrenForGood();
            endBody();
        }
    }

    /**
     * Runs one attempt on the calling thread (a runtime's thread); never throws. The thread leaves the
     * body (its carrier no longer names this task, a pending interrupt is cleared) before anything
     * after the body runs, so completion callbacks, listeners and the fallback never run as if inside
     * a finished task, nor with the body's interrupt still set. An interrupt the thread had before is its
     * owner's (a caller-runs executor's caller, an enclosing body's own): no stop of this body, which does not
     * see it, and set again once the attempt is over. (On the engine's own threads, one left between bodies is
     * no one's, and stays cleared.) The thread's name, context class loader and priority are given back as they were
     * before the body (and its {@code onStarted} listeners) ran, also when it threw, before anything after it runs
     * ({@link ThreadState#restore}).
     */
    void runAttempt() {
        runAttempt(Carrier.current());
    }

    /** As {@link #runAttempt()}, on the current thread whose carrier is {@code here}. */
    void runAttempt(Carrier here) {
        if (settings.orchestrator.parts().isCancellingAll() && !isStoppedOrSealed()) {
            stop(Stop.shutdown("the orchestrator shut down before it started"));
        }
        Thread thread = Thread.currentThread();
        boolean interruptedBefore = thread.isInterrupted();
        // what the body may change of a thread that runs other code after it, given back as it leaves (below)
        String name = thread.getName();
        ClassLoader loader = thread.getContextClassLoader();
        int priority = thread.getPriority();
        TaskNode<?> enclosing = here.enter(self());
        boolean ownersInterrupt = interruptedBefore && (enclosing != null || !here.runsOnlyBodies());
        carrier = here;
        boolean claimed = false;
        boolean ran = false;
        T result = null;
        Throwable error = null;
        long start = 0;
        try {
            claimed = BODY_STATE.compareAndSet(this, IDLE, RUNNING);
            if (claimed && !isStoppedOrSealed()) {
                ran = true;
                start = startAttempt();
                ResourceMeter meter = ResourceMeter.start(self(), settings.orchestrator.resourceTracking(),
                        settings.orchestrator.parts().attribution());
                try {
                    // The body starts interrupted exactly when its task was stopped: an interrupt left on this
                    // thread by code that ran here before (listeners, another task's end on a pooled worker, an
                    // enclosing body, whose own stop Carrier.resume re-asserts) is no stop of this one.
                    Thread.interrupted();
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
            try {
                // the engine's step (say, a thread class refusing it): the attempt fails with it
                Throwable failed = ThreadState.restore(thread, name, loader, priority);
                if (failed != null) {
                    error = withRestoreFailure(error, failed);
                }
            }
            catch (Throwable t) {
                error = withRestoreFailure(error, t);
            }
            here.exit(enclosing);
        }
        try {
            if (!claimed) {
                releasePermit(PermitRelease.IGNORE);
            }
            else if (!ran) {
                releasePermit(PermitRelease.IGNORE);
                endBody(); // gives a runaway's thread back if the task ended meanwhile
            }
            else {
                afterAttempt(start, result, error);
            }
        }
        finally {
            here.resume(enclosing);
            CARRIER.compareAndSet(this, here, null);
            if (ownersInterrupt) {
                thread.interrupt();
            }
        }
    }

    /**
     * The attempt's error once giving the thread back failed with {@code failure}: that failure if the body did not
     * fail, else the body's error with it suppressed. Never throws, so the thread still leaves the body and the
     * attempt still ends: the failure may be the body's very error (the JVM throws one shared
     * {@code OutOfMemoryError} once its preallocated ones are used, and self-suppression throws), or recording it may
     * find no memory either; the body's error is kept then.
     */
    private static Throwable withRestoreFailure(Throwable error, Throwable failure) {
        if (error == null) {
            return failure;
        }
        if (error != failure) {
            try {
                error.addSuppressed(failure);
            }
            catch (Throwable ignored) { // no memory for the suppressed list: the body's error is what counts
            }
        }
        return error;
    }

    /** Bookkeeping at the start of an attempt; returns its start time. */
    private long startAttempt() {
        long start = recordAttemptStart();
        advance(TaskStatus.RUNNING);
        settings.orchestrator.parts().notifyStarted(self());
        return start;
    }

    private void afterAttempt(long start, T result, Throwable error) {
        long end = recordAttemptEnd(start);
        Stop stopped = stopRequest();
        // Giving a permit back may run the next holder's work on this thread: then the end is no longer now.
        boolean endIsNow = heldPermit() == null;
        if (!endIsNow) { // only a task of a group holds a permit: no cause walk for the others' failures
            releasePermit(stopped != null
                    ? (stopped.kind() == StopKind.TIMEOUT ? PermitRelease.DROPPED : PermitRelease.IGNORE)
                    : error == null ? PermitRelease.SAMPLE
                    // A failure is no latency sample (one that comes fast would read as a healthy downstream and
                    // raise the limit), but a timeout is the overload signal, as the task's own timeout is.
                    : Timeouts.isTimeout(error) ? PermitRelease.DROPPED : PermitRelease.IGNORE);
        }
        if (isFinished()) {
            // A runaway: its waiters were released at the deadline; only the body's share (and its thread) is left
            // to give back.
            endBody();
        }
        else if (error == null) {
            bodyReturned(result);
            if (endIsNow) {
                endBody(end); // the task ends as its body did: one reading of the clock for both
            }
            else {
                endBody();
            }
        }
        else if (isStoppedOrSealed()) {
            endBody();
        }
        else {
            afterFailure(attempts(), error);
        }
    }

    private void afterFailure(int attempt, Throwable error) {
        Duration delay;
        try {
            // A handler's value of the wrong type is not mended by running the handler again.
            delay = error instanceof WrongResultType ? null : settings.retry.nextDelay(attempt, error).orElse(null);
        }
        catch (RuntimeException | Error policyFailure) {
            // A retry policy that throws must not strand the task: it fails, with the policy's error attached.
            error.addSuppressed(policyFailure);
            delay = null;
        }
        if (delay == null) {
            bodyFailed(error);
            stopChildrenForGood();
            endBody();
            return;
        }
        // Marked as the task's end is: nothing of it moves on (no retry is scheduled) until the listeners return,
        // so a listener's wait for the task, or for one that cannot end before it, is refused, not endless.
        Duration after = delay;
        OrchestratorParts parts = settings.orchestrator.parts();
        runWhileEnding("an onRetrying listener", () -> parts.notifyRetrying(self(), error, after));
        bodyState = IDLE;
        if (isStoppedOrSealed()) {
            if (BODY_STATE.compareAndSet(this, IDLE, DONE)) {
                bodyEnded();
            }
            if (isFinished()) {
                // Ended at its deadline while the listeners ran (the body counted as running): a runaway until
                // now, whose thread (a pooled runtime's extra slot) is given back as a returning body's is.
                returnedAfterItsEnd();
            }
            return;
        }
        if (delay.isZero() && settings.runtime.queuesByPriority()) {
            // Queued now, by priority, before this thread goes back for work: through the clock's thread, the slot
            // this attempt leaves went to whatever was queued meanwhile, a LOW task before a HIGH retry. (A pooled
            // runtime only queues it here; a user's executor may run it on this thread, so it goes through the clock.)
            resubmit();
            return;
        }
        // Fired on the clock's action thread, which an executor of the user's would lend the whole attempt.
        TaskClock.Scheduled retry = schedule(delay, () -> offThisStackOnUsersExecutor("sweet-async-retry", this::resubmit));
        occasional().retryHandle = retry;
        if (bodyState != IDLE) {
            // Stopped while the retry was armed: stopBody() ended the idle body before the handle was stored
            // (it reads it after its compare-and-set, so one side cancels it), or the retry already ran.
            cancel(retry);
        }
    }

    private void resubmit() {
        if (bodyState == IDLE && !isStoppedOrSealed()) {
            recordQueued();
            admit();
        }
    }

    /** Called by the owner of RUNNING. */
    private void endBody() {
        bodyState = DONE;
        // Ended at its deadline while this thread, its body's, ran the engine's work after the body (the end of
        // its subtree, whose user code outlived the deadline's grace): a runaway until now. (Read before the
        // release below, which may end the task itself.)
        boolean forcedEnd = isFinished();
        bodyEnded();
        if (forcedEnd) {
            returnedAfterItsEnd();
        }
    }

    /**
     * The body of this task, which ended while it ran, has returned; called once, by the owner of its attempt, after
     * it changed the body's state. Lets go of the part of the tree below it if its root has let go of the rest
     * ({@link TaskChildren#bodyReturnedForgetTree}), whether or not the runaway registry recorded the body: one that
     * began as its task's forced end went down the tree (a retry claiming its attempt after that end looked for
     * running bodies, before it stopped the task) runs on unrecorded, and its part was kept for good. Then gives the
     * body's thread back if it was recorded ({@link Runaways#returned}).
     */
    private void returnedAfterItsEnd() {
        bodyReturnedForgetTree();
        settings.orchestrator.parts().runawayTasks().returned(self());
    }

    /**
     * As {@link #endBody()}, by the owner of RUNNING who read the clock at {@code now}, just before. Its caller saw the
     * task not finished, but a forced end may finish it before the state changes here (the body, still running, then
     * counted as a runaway): read again after, as {@code endBody()} does, or the registry kept it (and its pooled
     * thread's extra slot) for good.
     */
    private void endBody(long now) {
        bodyState = DONE;
        boolean forcedEnd = isFinished();
        leaveBody();
        release(now);
        if (forcedEnd) {
            returnedAfterItsEnd();
        }
    }

    private void bodyEnded() {
        leaveBody();
        release();
    }

    /** The body is done: nothing of the user's is kept, and unfinished children now hold shares. */
    private void leaveBody() {
        work = null;
        countChildren();
    }

    @Override
    final void stopBody() {
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
                    settings.runtime.withdraw(self()); // a queued attempt that will never run: out of the queue's count
                    bodyEnded();
                    return;
                }
            }
            else {
                Carrier running = carrier;
                if (state == RUNNING && running != null) {
                    running.interruptIfRunning(self());
                }
                return;
            }
        }
    }

    /**
     * The current thread's carrier: this task's own while its attempt runs here (the usual thread of its
     * end, whose lookup this saves), else looked up (made on first use).
     */
    @Override
    final Carrier carrierHere() {
        Carrier mine = carrier;
        return mine != null && mine.thread() == Thread.currentThread() ? mine : Carrier.current();
    }

    /** The pooled runtime's worker thread that runs this task's body; null if none (or the body has returned). */
    ThreadCarrier pooledCarrier() {
        return carrier instanceof ThreadCarrier worker && worker.pool() != null ? worker : null;
    }

    @Override
    final boolean bodyIdle() {
        return bodyState == IDLE;
    }

    /** Whether an attempt's body runs now (see {@link TaskDeadline#bodyRunning}). */
    @Override
    final boolean bodyRunning() {
        return bodyState == RUNNING;
    }
}