package io.sweetasync.hazelcast;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Answers with the live task of an id on the member it is sent to, with its subtree (flat, as views travel), or
 * null if it runs none.
 */
final class FindById extends ClusterMessage implements Callable<FlatSnapshot>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String id;

    FindById(String id) {
        this.id = id;
    }

    @Override
    public FlatSnapshot call() {
        HazelcastTaskCluster here = here();
        TaskInfo found = find(here.host().roots(), TaskId.parse(id));
        return found == null ? null : FlatSnapshot.of(here.memberName(), List.of(found), List.of());
    }

    /** The task of {@code id} among {@code roots} and their subtrees, or null; a loop, however deep. */
    static TaskInfo find(List<TaskInfo> roots, TaskId id) {
        ArrayDeque<TaskInfo> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            TaskInfo task = todo.pop();
            if (task.id().equals(id)) {
                return task;
            }
            todo.addAll(task.children());
        }
        return null;
    }
}
