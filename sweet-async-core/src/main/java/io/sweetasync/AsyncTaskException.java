package io.sweetasync;

import io.sweetasync.internal.Names;
import java.util.Objects;

/**
 * Why a task did not produce a value. The message names the task, its id, its place in the tree,
 * the number of attempts and the cause, for example
 * {@code task import-users#42 (in nightly-sync#41) failed after 3 attempts: IOException: connection reset}.
 * Subclasses tell the kind: {@link TaskFailedException}, {@link TaskTimeoutException},
 * {@link TaskCancelledException}, {@link TaskRejectedException}, {@link TaskLostException}. Every kind names the
 * attempt count ({@code was cancelled after 1 attempt: cancel() was called}; 0 for a task stopped before its
 * body started).
 *
 * <pre>{@code
 * try {
 *     AsyncTask.to(User.class).named("load-user").await(() -> repository.load(id));
 * } catch (TaskFailedException ex) {
 *     log.warn("{} (task {})", ex.getMessage(), ex.task().id());
 * }
 * }</pre>
 */
public abstract sealed class AsyncTaskException extends RuntimeException
        permits TaskFailedException, TaskTimeoutException, TaskCancelledException, TaskRejectedException,
        TaskLostException {

    private static final long serialVersionUID = 1L;

    /** Serialized with the exception (a {@link TaskInfo} is serializable, however deep its tree). */
    private final TaskInfo task;

    AsyncTaskException(TaskInfo task, String message, Throwable cause) {
        super(message, cause);
        this.task = Objects.requireNonNull(task, "task");
    }

    /** The task as it was when it ended; never null, also in a copy of this exception that was serialized. */
    public TaskInfo task() {
        return task;
    }

    /** The task's description for messages: {@code name#id} and, for children, {@code (in parent#id)}. */
    static String describe(TaskInfo task) {
        String self = task.name() + "#" + task.id();
        String path = task.path();
        int slash = path.lastIndexOf('/');
        return slash < 0 ? self : self + " (in " + path.substring(0, slash) + ")";
    }

    /** "1 attempt", "3 attempts"; "0 attempts" for a task stopped before its body ever started. */
    static String attempts(int attempts) {
        return attempts == 1 ? "1 attempt" : attempts + " attempts";
    }

    /**
     * The most characters of another exception's message that a message or a {@link TaskInfo.Failure} quotes: a
     * task failing with the failure of a task it joined quotes that message, which quotes the one below it, so
     * without a bound the messages of a chain of nested joins grew with its depth, the whole chain's with its square.
     */
    static final int MAX_QUOTED_MESSAGE = 1_000;

    static String summary(Throwable cause) {
        String message = messageOf(cause);
        return typeOf(cause) + (message == null ? "" : ": " + message);
    }

    /**
     * The short name of {@code error}'s class, as messages and {@link TaskInfo.Failure} show it: its simple
     * name, or, for an anonymous class (whose simple name is empty: "failed: : reset"), its binary name
     * without the package ({@code Client$1}).
     */
    static String typeOf(Throwable error) {
        Class<?> type = error.getClass();
        String simple = type.getSimpleName();
        if (!simple.isEmpty()) {
            return simple;
        }
        String name = type.getName();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /**
     * {@code error.getMessage()}, or a note that it threw: a user's exception is user code (a message built
     * lazily may fail), read where a failure would leave its task unfinished for ever.
     */
    static String messageOf(Throwable error) {
        try {
            return cut(error.getMessage());
        }
        catch (Throwable unreadable) {
            return "(its message could not be read: getMessage() threw " + unreadable.getClass().getName() + ")";
        }
    }

    /** {@code message} cut at {@link #MAX_QUOTED_MESSAGE} characters, saying how many were left out; null stays null. */
    private static String cut(String message) {
        if (message == null || message.length() <= MAX_QUOTED_MESSAGE) {
            return message;
        }
        String head = Names.head(message, MAX_QUOTED_MESSAGE); // never half a pair
        return head + "… (" + (message.length() - head.length()) + " more characters)";
    }
}
