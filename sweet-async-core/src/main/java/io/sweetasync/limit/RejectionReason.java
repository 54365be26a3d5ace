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
    /** The group was at its limit and its wait queue was full (or the group does not queue). */
    QUEUE_FULL,
    /** The work waited longer than the group's {@code maxWait} for a permit. */
    WAIT_TIMEOUT,
    /** The orchestrator, or what the group needs to time waits, is shutting down. */
    SHUTDOWN
}
