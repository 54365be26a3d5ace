package io.sweetasync;

/**
 * The task was not admitted: its orchestrator is shutting down, or (with a concurrency group) the
 * group's queue was full or the wait for a permit was too long. Its body never ran.
 *
 * <pre>{@code
 * catch (TaskRejectedException ex) { return ResponseEntity.status(503).build(); }
 * }</pre>
 */
public final class TaskRejectedException extends AsyncTaskException {

    private static final long serialVersionUID = 1L;

    TaskRejectedException(TaskInfo task, String reason) {
        super(task, "task " + describe(task) + " was rejected: " + reason, null);
    }
}
