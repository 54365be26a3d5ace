package io.sweetasync;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Resource figures of one task, summed over its attempts. Times are always measured; each resource
 * figure says how it was obtained (see {@link ResourceValue}). The resource figures are the body's own
 * thread's while it ran the body: work it hands to other threads (a parallel stream, an executor of its
 * own) is not in them, while its child tasks have figures of their own (a parent's are not its subtree's).
 *
 * <pre>{@code
 * TaskMetrics m = task.metrics();
 * System.out.printf("waited %s, ran %s%n", m.queueWait(), m.runTime());
 * }</pre>
 *
 * @param queueWait      time spent {@code QUEUED} (waiting for a runtime slot or permit)
 * @param runTime        time the body ran, summed over attempts (not counting retry back-off)
 * @param cpuTimeNanos   CPU time consumed by the body
 * @param allocatedBytes heap bytes allocated by the body
 * @param bytesRead      bytes read from files and sockets by the body
 * @param bytesWritten   bytes written to files and sockets by the body
 */
public record TaskMetrics(Duration queueWait, Duration runTime, ResourceValue cpuTimeNanos,
        ResourceValue allocatedBytes, ResourceValue bytesRead, ResourceValue bytesWritten) implements Serializable {

    public TaskMetrics {
        Objects.requireNonNull(queueWait, "queueWait");
        Objects.requireNonNull(runTime, "runTime");
        Objects.requireNonNull(cpuTimeNanos, "cpuTimeNanos");
        Objects.requireNonNull(allocatedBytes, "allocatedBytes");
        Objects.requireNonNull(bytesRead, "bytesRead");
        Objects.requireNonNull(bytesWritten, "bytesWritten");
    }

    /** Times only; every resource figure unavailable. */
    public static TaskMetrics timesOnly(Duration queueWait, Duration runTime) {
        ResourceValue none = ResourceValue.unavailable();
        return new TaskMetrics(queueWait, runTime, none, none, none, none);
    }
}
