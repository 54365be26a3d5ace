package io.sweetasync;

import io.sweetasync.limit.ConcurrencyLimiter;
import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * A task's submission: queueing an attempt (arming the deadline on the first), the group's permit, handing the
 * task to its runtime, and scheduling on the orchestrator's clock (the deadline's, a retry's). The layer above,
 * {@link TaskAttempts}, runs the attempts and stops the body; the layers below bound the task by its deadline
 * ({@link TaskDeadline}), count what it waits for ({@link TaskChildren}) and decide how it ends
 * ({@link TaskEnding}).
 *
 * <h2>Invariants</h2>
 * An attempt is queued only while the body is idle ({@link #bodyIdle()}) and the task neither stopped nor sealed;
 * a stop between the checks and the hand-over is caught by re-reading after it (the deadline armed, the permit
 * request stored, the permit granted). An admission stores its permit request only over its own placeholder
 * ({@link #admit}), so an earlier attempt's, stored late, never hides a retry's waiting request from a stop. A
 * granted permit is stored in {@link Occasional#permit} and given back exactly once (an atomic take,
 * {@link #releasePermit}); whoever sees the stop second gives it back. A runtime
 * that refuses the task rejects it; a user's executor or clock that fails otherwise fails it
 * ({@link #failOutsideAnAttempt}), so no task stays QUEUED for ever. {@link #enqueueSeq} and {@link #withdrawn}
 * belong to a pooled runtime's {@link RunQueue}, guarded by its lock.
 */
abstract class TaskSubmission<T> extends TaskDeadline<T> {

    /** Position in a pooled runtime's {@link RunQueue}, -1 when not queued. Guarded by that runtime's lock. */
    long enqueueSeq = -1;
    /** Set when the task ended while queued in a pooled runtime ({@link RunQueue#withdraw}); guarded by its lock. */
    boolean withdrawn;

    TaskSubmission(TaskSettings settings, long idValue, TaskId givenId) {
        super(settings, idValue, givenId);
    }

    /** Whether the body is idle: not started, or between attempts (see {@link TaskAttempts}). */
    abstract boolean bodyIdle();

    /**
     * A user's executor or clock failed while no attempt runs: the task fails with that error (see
     * {@link TaskAttempts#failOutsideAnAttempt}).
     */
    abstract void failOutsideAnAttempt(Throwable ex);

    /** Queues the first attempt on the runtime; no effect if the task was stopped meanwhile. */
    void submit() {
        submit(clockNow());
    }

    /**
     * As {@link #submit()}, for a task that waited for others to complete ({@code after}, {@code chain}), submitted
     * by the last of them to end; {@code fromAnEnd}: one had not ended when this task was made, so this may be called
     * inside that one's end ({@link TaskOutcome}'s dependents' actions), which settles its {@code toCompletableFuture()}
     * futures and leaves its parent only after them. Our runtimes only queue the task there (or start its thread);
     * an executor of the user's may run the body on the thread it is given ({@code Runnable::run},
     * {@code CallerRunsPolicy}): the whole body would run inside that end, holding the dependency's future waiters and
     * its parent, and a body waiting for such a future (made before the dependency ended) would never end. Such a
     * task is handed over {@link #offThisStackOnUsersExecutor}, as one whose permit is handed over is. A task whose
     * dependencies had all ended when it was made is submitted by its maker, on its thread, as any other task.
     */
    void submitAfterItsDependencies(boolean fromAnEnd) {
        outcome.upstreamsEnded(); // none is left to let go of this task: it need not keep them while it runs
        if (fromAnEnd) {
            offThisStackOnUsersExecutor("sweet-async-dependent", this::submit);
        }
        else {
            submit();
        }
    }

    /**
     * Runs {@code action}, which hands this task to its runtime, on this thread if the runtime is one of ours (they
     * only queue the task, or start its thread); on an executor of the user's, from a virtual thread of its own
     * ({@link #onThreadOfItsOwn}). Such an executor may run the whole body on the thread it is given
     * ({@code Runnable::run}, {@code CallerRunsPolicy}), and the code that called here would go on only once the
     * body returned: another task's end (a dependent's submission, a handed-over permit) or the clock's action
     * thread (a retry's delay), whose deadlines then fired late, or not at all while virtual bodies computed.
     */
    final void offThisStackOnUsersExecutor(String name, Runnable action) {
        if (settings.runtime instanceof ExecutorRuntime) {
            onThreadOfItsOwn(name, action);
        }
        else {
            action.run();
        }
    }

    /**
     * As {@link #submit()}, for a task queued as it was created (no user code ran since, such as a
     * listener's {@code onCreated}): its creation time is its queue time, one reading of the clock fewer.
     */
    void submitAsCreated() {
        submit(createdNanos());
    }

    private void submit(long now) {
        if (!bodyIdle() || isStoppedOrSealed() || !advance(TaskStatus.QUEUED)) {
            return;
        }
        recordQueued(now);
        settings.orchestrator.parts().notifyQueued(self());
        if (settings.timeout != null && !deadlineArmed()) {
            armDeadline();
            if (!bodyIdle() || isStoppedOrSealed()) {
                return; // the clock failed or refused: the task has ended
            }
        }
        admit();
    }

    /** Runs the next attempt, through the group's limiter if the task has a group. */
    final void admit() {
        ConcurrencyLimiter limiter = settings.limiter;
        if (limiter == null) {
            execute();
            return;
        }
        Occasional rare = occasional();
        // The request is known only once acquire returns, and a permit free now runs this attempt inside it: the
        // attempt may fail and its retry queue the next request, from another thread, before this one is stored.
        // This admission holds the field with a placeholder of its own meanwhile (written before acquire, so before
        // any later admission's), and stores its request only over that: never over the retry's, which a stop
        // would then miss, leaving its waiter a queue slot until granted. A stop that reads the placeholder
        // withdraws nothing: the check after the store does.
        ConcurrencyLimiter.Request admitting = new Admitting();
        rare.permitRequest = admitting;
        Consumer<ConcurrencyLimiter.Permit> onGranted = granted -> {
            rare.permit = granted;
            if (isStoppedOrSealed()) {
                // Stopped as the permit was being handed over: the stop found no permit to give back and a
                // request no longer waiting. Stored, then read: a stop sets its request before it takes the
                // permit, so one side gives it back, now, not once the runtime comes by the dead task.
                releasePermit(PermitRelease.IGNORE);
                return;
            }
            if (granted.handedOver()) {
                // Handed over by another task's release (inside its end), wait (inside its join) or rejection.
                offThisStackOnUsersExecutor("sweet-async-handed-over", this::execute);
                return;
            }
            execute();
        };
        Consumer<ConcurrencyLimiter.Rejection> onRejected =
                rejection -> reject(rejection.reason(), rejection.message());
        // A durable re-run's first attempt here asks uncounted: turned away, it is handed over and runs at a later
        // look (TaskEnding#reject), rejecting nobody's work; a group full for long would count it at every look.
        ConcurrencyLimiter.Request request = isDurable() && isUnrunRerun()
                ? limiter.acquireUncounted(settings.priority, onGranted, onRejected)
                : limiter.acquire(settings.priority, onGranted, onRejected);
        Occasional.PERMIT_REQUEST.compareAndSet(rare, admitting, request);
        // A stop that landed while the request was being queued may have missed it: withdraw it here.
        if (isStoppedOrSealed()) {
            request.cancel();
        }
    }

    /** An admission's place in {@link Occasional#permitRequest} until its request is known; a new one each time. */
    private static final class Admitting implements ConcurrencyLimiter.Request {
        @Override
        public boolean cancel() {
            return false;
        }
    }

    /** Runs {@code action} on a virtual thread of its own, or on this one if none can start: nested, not never. */
    static void onThreadOfItsOwn(String name, Runnable action) {
        try {
            Thread.ofVirtual().name(name).start(action);
        }
        catch (RuntimeException | Error noThread) {
            action.run();
        }
    }

    private void execute() {
        try {
            settings.runtime.execute(self());
        }
        catch (RejectedExecutionException ex) {
            releasePermit(PermitRelease.IGNORE);
            // Our runtimes refuse only once closed; a user's executor may refuse for its own reasons (saturated,
            // shut down): its words, which "is closed" would hide.
            if (settings.runtime instanceof ExecutorRuntime users) {
                reject(users.refusalReason(), "runtime '" + settings.runtime.name()
                        + "' (an executor of yours) refused the task: " + ex.getMessage());
            }
            else {
                reject(RejectionReason.SHUTDOWN, "runtime '" + settings.runtime.name() + "' is closed");
            }
        }
        catch (Throwable ex) {
            // A user's executor failed otherwise (its own bug, a closed resource, no thread could be made:
            // OutOfMemoryError "unable to create native thread", a checked exception its language does not declare):
            // see failOutsideAnAttempt.
            failOutsideAnAttempt(ex);
        }
    }


    /** The group permit this task's current attempt holds, or null. */
    final ConcurrencyLimiter.Permit heldPermit() {
        Occasional rare = occasionalOrNull();
        return rare == null ? null : rare.permit;
    }

    /** How a held permit is returned to its limiter. */
    enum PermitRelease { IGNORE, SAMPLE, DROPPED }

    /** Returns the permit, if this task holds one; exactly once per permit (an atomic take). */
    final void releasePermit(PermitRelease how) {
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
    @Override
    final TaskClock.Scheduled schedule(Duration delay, Runnable action) {
        if (TaskClock.isPracticallyNever(delay)) {
            return null;
        }
        TaskClock clock = settings.orchestrator.parts().clock();
        try {
            if (clock instanceof SystemClock) {
                return clock.schedule(delay, action); // runs its actions on threads of its own
            }
            // A clock of the user's may run an action due now at once, on this thread (TaskClock: "on any thread"):
            // not inside the code that scheduled it (zero-delay retries on a caller-runs executor would nest one
            // attempt in the one before, until the stack overflowed).
            NotOnSchedulingStack due = new NotOnSchedulingStack(action);
            TaskClock.Scheduled scheduled = clock.schedule(delay, due);
            due.scheduling = null;
            return scheduled;
        }
        catch (RejectedExecutionException ex) {
            reject(RejectionReason.SHUTDOWN, "the orchestrator's clock is closed");
            return null;
        }
        catch (Throwable ex) { // a user's clock: any failure, a checked one its language does not declare too
            failOutsideAnAttempt(ex);
            return null;
        }
    }

    /** An action that, run by the thread scheduling it before its schedule returned, runs on a thread of its own. */
    private static final class NotOnSchedulingStack implements Runnable {
        private final Runnable action;
        /** Plain: only the scheduling thread, which wrote it, can find itself here. */
        Thread scheduling = Thread.currentThread();

        NotOnSchedulingStack(Runnable action) {
            this.action = action;
        }

        @Override
        public void run() {
            if (scheduling == Thread.currentThread()) {
                onThreadOfItsOwn("sweet-async-due", action);
            }
            else {
                action.run();
            }
        }
    }
}
