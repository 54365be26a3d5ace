package io.sweetasync;

import java.io.InvalidObjectException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable snapshot of a task, and (for tree snapshots) of its subtree. Holds plain values
 * only: never the task's arguments or results.
 *
 * <pre>{@code
 * TaskInfo info = task.info();
 * System.out.println(info.path() + " " + info.status() + " after " + info.attempts() + " attempt(s)");
 * }</pre>
 *
 * @param id           the task's id
 * @param parentId     the parent's id, {@code null} for a root
 * @param name         the task's name
 * @param path         names and ids from the root, e.g. {@code nightly-sync#41/import-users#42}
 * @param status       status when the snapshot was taken; read first, so the other fields are never
 *                     older than it: a live status comes without an end time or failure, a terminal one
 *                     with both (the failure unless COMPLETED)
 * @param priority     admission priority
 * @param group        concurrency group, {@code null} if none
 * @param runtime      name of the runtime the task runs on
 * @param tags         metadata given with {@code tag(k, v)}
 * @param createdAt    when the task was created
 * @param startedAt    when its body first started, {@code null} before
 * @param completedAt  when it reached its terminal status, {@code null} before
 * @param attempts     attempts started so far (0 before the first)
 * @param dependencies tasks named in {@code after(...)}
 * @param failure      why it failed, was cancelled, timed out or was rejected; {@code null} otherwise
 * @param metrics      times and resource figures so far
 * @param progress     live values the task publishes ({@link TaskContext#progress}), e.g. rows done
 * @param childCount   number of children started so far (may exceed {@code children().size()}
 *                     in bounded history snapshots)
 * @param runaway      whether the task ended (it timed out, or an ancestor did) while its body still
 *                     runs, ignoring its interrupt; the body keeps its thread and group permit until it returns
 * @param children     child snapshots in start order (empty in flat snapshots)
 */
public record TaskInfo(TaskId id, TaskId parentId, String name, String path, TaskStatus status,
        TaskPriority priority, String group, String runtime, Map<String, String> tags, Instant createdAt,
        Instant startedAt, Instant completedAt, int attempts, List<TaskId> dependencies, Failure failure,
        TaskMetrics metrics, Map<String, Long> progress, int childCount, boolean runaway, List<TaskInfo> children)
        implements Serializable {

    /**
     * Why a task did not complete.
     *
     * @param type    the simple class name of the error (the user's exception for failures)
     * @param message its message
     */
    public record Failure(String type, String message) implements Serializable {
    }

    public TaskInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        tags = Map.copyOf(tags);
        progress = progress.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new java.util.LinkedHashMap<>(progress));
        dependencies = List.copyOf(dependencies);
        children = List.copyOf(children);
    }

    /** The parent's id, empty for a root. */
    public Optional<TaskId> parent() {
        return Optional.ofNullable(parentId);
    }

    /** Time spent waiting for a runtime slot or a permit. */
    public Duration queueWait() {
        return metrics.queueWait();
    }

    /** Time the body ran, summed over attempts. */
    public Duration runTime() {
        return metrics.runTime();
    }

    TaskInfo withChildren(List<TaskInfo> newChildren) {
        return new TaskInfo(id, parentId, name, path, status, priority, group, runtime, tags, createdAt, startedAt,
                completedAt, attempts, dependencies, failure, metrics, progress, childCount, runaway, newChildren);
    }

    /**
     * Equal when every component is, children included; compared with an explicit stack, so trees of
     * any depth compare without overflowing.
     */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof TaskInfo that)) {
            return false;
        }
        ArrayDeque<TaskInfo[]> pending = new ArrayDeque<>();
        pending.push(new TaskInfo[] { this, that });
        while (!pending.isEmpty()) {
            TaskInfo[] pair = pending.pop();
            TaskInfo a = pair[0];
            TaskInfo b = pair[1];
            if (a == b) {
                continue;
            }
            if (!a.sameOwnComponents(b) || a.children.size() != b.children.size()) {
                return false;
            }
            for (int i = 0; i < a.children.size(); i++) {
                pending.push(new TaskInfo[] { a.children.get(i), b.children.get(i) });
            }
        }
        return true;
    }

    private boolean sameOwnComponents(TaskInfo b) {
        return id.equals(b.id) && Objects.equals(parentId, b.parentId) && name.equals(b.name)
                && Objects.equals(path, b.path) && status == b.status && priority == b.priority
                && Objects.equals(group, b.group) && Objects.equals(runtime, b.runtime) && tags.equals(b.tags)
                && Objects.equals(createdAt, b.createdAt) && Objects.equals(startedAt, b.startedAt)
                && Objects.equals(completedAt, b.completedAt) && attempts == b.attempts
                && dependencies.equals(b.dependencies) && Objects.equals(failure, b.failure)
                && Objects.equals(metrics, b.metrics) && progress.equals(b.progress) && childCount == b.childCount
                && runaway == b.runaway;
    }

    /** A hash of every component, children included, computed with an explicit stack. */
    @Override
    public int hashCode() {
        int hash = 0;
        ArrayDeque<TaskInfo> pending = new ArrayDeque<>();
        pending.push(this);
        while (!pending.isEmpty()) {
            TaskInfo info = pending.pop();
            hash = 31 * hash + Objects.hash(info.id, info.parentId, info.name, info.path, info.status, info.priority,
                    info.group, info.runtime, info.tags, info.createdAt, info.startedAt, info.completedAt, info.attempts,
                    info.dependencies, info.failure, info.metrics, info.progress, info.childCount, info.runaway);
            for (int i = info.children.size() - 1; i >= 0; i--) {
                pending.push(info.children.get(i));
            }
            hash = 31 * hash + info.children.size();
        }
        return hash;
    }

    /**
     * A snapshot with children is written as {@link SerialTree}, its nodes in a flat array: the default
     * form of a record writes its components recursively, a stack frame per level, and the snapshot of a
     * deep tree would overflow the stack. A snapshot without children is written as itself.
     */
    @Serial
    private Object writeReplace() {
        return children.isEmpty() ? this : SerialTree.of(this);
    }

    /**
     * The serial form of a tree snapshot: its nodes without their children, in preorder, and the index of
     * each node's parent in that array ({@code -1} for the top). Written and rebuilt with loops, however deep.
     */
    private record SerialTree(TaskInfo[] nodes, int[] parents) implements Serializable {

        static SerialTree of(TaskInfo top) {
            List<TaskInfo> nodes = new ArrayList<>();
            List<Integer> parents = new ArrayList<>();
            ArrayDeque<Object[]> pending = new ArrayDeque<>();
            pending.push(new Object[] { top, -1 });
            while (!pending.isEmpty()) {
                Object[] next = pending.pop();
                TaskInfo info = (TaskInfo) next[0];
                int index = nodes.size();
                nodes.add(info.children.isEmpty() ? info : info.withChildren(List.of()));
                parents.add((Integer) next[1]);
                for (int i = info.children.size() - 1; i >= 0; i--) {
                    pending.push(new Object[] { info.children.get(i), index });
                }
            }
            return new SerialTree(nodes.toArray(TaskInfo[]::new), parents.stream().mapToInt(Integer::intValue).toArray());
        }

        /** The tree again, built bottom-up: a child's index is greater than its parent's. */
        @Serial
        private Object readResolve() throws InvalidObjectException {
            if (nodes.length == 0 || nodes.length != parents.length || parents[0] != -1) {
                throw new InvalidObjectException("not a serialized task tree");
            }
            List<List<TaskInfo>> children = new ArrayList<>(Collections.nCopies(nodes.length, null));
            TaskInfo built = null;
            for (int i = nodes.length - 1; i >= 0; i--) {
                List<TaskInfo> own = children.get(i);
                if (own != null) {
                    Collections.reverse(own); // gathered last child first
                }
                built = own == null ? nodes[i] : nodes[i].withChildren(own);
                int parent = parents[i];
                if (i > 0) {
                    if (parent < 0 || parent >= i) {
                        throw new InvalidObjectException("not a serialized task tree: node " + i + " has parent " + parent);
                    }
                    if (children.get(parent) == null) {
                        children.set(parent, new ArrayList<>());
                    }
                    children.get(parent).add(built);
                }
            }
            return built;
        }
    }

    /** This task without its subtree (a deep tree's text would be as deep as the tree). */
    @Override
    public String toString() {
        return "TaskInfo[" + path + " " + status + (runaway ? " runaway" : "") + ", attempts " + attempts
                + (failure == null ? "" : ", " + failure.type() + ": " + failure.message()) + ", children "
                + childCount + "]";
    }
}
