package io.sweetasync.spi;

import io.sweetasync.TaskInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One task of the cluster's live trees, labelled with the member it runs on, and stitched across members:
 * its children are its own children on its member, then the tasks it placed on other members (roots there,
 * tagged {@value #PLACED_FROM} with {@code <member>/<task id>}). A tree that spans members reads as one.
 *
 * <pre>{@code
 * for (ClusterTask root : ClusterTask.stitch(cluster.members())) {
 *     for (ClusterTask child : root.children()) {
 *         System.out.println(root.task().name() + " -> " + child.task().name() + " on " + child.member());
 *     }
 * }
 * }</pre>
 *
 * @param member   the member the task runs on
 * @param task     its snapshot, without children (they are in {@code children})
 * @param children its children on its member, in start order, then the tasks it placed elsewhere
 */
public record ClusterTask(String member, TaskInfo task, List<ClusterTask> children) {

    /** The tag a task placed on another member carries: the placing member and task, {@code member/id}. */
    public static final String PLACED_FROM = "placed-from";

    public ClusterTask {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(task, "task");
        children = List.copyOf(children);
    }

    /**
     * The members' live trees stitched together: a root placed from a task among the trees goes under that
     * task; every other root stays a root, in the members' order. Built with loops, however deep the trees;
     * a placed task whose placing task is not listed (ended, or beyond a bound) stays a root.
     */
    public static List<ClusterTask> stitch(List<MemberSnapshot> members) {
        List<String> memberOf = new ArrayList<>();
        List<TaskInfo> tasks = new ArrayList<>();
        List<Integer> ownParent = new ArrayList<>();
        Map<String, Integer> byKey = new HashMap<>();
        for (MemberSnapshot member : members) {
            ArrayDeque<Object[]> stack = new ArrayDeque<>();
            for (int i = member.roots().size() - 1; i >= 0; i--) {
                stack.push(new Object[] { member.roots().get(i), -1 });
            }
            while (!stack.isEmpty()) {
                Object[] next = stack.pop();
                TaskInfo info = (TaskInfo) next[0];
                int index = tasks.size();
                memberOf.add(member.member());
                tasks.add(info);
                ownParent.add((Integer) next[1]);
                byKey.putIfAbsent(member.member() + "/" + info.id(), index);
                for (int i = info.children().size() - 1; i >= 0; i--) {
                    stack.push(new Object[] { info.children().get(i), index });
                }
            }
        }
        int size = tasks.size();
        int[] parent = new int[size];
        List<List<Integer>> children = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            parent[i] = ownParent.get(i);
            children.add(new ArrayList<>());
            if (parent[i] >= 0) {
                children.get(parent[i]).add(i);
            }
        }
        for (int i = 0; i < size; i++) {
            String from = parent[i] < 0 ? tasks.get(i).tags().get(PLACED_FROM) : null;
            Integer placer = from == null ? null : byKey.get(from);
            if (placer != null && !isAncestor(i, placer, parent)) {
                parent[i] = placer;
                children.get(placer).add(i);
            }
        }
        // Pre-order over the stitched forest, then built from the end: children before their parents.
        List<Integer> order = new ArrayList<>(size);
        ArrayDeque<Integer> stack = new ArrayDeque<>();
        for (int i = size - 1; i >= 0; i--) {
            if (parent[i] < 0) {
                stack.push(i);
            }
        }
        while (!stack.isEmpty()) {
            int next = stack.pop();
            order.add(next);
            List<Integer> own = children.get(next);
            for (int i = own.size() - 1; i >= 0; i--) {
                stack.push(own.get(i));
            }
        }
        ClusterTask[] built = new ClusterTask[size];
        for (int k = order.size() - 1; k >= 0; k--) {
            int index = order.get(k);
            List<ClusterTask> own = new ArrayList<>(children.get(index).size());
            for (int child : children.get(index)) {
                own.add(built[child]);
            }
            built[index] = new ClusterTask(memberOf.get(index), withoutChildren(tasks.get(index)), own);
        }
        List<ClusterTask> roots = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            if (parent[i] < 0) {
                roots.add(built[i]);
            }
        }
        return roots;
    }

    /** Whether {@code task} is {@code other} or one of its ancestors (stitching it there would close a loop). */
    private static boolean isAncestor(int task, int other, int[] parent) {
        for (int at = other; at >= 0; at = parent[at]) {
            if (at == task) {
                return true;
            }
        }
        return false;
    }

    private static TaskInfo withoutChildren(TaskInfo t) {
        return new TaskInfo(t.id(), t.parentId(), t.name(), t.path(), t.status(), t.priority(), t.group(),
                t.runtime(), t.tags(), t.createdAt(), t.startedAt(), t.completedAt(), t.attempts(), t.dependencies(),
                t.failure(), t.metrics(), t.progress(), t.childCount(), t.runaway(), List.of());
    }
}
