package io.sweetasync.boot.actuate;

import io.sweetasync.ResourceValue;
import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.internal.Names;
import io.sweetasync.spi.ClusterTask;
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
 * <p>A task may carry 1,000 tags of 1,000 characters and publish 1,000 progress values. Listed (in
 * {@code live}, {@code recent}, {@code failed}, the history, the cluster's trees, and below the task asked for
 * by id), a descriptor carries its first {@value #MAX_LISTED_TAGS} tags in key order ({@code placed-from}
 * always among them), each value cut at {@value #MAX_LISTED_TAG_VALUE} characters then its length, and its
 * first {@value #MAX_LISTED_PROGRESS} progress values; {@code tagCount} and {@code progressCount} count them
 * all. The task asked for by id ({@code asynctasks/{id}}) carries them whole.
 *
 * @param id            task id
 * @param parentId      parent's id, null for a root
 * @param name          task name
 * @param path          names and ids from the root
 * @param status        status
 * @param priority      priority
 * @param group         concurrency group, null if none
 * @param runtime       runtime name
 * @param tags          tags: listed, the first {@value #MAX_LISTED_TAGS} in key order, values cut at
 *                      {@value #MAX_LISTED_TAG_VALUE} characters (then their length); whole for the task asked
 *                      for by id
 * @param tagCount      tags the task carries, all of them
 * @param createdAt     creation time
 * @param startedAt     first start, null before
 * @param completedAt   end, null before
 * @param attempts      attempts started
 * @param queueWaitMs   time spent queued, in milliseconds
 * @param runTimeMs     time the body ran, in milliseconds
 * @param resources     CPU, allocation and IO figures with how each was obtained
 * @param failure       failure type and message (at most {@value #MAX_MESSAGE} characters of it, as the task store
 *                      keeps it), null if none
 * @param progress      live values the task publishes: listed, the first {@value #MAX_LISTED_PROGRESS} it
 *                      registered; all of them for the task asked for by id
 * @param progressCount live values the task publishes, all of them
 * @param dependencies  ids of the tasks it starts after, at most {@value #MAX_DEPENDENCIES} (the first ones named)
 * @param dependencyCount tasks it starts after, all of them (a fan-in may name thousands)
 * @param childCount    children started
 * @param childStatuses how many of the children listed by the engine are in each status (all children of a
 *                      live task; up to 100 per node for finished ones), also those left out of {@code children}
 * @param runaway       whether the task ended while its body still runs, ignoring its interrupt
 * @param children      children in start order (all for live tasks, up to 100 per node for finished ones;
 *                      at most the request's {@code limit}, and in the lists of {@code /actuator/asynctasks}
 *                      {@value AsyncTasksEndpoint#DEFAULT_LIMIT} without one), to {@value #MAX_DEPTH}
 *                      levels below the task asked for: deeper subtrees are read by asking for a task at
 *                      that depth ({@code childCount} says what was left out)
 */
public record TaskDescriptor(String id, String parentId, String name, String path, String status, String priority,
        String group, String runtime, Map<String, String> tags, int tagCount, Instant createdAt, Instant startedAt,
        Instant completedAt, int attempts, double queueWaitMs, double runTimeMs, Map<String, Resource> resources,
        Failure failure, Map<String, Long> progress, int progressCount, List<String> dependencies, int dependencyCount,
        int childCount, Map<String, Integer> childStatuses, boolean runaway, List<TaskDescriptor> children) {

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

    /**
     * The most tags a listed task carries: 1,000 tags of 1,000 characters would otherwise be a megabyte in every
     * list the task appears in, at every poll, whatever the request's {@code limit}; {@code tagCount} counts them all.
     */
    public static final int MAX_LISTED_TAGS = 20;

    /** The longest tag value a listed task carries; a longer one is cut, then its length. */
    public static final int MAX_LISTED_TAG_VALUE = 200;

    /** The most progress values a listed task carries (the first it registered); {@code progressCount} counts all. */
    public static final int MAX_LISTED_PROGRESS = 20;

    /** Levels of children shown below the task asked for; trees may be far deeper (a JSON answer may not). */
    public static final int MAX_DEPTH = 64;

    /**
     * The most tasks one list of an answer describes (the live trees, the recent ones, a member's, the stitched
     * forest, one task's subtree), breadth-first: the bounds per node and per level multiply (100 children of 100
     * children ... is 10,000 tasks at the second level), so a bushy tree would otherwise be listed whole. A tree
     * listed after the budget is spent shows its top alone; {@code childCount} says what was left out.
     */
    public static final int MAX_TASKS = 10_000;

    static TaskDescriptor of(TaskInfo info) {
        return of(info, Integer.MAX_VALUE);
    }

    /** The task alone, listed: its child count and statuses, not its children. */
    static TaskDescriptor flat(TaskInfo info) {
        return single(info, List.of(), true);
    }

    /**
     * The descriptor of {@code top}'s tree, at most {@code limit} children per node and {@value #MAX_DEPTH}
     * levels; built bottom-up with an explicit list, without recursion. {@code top} carries its tags and progress
     * whole, the tasks below it as listed.
     */
    static TaskDescriptor of(TaskInfo top, int limit) {
        return BoundedTrees.map(top, limit, TaskInfo::children,
                (node, children) -> single(node, children, node != top));
    }

    /**
     * The descriptor of {@code top}'s tree, at most {@code limit} children per node, {@code depth} levels, and
     * below that the children of the tasks in {@code expanded} (to {@value #MAX_DEPTH} levels), what is left of
     * its list's {@code budget} at most.
     */
    static TaskDescriptor of(TaskInfo top, int limit, int depth, Set<TaskId> expanded, BoundedTrees.Budget budget) {
        return BoundedTrees.map(top, limit, depth, info -> expanded.contains(info.id()), TaskInfo::children,
                (node, children) -> single(node, children, true), budget);
    }

    private static Map<String, Resource> resources(TaskInfo info) {
        Map<String, Resource> resources = new LinkedHashMap<>();
        resources.put("cpuNanos", Resource.of(info.metrics().cpuTimeNanos()));
        resources.put("allocatedBytes", Resource.of(info.metrics().allocatedBytes()));
        resources.put("bytesRead", Resource.of(info.metrics().bytesRead()));
        resources.put("bytesWritten", Resource.of(info.metrics().bytesWritten()));
        return Collections.unmodifiableMap(resources);
    }

    /**
     * The task without children, listed, its children's statuses as given (in a stitched tree, not only its own).
     */
    static TaskDescriptor alone(TaskInfo info, Map<String, Integer> childStatuses) {
        return single(info, childStatuses, List.of(), true);
    }

    /** {@code text} if at most {@code max} characters long, else its first {@code max} characters and its length. */
    private static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return Names.head(text, max) + "\u2026 (" + text.length() + " characters)";
    }

    /**
     * The tags a listed task carries: {@code placed-from} (what places the task in the cluster's tree), then the
     * others in key order, {@value #MAX_LISTED_TAGS} in all, each value cut at {@value #MAX_LISTED_TAG_VALUE}.
     */
    private static Map<String, String> listed(Map<String, String> tags) {
        if (tags.size() <= MAX_LISTED_TAGS
                && tags.values().stream().allMatch(value -> value.length() <= MAX_LISTED_TAG_VALUE)) {
            return tags;
        }
        Map<String, String> listed = new LinkedHashMap<>();
        String from = tags.get(ClusterTask.PLACED_FROM);
        if (from != null) {
            listed.put(ClusterTask.PLACED_FROM, cut(from, MAX_LISTED_TAG_VALUE));
        }
        // in key order: a task's tags have no order of their own, and a poll must list the same ones as the last
        tags.keySet().stream().sorted().filter(key -> !key.equals(ClusterTask.PLACED_FROM))
                .limit(MAX_LISTED_TAGS - listed.size())
                .forEach(key -> listed.put(key, cut(tags.get(key), MAX_LISTED_TAG_VALUE)));
        return Collections.unmodifiableMap(listed);
    }

    /** The first {@value #MAX_LISTED_PROGRESS} progress values, in the order the task registered them. */
    private static Map<String, Long> listedProgress(Map<String, Long> progress) {
        if (progress.size() <= MAX_LISTED_PROGRESS) {
            return progress;
        }
        Map<String, Long> listed = new LinkedHashMap<>();
        for (Map.Entry<String, Long> value : progress.entrySet()) {
            if (listed.size() >= MAX_LISTED_PROGRESS) {
                break;
            }
            listed.put(value.getKey(), value.getValue());
        }
        return Collections.unmodifiableMap(listed);
    }

    private static TaskDescriptor single(TaskInfo info, List<TaskDescriptor> children, boolean listed) {
        Map<String, Integer> childStatuses = new TreeMap<>();
        for (TaskInfo child : info.children()) {
            childStatuses.merge(child.status().name(), 1, Integer::sum);
        }
        return single(info, childStatuses, children, listed);
    }

    /** {@code listed}: tags and progress as a list carries them; else whole (the task asked for by id). */
    private static TaskDescriptor single(TaskInfo info, Map<String, Integer> childStatuses,
            List<TaskDescriptor> children, boolean listed) {
        return new TaskDescriptor(info.id().toString(), info.parentId() == null ? null : info.parentId().toString(),
                info.name(), info.path(), info.status().name(), info.priority().name(), info.group(), info.runtime(),
                listed ? listed(info.tags()) : info.tags(), info.tags().size(), info.createdAt(), info.startedAt(),
                info.completedAt(), info.attempts(), info.queueWait().toNanos() / 1e6, info.runTime().toNanos() / 1e6,
                resources(info),
                info.failure() == null ? null
                        : new Failure(info.failure().type(), cut(info.failure().message(), MAX_MESSAGE)),
                listed ? listedProgress(info.progress()) : info.progress(), info.progress().size(),
                info.dependencies().stream().limit(MAX_DEPENDENCIES).map(Object::toString).toList(),
                info.dependencies().size(), info.childCount(),
                childStatuses, info.runaway(), children);
    }
}
