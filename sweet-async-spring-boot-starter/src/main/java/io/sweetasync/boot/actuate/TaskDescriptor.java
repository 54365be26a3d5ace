package io.sweetasync.boot.actuate;

import io.sweetasync.ResourceValue;
import io.sweetasync.TaskInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A task as the {@code asynctasks} endpoint shows it: plain values only, never the task's arguments or
 * results.
 *
 * @param id            task id
 * @param parentId      parent's id, null for a root
 * @param name          task name
 * @param path          names and ids from the root
 * @param status        status
 * @param priority      priority
 * @param group         concurrency group, null if none
 * @param runtime       runtime name
 * @param tags          tags
 * @param createdAt     creation time
 * @param startedAt     first start, null before
 * @param completedAt   end, null before
 * @param attempts      attempts started
 * @param queueWaitMs   time spent queued, in milliseconds
 * @param runTimeMs     time the body ran, in milliseconds
 * @param resources     CPU, allocation and IO figures with how each was obtained
 * @param failure       failure type and message, null if none
 * @param progress      live values the task publishes
 * @param dependencies  ids the task waits for
 * @param childCount    children started
 * @param children      children (all for live tasks; up to 100 per node for finished ones), to
 *                      {@value #MAX_DEPTH} levels below the task asked for: deeper subtrees are read by
 *                      asking for a task at that depth ({@code childCount} says what was left out)
 */
public record TaskDescriptor(String id, String parentId, String name, String path, String status, String priority,
        String group, String runtime, Map<String, String> tags, Instant createdAt, Instant startedAt,
        Instant completedAt, int attempts, double queueWaitMs, double runTimeMs, Map<String, Resource> resources,
        Failure failure, Map<String, Long> progress, List<String> dependencies, int childCount,
        List<TaskDescriptor> children) {

    /** One resource figure: its amount ({@code -1} when unavailable) and source. */
    public record Resource(long amount, String source) {
        static Resource of(ResourceValue value) {
            return new Resource(value.amount(), value.source().name());
        }
    }

    /** Why a task did not complete. */
    public record Failure(String type, String message) {
    }

    /** Levels of children shown below the task asked for; trees may be far deeper (a JSON answer may not). */
    public static final int MAX_DEPTH = 64;

    static TaskDescriptor of(TaskInfo info) {
        return tree(info, 0);
    }

    private static TaskDescriptor tree(TaskInfo info, int depth) {
        return of(info, depth >= MAX_DEPTH ? List.of()
                : info.children().stream().map(child -> tree(child, depth + 1)).toList());
    }

    /** The task alone: its child count, not its children. */
    static TaskDescriptor flat(TaskInfo info) {
        return of(info, List.of());
    }

    private static TaskDescriptor of(TaskInfo info, List<TaskDescriptor> children) {
        return new TaskDescriptor(info.id().toString(), info.parentId() == null ? null : info.parentId().toString(),
                info.name(), info.path(), info.status().name(), info.priority().name(), info.group(), info.runtime(),
                info.tags(), info.createdAt(), info.startedAt(), info.completedAt(), info.attempts(),
                info.queueWait().toNanos() / 1e6, info.runTime().toNanos() / 1e6,
                Map.of("cpuNanos", Resource.of(info.metrics().cpuTimeNanos()),
                        "allocatedBytes", Resource.of(info.metrics().allocatedBytes()),
                        "bytesRead", Resource.of(info.metrics().bytesRead()),
                        "bytesWritten", Resource.of(info.metrics().bytesWritten())),
                info.failure() == null ? null : new Failure(info.failure().type(), info.failure().message()),
                info.progress(), info.dependencies().stream().map(Object::toString).toList(), info.childCount(),
                children);
    }
}
