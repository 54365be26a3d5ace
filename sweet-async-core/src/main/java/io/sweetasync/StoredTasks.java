package io.sweetasync;

import io.sweetasync.spi.TaskRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Conversions between live tasks and the records a {@link io.sweetasync.spi.TaskStore} keeps. */
final class StoredTasks {

    private StoredTasks() {
    }

    /** The record of {@code node} now. */
    static TaskRecord record(TaskNode<?> node, String member, long incarnation) {
        TaskInfo info = node.info();
        TaskMetrics metrics = info.metrics();
        ResourceValue[] figures = { metrics.cpuTimeNanos(), metrics.allocatedBytes(), metrics.bytesRead(),
                metrics.bytesWritten() };
        StringBuilder sources = new StringBuilder(4);
        for (ResourceValue figure : figures) {
            sources.append(switch (figure.source()) {
                case MEASURED -> 'M';
                case SAMPLED -> 'S';
                case PENDING -> 'P';
                case UNAVAILABLE -> 'U';
            });
        }
        TaskInfo.Failure failure = info.failure();
        return new TaskRecord(info.id().value(), info.parentId() == null ? 0 : info.parentId().value(),
                node.rootId().value(), info.name(), info.status().name(), info.priority().name(), info.group(),
                info.runtime(), info.tags(), millis(info.createdAt()), millis(info.startedAt()),
                millis(info.completedAt()), info.attempts(), failure == null ? null : failure.type(),
                failure == null ? null : failure.message(), metrics.queueWait().toNanos(), metrics.runTime().toNanos(),
                figures[0].amount(), figures[1].amount(), figures[2].amount(), figures[3].amount(), sources.toString(),
                member, incarnation, node.isDurable());
    }

    /**
     * {@code record} of a durable run this process's shutdown stopped, as it stays: {@code PENDING}, to run again,
     * without its end (instant, failure), with its attempts, which the next run counts on from.
     */
    static TaskRecord pendingAgain(TaskRecord record) {
        return new TaskRecord(record.id(), record.parentId(), record.rootId(), record.name(),
                TaskStatus.PENDING.name(), record.priority(), record.group(), record.runtime(), record.tags(),
                record.createdAt(), record.startedAt(), 0, record.attempts(), null, null, record.queueWaitNanos(),
                record.runNanos(), record.cpuNanos(), record.allocatedBytes(), record.bytesRead(),
                record.bytesWritten(), record.resourceSources(), record.member(), record.incarnation(), true);
    }

    /** Epoch milliseconds, held at the longs' bounds for instants beyond them (a user clock's far future). */
    private static long millis(Instant instant) {
        if (instant == null) {
            return 0;
        }
        try {
            return instant.toEpochMilli();
        }
        catch (ArithmeticException beyond) {
            return instant.isAfter(Instant.EPOCH) ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
    }

    private static Instant instant(long millis) {
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
    }

    /** A flat snapshot (no children) of a stored task; its path is its name and id (ancestors are not read). */
    static TaskInfo info(TaskRecord record) {
        TaskId id = new TaskId(record.id());
        String sources = record.resourceSources();
        long[] amounts = { record.cpuNanos(), record.allocatedBytes(), record.bytesRead(), record.bytesWritten() };
        ResourceValue[] figures = new ResourceValue[4];
        for (int i = 0; i < 4; i++) {
            figures[i] = switch (sources.charAt(i)) {
                case 'M' -> ResourceValue.measured(amounts[i]);
                case 'S' -> ResourceValue.sampled(amounts[i]);
                case 'P' -> ResourceValue.pending(amounts[i]);
                default -> ResourceValue.unavailable();
            };
        }
        TaskMetrics metrics = new TaskMetrics(Duration.ofNanos(record.queueWaitNanos()),
                Duration.ofNanos(record.runNanos()), figures[0], figures[1], figures[2], figures[3]);
        TaskInfo.Failure failure = record.failureType() == null ? null
                : new TaskInfo.Failure(record.failureType(), String.valueOf(record.failureMessage()));
        return new TaskInfo(id, record.parentId() == 0 ? null : new TaskId(record.parentId()), record.name(),
                record.name() + "#" + id, TaskStatus.valueOf(record.status()), TaskPriority.valueOf(record.priority()),
                record.group(), record.runtime(), record.tags(), instant(record.createdAt()), instant(record.startedAt()),
                instant(record.completedAt()), record.attempts(), List.of(), failure, metrics, Map.of(), 0, false,
                List.of());
    }
}
