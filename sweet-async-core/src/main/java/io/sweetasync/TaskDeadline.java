package io.sweetasync;

import io.sweetasync.limit.RejectionReason;
import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A task's deadline: armed once ({@code settings.timeout} from submission, or from creation for a task that
 * waits for its {@code after} dependencies first), it stops the task, gives its body {@link #RUNAWAY_GRACE}
 * to return, and if it has not, ends the task and its unfinished subtree at once so that no waiter waits
 * past it; the end another stop decides (a rejection, a lost run) is bounded alike ({@link #stop(Stop)}). The
 * layer above, {@link TaskSubmission}, schedules on the orchestrator's clock ({@link TaskAttempts} runs the body);
 * the layers below count what the task waits for ({@link TaskChildren}) and decide how it ends
 * ({@link TaskEnding}).
 *
 * <h2>Invariants</h2>
 * At most one deadline per task: its handle is stored in {@link Occasional#timeoutHandle} before the task can
 * read it, and {@link #armDeadline} cancels it itself if the task finished meanwhile (finish() reads the handle
 * after it marks the task finished, so one side cancels it). The deadline's action runs on a timer action's own
 * thread, never a runtime's. The forced end registers every still-running body as a runaway (and replaces its
 * pooled thread) before it ends any task (a body that began since, as the ends of tasks below ran user code, before
 * it ends that body's task), ends children before their parents, and calls no progress supplier:
 * one may wait for a lock a runaway body holds. A runaway ({@link #isRunaway()}) keeps its thread and its group
 * permit until its body returns, and then only gives back its share.
 */
abstract class TaskDeadline<T> extends TaskChildren<T> {

    /** How long a timed-out body has to return after its interrupt before its waiters are released without it. */
    static final Duration RUNAWAY_GRACE = Duration.ofMillis(100);

    TaskDeadline(TaskSettings settings, long idValue, TaskId givenId) {
        super(settings, idValue, givenId);
    }

    /**
     * Schedules {@code action} on the orchestrator's clock; null if {@code delay} is practically endless, or if
     * the clock refused or failed (the task has then ended).
     */
    abstract TaskClock.Scheduled schedule(Duration delay, Runnable action);

    /**
     * Arms the task's deadline ({@code settings.timeout} from now): at submission, or at creation for a task
     * that waits for its {@code after} dependencies first (the deadline is the whole task's: the wait for them
     * counts, so a caller's wait is bounded however long they take). At most once per task: {@link #submit}
     * arms it only if creation did not.
     */
    final boolean deadlineArmed() {
        Occasional rare = occasionalOrNull();
        return rare != null && rare.timeoutHandle != null;
    }

    final void armDeadline() {
        TaskClock.Scheduled deadline = schedule(settings.timeout, this::timedOut);
        occasional().timeoutHandle = deadline;
        if (isFinished()) {
            // Finished while the deadline was armed (a cancel racing run()): finish() found no handle to
            // cancel, and the timer would hold the finished task for the whole timeout. Stored, then
            // read: finish() reads the handle after it marks the task finished, so one side cancels it.
            cancel(deadline);
        }
    }

    /**
     * The deadline passed: stop the task, give its body {@link #RUNAWAY_GRACE} to return, and if it has
     * not, end the task and its subtree now so that no waiter waits past the deadline. Runs on a timer
     * action's own thread, never a runtime's. On the orchestrator's own clock the grace is an action of its own
     * ({@link #endTimedOutNow}), not a wait here (its actions are short, as {@code TaskClock} says): each of many
     * deadlines due at once held a clock action thread for the grace (bodies that ignore their interrupt), the
     * later ones waited for one past {@code SystemClock.ACTION_WAIT}, then ran on virtual threads that never ran
     * while virtual bodies computed on every carrier. With a clock of the user's (a manual one, whose time moves
     * only when told), or once the clock is closed, the grace is waited for here, in real time, as before.
     */
    private void timedOut() {
        if (!stop(StopKind.TIMEOUT, "timed out after " + settings.timeout) && (outcome.isDone() || isSealed())) {
            return; // ended, or ending with its body done: nothing left to bound
        }
        if (outcome.isDone()
                || settings.orchestrator.parts().scheduleInRealTime(RUNAWAY_GRACE, this::endTimedOutNow) != null) {
            return;
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
     * As {@link TaskEnding#stop(Stop)}. A stop that decides an end other than a cancellation's or the deadline's
     * (a rejection, a lost run, a failure passed down a chain) makes the task done ({@code isDone()}), but
     * {@code get} has no answer until its body and children returned: bounded as after the deadline, the task and
     * its unfinished subtree end at once ({@link #forceEnd}) if they have not within {@link #RUNAWAY_GRACE}. (A
     * cancellation needs no bound: {@code get} answers it at once; nor does a root rejected as it is made:
     * {@link #rejectAsMade}.)
     */
    @Override
    final boolean stop(Stop request) {
        if (!super.stop(request)) {
            return false;
        }
        if (request.kind() != StopKind.CANCEL && request.kind() != StopKind.TIMEOUT && !isFinished()) {
            schedule(RUNAWAY_GRACE, this::endStoppedNow);
        }
        return true;
    }

    /**
     * Rejects a root as it is made, the orchestrator no longer accepting ({@link TaskFactory}): as {@link #reject},
     * without {@link #stop(Stop)}'s bound, which there is nothing to bound. Called before {@link #registered()}, whose
     * share alone keeps the task from finishing here: no attempt was ever queued (its body never runs), no child can
     * be added (only the creating thread holds it yet), and {@code registered()} ends it on this thread. The bound
     * scheduled all the same held each rejected root and its exception on the clock for {@link #RUNAWAY_GRACE}:
     * callers still submitting during a shutdown (a loop retrying on the rejection) kept thousands of them.
     */
    final void rejectAsMade(RejectionReason why, String reason) {
        super.stop(refusal(why, reason)); // a durable re-run's is no rejection: see refusal
    }

    /**
     * For {@code close()}, once its wait for the bodies gave up and before it closes the orchestrator's own clock,
     * which drops every pending action: if such an action bounds this task's end (its deadline, armed or fired with
     * its grace pending, or the grace of a stop other than a cancellation's), ends the task and its unfinished
     * subtree now, as that action would have, so that its waiters stay bounded by it.
     */
    final void endBeforeTheClockCloses() {
        Stop request = stopRequest();
        if (!isFinished() && (deadlineArmed() || request != null && request.kind() != StopKind.CANCEL)) {
            forceEnd();
        }
    }

    /** {@link #timedOut}'s bound, on the orchestrator's own clock: ends the task and its subtree now unless it has. */
    private void endTimedOutNow() {
        if (!outcome.isDone()) {
            forceEnd();
        }
    }

    /** {@link #stop(Stop)}'s bound: ends the task and its subtree now unless it has ended. On a timer's thread. */
    private void endStoppedNow() {
        if (!isFinished()) {
            forceEnd();
        }
    }

    /**
     * Ends this task and its unfinished subtree at once, children first, without waiting for their
     * bodies: each still-running body is a runaway ({@link #isRunaway()}) that keeps its thread and its
     * group permit until it returns, and then only gives back its share.
     */
    private void forceEnd() {
        List<TaskNode<?>> order = TaskTrees.unfinishedTopDownClosed(self());
        // A child whose own end is under way on another thread, its status not yet published (its progress frozen,
        // its error made) is no runaway: it ends as its end does, and its ancestors up to here, ended now, would say
        // they ended before it (and their snapshots would call its progress supplier). They end once it has. (One
        // whose status is out already, running its fallback or listeners, does not hold them.)
        List<TaskNode<?>> underWay = new ArrayList<>();
        Set<TaskNode<?>> waiting = ancestorsOfEndsUnderWay(order, underWay);
        if (!waiting.isEmpty()) {
            order.removeIf(waiting::contains);
        }
        // Every body still running is registered, and its pooled thread replaced, before any task ends: so
        // that waiters see it counted as a runaway, and user code the ends run (a fallback, listeners, futures'
        // callbacks) may wait for work on a runtime whose only thread such a body holds.
        boolean[] runningBodies = new boolean[order.size()];
        for (int i = 0; i < order.size(); i++) {
            TaskDeadline<?> node = order.get(i);
            runningBodies[i] = node.bodyRunning() && settings.orchestrator.parts().runawayTasks().starting(node.self());
        }
        // No progress supplier is called from here on: one may wait for a lock that a runaway body holds,
        // the runaway's own or a descendant's (a parent reading its children's shared counter).
        order.forEach(TaskDeadline::freezeProgressAsLastRead);
        for (int i = order.size() - 1; i >= 0; i--) {
            TaskDeadline<?> node = order.get(i);
            if (node != this && node.parentNode() != null) {
                // A child registered while the stop went down the tree: cancel it before it is ended.
                node.stopThis(Stop.passedDownFrom(node.parentNode(), node.parentNode().stopReasonForChildren()));
            }
            boolean running = runningBodies[i];
            if (!running && node.bodyRunning()) {
                // An attempt that began after the look above (a retry claiming it while the end of a task below ran
                // its listeners or fallback, the task not stopped yet): no other begins now that it is stopped, and
                // this one is a runaway as well, counted, its thread replaced, before its task ends.
                running = settings.orchestrator.parts().runawayTasks().starting(node.self());
            }
            TaskNode<?> parentToRelease = node.finish(node.clockNow());
            if (running) {
                settings.orchestrator.parts().runawayTasks().started(node.self());
            }
            if (parentToRelease != null) {
                parentToRelease.release();
            }
        }
        // After the ends above: one that has just become terminal runs this again at once, with a fresh walk.
        underWay.forEach(child -> child.whenTerminal(this::endTimedOutNow));
    }

    /**
     * The tasks of {@code order} (this task's unfinished subtree, top down) above a child whose end is under way on
     * another thread, its status not yet published (empty if none); each such child is added to {@code underWay}.
     */
    private Set<TaskNode<?>> ancestorsOfEndsUnderWay(List<TaskNode<?>> order, List<TaskNode<?>> underWay) {
        Set<TaskNode<?>> above = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < order.size(); i++) {
            for (TaskNode<?> child : order.get(i).childNodes()) {
                if (child.isFinished() && !child.status().isTerminal()) {
                    for (TaskNode<?> up = child.parentNode(); up != null && above.add(up) && up != this;) {
                        up = up.parentNode();
                    }
                    underWay.add(child);
                }
            }
        }
        return above;
    }

    /** Whether the task ended (it timed out, or an ancestor did) while its body still runs. */
    @Override
    final boolean isRunaway() {
        return isFinished() && bodyRunning();
    }
}
