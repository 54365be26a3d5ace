package io.sweetasync;

/**
 * Orders admission wherever tasks wait: in the queue of a {@code platform} or {@code single}
 * runtime and in a limiter's queue. Higher priorities go first; equal priorities go in FIFO order.
 * A limiter's full queue makes room for a request of a higher priority than its last waiter: the newest
 * of the lowest priority is rejected ({@code QUEUE_FULL}) in its place. Priority never pre-empts a
 * running task.
 *
 * <pre>{@code
 * AsyncTask.to(Report.class).priority(TaskPriority.HIGH).run(this::buildReport);
 * }</pre>
 */
public enum TaskPriority {
    CRITICAL, HIGH, NORMAL, LOW, BACKGROUND
}
