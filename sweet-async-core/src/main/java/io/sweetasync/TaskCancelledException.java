package io.sweetasync;

/**
 * The task was cancelled: by {@code cancel()}, by its parent being cancelled, timed out or failing,
 * by a dependency that did not complete, or by an orchestrator shutting down. The message says which.
 *
 * <pre>{@code
 * catch (TaskCancelledException ex) { log.info(ex.getMessage()); }
 * }</pre>
 */
public final class TaskCancelledException extends AsyncTaskException {

    private static final long serialVersionUID = 1L;

    TaskCancelledException(TaskInfo task, String reason) {
        super(task, "task " + describe(task) + " was cancelled after " + attempts(task.attempts()) + ": " + reason, null);
    }
}
