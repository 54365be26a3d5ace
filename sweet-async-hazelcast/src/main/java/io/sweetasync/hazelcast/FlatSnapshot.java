package io.sweetasync.hazelcast;

import io.sweetasync.TaskInfo;
import io.sweetasync.limit.LimiterSnapshot;
import io.sweetasync.spi.MemberSnapshot;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A member's trees as they travel: every task without its children, in pre-order, with the index of its
 * parent ({@code -1} for a root). Flat, so that serializing a tree of any depth does not recurse once per
 * level; {@link #toSnapshot} rebuilds the trees with a loop.
 *
 * @param member   the member's name
 * @param tasks    tasks without children, pre-order
 * @param parents  for each task, the index of its parent in {@code tasks}, or -1
 * @param limiters the member's groups
 */
record FlatSnapshot(String member, List<TaskInfo> tasks, int[] parents, List<LimiterSnapshot> limiters)
        implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    static FlatSnapshot of(String member, List<TaskInfo> roots, List<LimiterSnapshot> limiters) {
        List<TaskInfo> tasks = new ArrayList<>();
        List<Integer> parents = new ArrayList<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        for (int i = roots.size() - 1; i >= 0; i--) {
            stack.push(new Object[] { roots.get(i), -1 });
        }
        while (!stack.isEmpty()) {
            Object[] next = stack.pop();
            TaskInfo info = (TaskInfo) next[0];
            int index = tasks.size();
            tasks.add(withChildren(info, List.of()));
            parents.add((Integer) next[1]);
            for (int i = info.children().size() - 1; i >= 0; i--) {
                stack.push(new Object[] { info.children().get(i), index });
            }
        }
        return new FlatSnapshot(member, tasks, parents.stream().mapToInt(Integer::intValue).toArray(),
                List.copyOf(limiters));
    }

    /** The trees rebuilt: children in their order; a loop from the last task back, however deep. */
    MemberSnapshot toSnapshot(boolean local) {
        int size = tasks.size();
        List<List<TaskInfo>> children = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            children.add(new ArrayList<>());
        }
        TaskInfo[] built = new TaskInfo[size];
        List<TaskInfo> roots = new ArrayList<>();
        for (int i = size - 1; i >= 0; i--) {
            List<TaskInfo> own = children.get(i);
            Collections.reverse(own);
            built[i] = withChildren(tasks.get(i), own);
            if (parents[i] < 0) {
                roots.add(built[i]);
            }
            else {
                children.get(parents[i]).add(built[i]);
            }
        }
        Collections.reverse(roots);
        return new MemberSnapshot(member, local, roots, limiters);
    }

    private static TaskInfo withChildren(TaskInfo t, List<TaskInfo> children) {
        return new TaskInfo(t.id(), t.parentId(), t.name(), t.path(), t.status(), t.priority(), t.group(),
                t.runtime(), t.tags(), t.createdAt(), t.startedAt(), t.completedAt(), t.attempts(), t.dependencies(),
                t.failure(), t.metrics(), t.progress(), t.childCount(), t.runaway(), children);
    }
}
