package io.sweetasync.spi;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.limit.LimiterSnapshot;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One member's live task trees and concurrency groups, labelled with the member.
 *
 * <pre>{@code
 * for (MemberSnapshot member : cluster.members()) {
 *     System.out.println(member.member() + ": " + member.roots().size() + " live trees");
 * }
 * }</pre>
 *
 * @param member   the member's name
 * @param local    whether it is the member that asked
 * @param roots    its live root tasks with their subtrees
 * @param limiters its groups' limiter snapshots
 */
public record MemberSnapshot(String member, boolean local, List<TaskInfo> roots, List<LimiterSnapshot> limiters) {

    public MemberSnapshot {
        Objects.requireNonNull(member, "member");
        roots = List.copyOf(roots);
        limiters = List.copyOf(limiters);
    }

    /**
     * The task of {@code id} among this member's trees, with its subtree; empty if none. A loop, however deep the
     * trees.
     *
     * <pre>{@code
     * Optional<TaskInfo> task = member.find(TaskId.parse("7-42"));
     * }</pre>
     */
    public Optional<TaskInfo> find(TaskId id) {
        Objects.requireNonNull(id, "id");
        ArrayDeque<TaskInfo> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            TaskInfo task = todo.pop();
            if (task.id().equals(id)) {
                return Optional.of(task);
            }
            todo.addAll(task.children());
        }
        return Optional.empty();
    }
}
