package io.sweetasync.limit;

/**
 * Why work was not admitted. A concurrency group's limiter gives it with every rejection; a task ended
 * by one carries it in {@link io.sweetasync.TaskRejectedException#reason()}.
 *
 * <pre>{@code
 * catch (TaskRejectedException ex) {
 *     return ex.reason() == RejectionReason.SHUTDOWN ? unavailable() : tooManyRequests();
 * }
 * }</pre>
 */
public enum RejectionReason {
    /**
     * The group was at its limit and its wait queue was full (or the group does not queue); or a runtime on an
     * executor of the user's refused the task while that executor was not shut down (a saturated pool).
     */
    QUEUE_FULL,
    /** The work waited longer than the group's {@code maxWait} for a permit. */
    WAIT_TIMEOUT,
    /**
     * The orchestrator, or what the group needs to time waits, is shutting down; or the runtime that was to run
     * the task is closed (an executor of the user's: an {@code ExecutorService} that was shut down).
     */
    SHUTDOWN
}
