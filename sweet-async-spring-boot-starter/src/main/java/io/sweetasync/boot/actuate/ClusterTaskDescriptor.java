package io.sweetasync.boot.actuate;

import io.sweetasync.TaskId;
import io.sweetasync.spi.ClusterTask;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A task of the cluster's stitched live trees, as the {@code asynctasks} endpoint shows it (its
 * {@code cluster} list): labelled with the member it runs on, with its children on that member and, after
 * them, the tasks it placed on other members, each labelled with its own member. The JSON form of
 * {@link ClusterTask}.
 *
 * <pre>
 * {"member": "127.0.0.1:5701", "task": {"id": "1-7", "name": "checkout", ..., "children": []},
 *  "children": [{"member": "127.0.0.1:5702", "task": {"id": "2-3", "tags": {"placed-from": "127.0.0.1:5701/1-8"}, ...},
 *                "children": []}]}
 * </pre>
 *
 * @param member   the member the task runs on
 * @param task     the task alone: its {@code children} list is empty (they are in {@code children} here),
 *                 {@code childCount} counts the children it started on its member, {@code childStatuses}
 *                 every child it has in the stitched tree, placed ones included (also those left out of
 *                 {@code children} by the request's {@code limit})
 * @param children its children on its member in start order, then the tasks it placed elsewhere; at most the
 *                 request's {@code limit}, to {@value TaskDescriptor#MAX_DEPTH} levels below a root
 */
public record ClusterTaskDescriptor(String member, TaskDescriptor task, List<ClusterTaskDescriptor> children) {

    /**
     * The stitched forest described: at most {@code limit} roots and children per node, {@code depth} levels,
     * and below that the children of the tasks in {@code expanded}; built without recursion (trees may be
     * deep), at most {@value TaskDescriptor#MAX_TASKS} tasks in all, upper levels first; see {@link BoundedTrees}.
     */
    static List<ClusterTaskDescriptor> of(List<ClusterTask> roots, int limit, int depth, Set<TaskId> expanded) {
        BoundedTrees.Budget budget = new BoundedTrees.Budget();
        return roots.stream().limit(limit).map(root -> BoundedTrees.map(root, limit, depth,
                node -> expanded.contains(node.task().id()), ClusterTask::children, ClusterTaskDescriptor::node,
                budget)).toList();
    }

    private static ClusterTaskDescriptor node(ClusterTask node, List<ClusterTaskDescriptor> children) {
        return new ClusterTaskDescriptor(node.member(), TaskDescriptor.alone(node.task(), statuses(node)), children);
    }

    private static Map<String, Integer> statuses(ClusterTask node) {
        Map<String, Integer> statuses = new TreeMap<>();
        for (ClusterTask child : node.children()) {
            statuses.merge(child.task().status().name(), 1, Integer::sum);
        }
        return statuses;
    }
}
