package io.sweetasync;

import java.time.Duration;

/**
 * The task's deadline ({@code timeout(...)}) passed before it finished; its work was interrupted and
 * its unfinished children cancelled.
 *
 * <pre>{@code
 * catch (TaskTimeoutException ex) { log.warn(ex.getMessage()); }
 * }</pre>
 */
public final class TaskTimeoutException extends AsyncTaskException {

    private static final long serialVersionUID = 1L;

    TaskTimeoutException(TaskInfo task, Duration timeout) {
        super(task, "task " + describe(task) + " timed out after " + timeout + " (" + attempts(task.attempts()) + ")", null);
    }

    /**
     * A timeout read back from a task store, with the message its run ended with ({@code message}, as stored): the
     * timeout it ran under may be the running member's default, which the stored settings do not name.
     */
    TaskTimeoutException(TaskInfo task, String message) {
        super(task, message, null);
    }
}
