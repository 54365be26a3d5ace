package io.sweetasync;

/**
 * The task's body threw, on its last attempt; {@link #getCause()} is what it threw.
 *
 * <pre>{@code
 * catch (TaskFailedException ex) { if (ex.getCause() instanceof IOException io) { ... } }
 * }</pre>
 */
public final class TaskFailedException extends AsyncTaskException {

    private static final long serialVersionUID = 1L;

    TaskFailedException(TaskInfo task, Throwable cause) {
        super(task, "task " + describe(task) + " failed after " + attempts(task.attempts()) + ": " + summary(cause), cause);
    }

    /**
     * A failure read back from a task store, with the message its run ended with ({@code message}, as stored), so it
     * reads as its caller heard it: {@code cause}, which carries the stored text, is not what the task threw.
     */
    TaskFailedException(TaskInfo task, String message, Throwable cause) {
        super(task, message, cause);
    }
}
