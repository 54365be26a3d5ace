package io.sweetasync;

/**
 * Where a task is in its life. Statuses only move forward (in declaration order, skipping is
 * allowed); a task reaches exactly one terminal status and keeps it.
 *
 * <pre>{@code
 * if (task.status().isTerminal()) { ... }
 * }</pre>
 */
public enum TaskStatus {
    /** Created; waiting for the tasks named in {@code after(...)}, or about to be queued. */
    PENDING,
    /** Waiting for a runtime slot (or a limiter permit). */
    QUEUED,
    /** The body is running, waiting between retry attempts, or done and waiting for children. */
    RUNNING,
    /** Finished with a value. */
    COMPLETED,
    /** Failed for good (after any retries), or rejected. */
    FAILED,
    /** Cancelled by a caller, by a cancelled or failed parent, or by a failed dependency. */
    CANCELLED,
    /** Its deadline passed; the work was interrupted. */
    TIMED_OUT;

    /** Whether this status is final. */
    public boolean isTerminal() {
        return ordinal() >= COMPLETED.ordinal();
    }
}
