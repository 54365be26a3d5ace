package io.sweetasync.spi;

import io.sweetasync.ResourceValue;
import io.sweetasync.TaskMetrics;
import io.sweetasync.TaskStatus;
import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;

/**
 * How a task placed on another member ended, as that member reports it, or that the member was lost.
 *
 * <pre>{@code
 * RemoteOutcome done = RemoteOutcome.of("127.0.0.1:5702", "3-8", TaskStatus.COMPLETED, receipt, null, null);
 * RemoteOutcome gone = RemoteOutcome.lost("127.0.0.1:5702", "it left the cluster");
 * }</pre>
 *
 * @param member         the member that ran it
 * @param taskId         its id there, {@code null} if it never started
 * @param status         its terminal status there ({@code FAILED} when lost)
 * @param value          its value when {@code COMPLETED}
 * @param failureType    the simple class name of its error, {@code null} when it completed
 * @param failureMessage its error's message, or why it was lost
 * @param lost           whether the member left the cluster before the task ended
 * @param metrics        its figures there once it ended ({@code null} if unknown: lost, or never started); a figure
 *                       still {@code PENDING} there (sampled, settled after the end) is {@code UNAVAILABLE} here
 */
public record RemoteOutcome(String member, String taskId, TaskStatus status, Object value, String failureType,
        String failureMessage, boolean lost, TaskMetrics metrics) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    public RemoteOutcome {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(status, "status");
        if (!status.isTerminal()) {
            throw new IllegalArgumentException("a remote outcome needs a terminal status, was " + status);
        }
    }

    /** An outcome without figures ({@link #metrics()} null). */
    public RemoteOutcome(String member, String taskId, TaskStatus status, Object value, String failureType,
            String failureMessage, boolean lost) {
        this(member, taskId, status, value, failureType, failureMessage, lost, null);
    }

    /** This outcome with {@code newValue} as its value. */
    public RemoteOutcome withValue(Object newValue) {
        return new RemoteOutcome(member, taskId, status, newValue, failureType, failureMessage, lost, metrics);
    }

    /**
     * This outcome with the task's figures there: {@code figures} as they are, but that a {@code PENDING} one (its
     * sampled events still to come there, which no message brings here) is {@code UNAVAILABLE}.
     *
     * <pre>{@code
     * RemoteOutcome done = RemoteOutcome.of(member, id, TaskStatus.COMPLETED, receipt, null, null)
     *         .withMetrics(task.metrics());
     * }</pre>
     */
    public RemoteOutcome withMetrics(TaskMetrics figures) {
        TaskMetrics settled = figures == null ? null : new TaskMetrics(figures.queueWait(), figures.runTime(),
                settled(figures.cpuTimeNanos()), settled(figures.allocatedBytes()), settled(figures.bytesRead()),
                settled(figures.bytesWritten()));
        return new RemoteOutcome(member, taskId, status, value, failureType, failureMessage, lost, settled);
    }

    private static ResourceValue settled(ResourceValue figure) {
        return figure.isPending() ? ResourceValue.unavailable() : figure;
    }

    /** The outcome of a task that ended on {@code member}. */
    public static RemoteOutcome of(String member, String taskId, TaskStatus status, Object value, String failureType,
            String failureMessage) {
        return new RemoteOutcome(member, taskId, status, value, failureType, failureMessage, false);
    }

    /** {@code member} left the cluster (or could not be reached) before the task ended; {@code why} says how. */
    public static RemoteOutcome lost(String member, String why) {
        return new RemoteOutcome(member, null, TaskStatus.FAILED, null, "TaskLostException", why, true);
    }
}
