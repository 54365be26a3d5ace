package io.sweetasync.jdbc;

/**
 * The task store's database could not be used; the message names the store's tables and the cause.
 * The orchestrator counts and logs these and retries later, except when storing a durable task, whose
 * submission then fails.
 */
public final class TaskStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TaskStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
