package io.sweetasync.boot.actuate;

import io.sweetasync.ResourceValue;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.internal.Names;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
 * @param failure       failure type and message (at most {@value #MAX_MESSAGE} characters of it, as the task store
 *                      keeps it), null if none
 * @param progress      live values the task publishes
 * @param dependencies  ids of the tasks it starts after, at most {@value #MAX_DEPENDENCIES} (the first ones named)
 * @param dependencyCount tasks it starts after, all of them (a fan-in may name thousands)
 * @param childCount    children started
 * @param childStatuses how many of the children listed by the engine are in each status (all children of a
 *                      live task; up to 100 per node for finished ones), also those left out of {@code children}
 * @param runaway       whether the task ended while its body still runs, ignoring its interrupt
 * @param children      children in start order (all for live tasks, up to 100 per node for finished ones;
 *                      at most the request's {@code limit} when it gives one), to {@value #MAX_DEPTH}
 *                      levels below the task asked for: deeper subtrees are read by asking for a task at
 *                      that depth ({@code childCount} says what was left out)
 */
public record TaskDescriptor(String id, String parentId, String name, String path, String status, String priority,
        String group, String runtime, Map<String, String> tags, Instant createdAt, Instant startedAt,
        Instant completedAt, int attempts, double queueWaitMs, double runTimeMs, Map<String, Resource> resources,
        Failure failure, Map<String, Long> progress, List<String> dependencies, int dependencyCount, int childCount,
        Map<String, Integer> childStatuses, boolean runaway, List<TaskDescriptor> children) {

    /** One resource figure: its amount ({@code -1} when unavailable) and source. */
    public record Resource(long amount, String source) {
        static Resource of(ResourceValue value) {
            return new Resource(value.amount(), value.source().name());
        }
    }

    /** Why a task did not complete. */
    public record Failure(String type, String message) {
    }

    /**
     * The longest failure message shown, as the task store keeps it: an exception carrying a megabyte of text
     * (a response body, a dump) would otherwise be a megabyte in every list it appears in, at every poll.
     */
    public static final int MAX_MESSAGE = 2000;

    /**
     * The most dependencies listed: a fan-in ({@code after(parts)} with thousands of parts) would otherwise list
     * every part's id in every answer it appears in, the dashboard's poll each second included, whatever its
     * {@code limit}; {@code dependencyCount} counts them all.
     */
    public static final int MAX_DEPENDENCIES = 100;

    /** Levels of children shown below the task asked for; trees may be far deeper (a JSON answer may not). */
    public static final int MAX_DEPTH = 64;

    static TaskDescriptor of(TaskInfo info) {
        return of(info, Integer.MAX_VALUE);
    }

    /** The task alone: its child count and statuses, not its children. */
    static TaskDescriptor flat(TaskInfo info) {
        return single(info, List.of());
    }

    /**
     * The descriptor of {@code top}'s tree, at most {@code limit} children per node and {@value #MAX_DEPTH}
     * levels; built bottom-up with an explicit list, without recursion.
     */
    static TaskDescriptor of(TaskInfo top, int limit) {
        return BoundedTrees.map(top, limit, TaskInfo::children, TaskDescriptor::single);
    }

    /**
     * The descriptor of {@code top}'s tree, at most {@code limit} children per node, {@code depth} levels, and
     * below that the children of the tasks in {@code expanded} (to {@value #MAX_DEPTH} levels).
     */
    static TaskDescriptor of(TaskInfo top, int limit, int depth, Set<TaskId> expanded) {
        return BoundedTrees.map(top, limit, depth, info -> expanded.contains(info.id()), TaskInfo::children,
                TaskDescriptor::single);
    }

    private static Map<String, Resource> resources(TaskInfo info) {
        Map<String, Resource> resources = new LinkedHashMap<>();
        resources.put("cpuNanos", Resource.of(info.metrics().cpuTimeNanos()));
        resources.put("allocatedBytes", Resource.of(info.metrics().allocatedBytes()));
        resources.put("bytesRead", Resource.of(info.metrics().bytesRead()));
        resources.put("bytesWritten", Resource.of(info.metrics().bytesWritten()));
        return Collections.unmodifiableMap(resources);
    }

    /** The task without children, its children's statuses as given (in a stitched tree, not only its own). */
    static TaskDescriptor alone(TaskInfo info, Map<String, Integer> childStatuses) {
        return single(info, childStatuses, List.of());
    }

    /** {@code message} if short enough, else its first {@value #MAX_MESSAGE} characters and its length. */
    private static String cut(String message) {
        if (message == null || message.length() <= MAX_MESSAGE) {
            return message;
        }
        return Names.head(message, MAX_MESSAGE) + "\u2026 (" + message.length() + " characters)";
    }

    private static TaskDescriptor single(TaskInfo info, List<TaskDescriptor> children) {
        Map<String, Integer> childStatuses = new TreeMap<>();
        for (TaskInfo child : info.children()) {
            childStatuses.merge(child.status().name(), 1, Integer::sum);
        }
        return single(info, childStatuses, children);
    }

    private static TaskDescriptor single(TaskInfo info, Map<String, Integer> childStatuses,
            List<TaskDescriptor> children) {
        return new TaskDescriptor(info.id().toString(), info.parentId() == null ? null : info.parentId().toString(),
                info.name(), info.path(), info.status().name(), info.priority().name(), info.group(), info.runtime(),
                info.tags(), info.createdAt(), info.startedAt(), info.completedAt(), info.attempts(),
                info.queueWait().toNanos() / 1e6, info.runTime().toNanos() / 1e6,
                resources(info),
                info.failure() == null ? null : new Failure(info.failure().type(), cut(info.failure().message())),
                info.progress(), info.dependencies().stream().limit(MAX_DEPENDENCIES).map(Object::toString).toList(),
                info.dependencies().size(), info.childCount(),
                childStatuses, info.runaway(), children);
    }
}
