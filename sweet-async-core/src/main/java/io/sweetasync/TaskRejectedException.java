package io.sweetasync;

import io.sweetasync.limit.RejectionReason;

/**
 * The task was not admitted: its orchestrator is shutting down, or (with a concurrency group) the
 * group's queue was full or the wait for a permit was too long. Its body never ran. {@link #reason()}
 * tells which; the message says it for people.
 *
 * <pre>{@code
 * catch (TaskRejectedException ex) {
 *     return ResponseEntity.status(ex.reason() == RejectionReason.SHUTDOWN ? 503 : 429).build();
 * }
 * }</pre>
 */
public final class TaskRejectedException extends AsyncTaskException {

    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    TaskRejectedException(TaskInfo task, RejectionReason reason, String message) {
        super(task, "task " + describe(task) + " was rejected after " + attempts(task.attempts()) + ": " + message, null);
        this.reason = reason;
    }

    /** Why the task was not admitted. */
    public RejectionReason reason() {
        return reason;
    }
}
