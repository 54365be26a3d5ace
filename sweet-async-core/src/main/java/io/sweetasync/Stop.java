package io.sweetasync;

import io.sweetasync.limit.RejectionReason;

/**
 * A stop request made to a task (a value: immutable, shared freely between threads): the first one a task
 * receives wins and decides its end ({@link TaskEnding#stop(Stop)}). {@code rejection} says why for
 * {@link StopKind#REJECT} and for the cancellation of a durable re-run turned away unrun
 * ({@link TaskEnding#refusal}), null otherwise; {@code upstream} and {@code passed} are the task and error a
 * {@link StopKind#PASS_THROUGH} takes its end from, null otherwise; {@code byShutdown} whether the orchestrator's
 * shutdown made it (its sweep, a queued body it refused, or a cancellation passed down from one of those; see
 * {@link TaskEnding#cancelledByShutdown()}).
 */
record Stop(StopKind kind, String reason, TaskNode<?> upstream, AsyncTaskException passed,
        RejectionReason rejection, boolean byShutdown) {

    Stop(StopKind kind, String reason, TaskNode<?> upstream, AsyncTaskException passed) {
        this(kind, reason, upstream, passed, null, false);
    }

    Stop(StopKind kind, String reason, TaskNode<?> upstream, AsyncTaskException passed, RejectionReason rejection) {
        this(kind, reason, upstream, passed, rejection, false);
    }

    /** The shutdown's cancellation. */
    static Stop shutdown(String reason) {
        return new Stop(StopKind.CANCEL, reason, null, null, null, true);
    }

    /** The cancellation of a task because {@code cause} stopped: the shutdown's if {@code cause}'s stop was. */
    static Stop passedDownFrom(TaskEnding<?> cause, String reason) {
        return new Stop(StopKind.CANCEL, reason, null, null, null, cause.stopRequestedByShutdown());
    }
}
