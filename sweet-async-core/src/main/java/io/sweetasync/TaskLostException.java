package io.sweetasync;

/**
 * The process that ran the task stopped before it finished (a crash, {@code kill -9}, a lost member):
 * a store noticed when the process's lease expired. Seen on records read from a
 * {@link io.sweetasync.spi.TaskStore} ({@code failure().type()} is {@code "TaskLostException"}), and on the
 * handles of tasks placed on another member that was lost. Durable tasks are not lost: they run again.
 *
 * <pre>{@code
 * orchestrator.find(id).map(TaskInfo::failure)
 *         .filter(f -> f.type().equals("TaskLostException"))
 *         .ifPresent(f -> log.warn("lost: {}", f.message()));
 * }</pre>
 */
public final class TaskLostException extends AsyncTaskException {

    private static final long serialVersionUID = 1L;

    /** The message stores use for a task whose process stopped. */
    public static final String MESSAGE = "the process that ran it stopped before it finished";

    TaskLostException(TaskInfo task, String detail) {
        super(task, "task " + describe(task) + " was lost after " + attempts(task.attempts()) + ": " + MESSAGE + (detail == null ? "" : " (" + detail + ")"), null);
    }
}
