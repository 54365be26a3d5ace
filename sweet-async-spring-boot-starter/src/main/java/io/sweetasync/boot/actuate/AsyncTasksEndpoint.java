package io.sweetasync.boot.actuate;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.TaskCluster;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/asynctasks}: live task trees and recently finished roots; {@code /{id}}: one task with
 * its subtree; {@code DELETE /{id}}: cancel a task and its subtree. Read-only by default: the cancel
 * operation exists only with {@code management.endpoint.asynctasks.access=unrestricted}.
 *
 * <p>In a cluster ({@code sweet.async.cluster.enabled=true}) the answer also lists every member's live trees,
 * labelled with the member; a task of another member can be read and cancelled by id through any member.
 */
@Endpoint(id = "asynctasks", defaultAccess = Access.READ_ONLY)
public class AsyncTasksEndpoint {

    private final TaskOrchestrator orchestrator;
    /** Null outside a cluster. */
    private final TaskCluster cluster;

    public AsyncTasksEndpoint(TaskOrchestrator orchestrator) {
        this(orchestrator, null);
    }

    /** The endpoint of a cluster member; {@code cluster} may be null (no cluster). */
    public AsyncTasksEndpoint(TaskOrchestrator orchestrator, TaskCluster cluster) {
        this.orchestrator = orchestrator;
        this.cluster = cluster;
    }

    /** Live root tasks with their subtrees, and the recently finished roots; in a cluster, every member's live trees. */
    @ReadOperation
    public TasksDescriptor tasks() {
        List<MemberTasksDescriptor> members = cluster == null ? null : cluster.members().stream()
                .map(member -> new MemberTasksDescriptor(member.member(), member.local(),
                        member.roots().stream().map(TaskDescriptor::of).toList()))
                .toList();
        return new TasksDescriptor(orchestrator.roots().stream().map(TaskDescriptor::of).toList(),
                orchestrator.recent().stream().map(TaskDescriptor::of).toList(), members);
    }

    /** One task (live or recent, or live on another member) with its subtree; 404 if unknown. */
    @ReadOperation
    public TaskDescriptor task(@Selector String id) {
        TaskId taskId = parse(id);
        return taskId == null ? null : find(taskId).map(TaskDescriptor::of).orElse(null);
    }

    /** Cancels a live task and its subtree, on whichever member runs it; 404 if it is unknown or already finished. */
    @DeleteOperation
    public CancelDescriptor cancel(@Selector String id) {
        TaskId taskId = parse(id);
        if (taskId == null) {
            return null;
        }
        if (orchestrator.find(taskId).filter(task -> !task.status().isTerminal()).isPresent()) {
            return new CancelDescriptor(id, orchestrator.cancel(taskId));
        }
        return cluster != null && cluster.cancel(taskId) ? new CancelDescriptor(id, true) : null;
    }

    private Optional<TaskInfo> find(TaskId id) {
        Optional<TaskInfo> here = orchestrator.find(id);
        if (here.isPresent() || cluster == null) {
            return here;
        }
        for (MemberSnapshot member : cluster.members()) {
            ArrayDeque<TaskInfo> pending = new ArrayDeque<>(member.roots());
            while (!pending.isEmpty()) {
                TaskInfo task = pending.pop();
                if (task.id().equals(id)) {
                    return Optional.of(task);
                }
                task.children().forEach(pending::push);
            }
        }
        return Optional.empty();
    }

    private static TaskId parse(String id) {
        try {
            return TaskId.parse(id);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

    /** Live and recent task trees of this member; in a cluster, every member's live trees (else null, left out). */
    public record TasksDescriptor(List<TaskDescriptor> live, List<TaskDescriptor> recent,
            List<MemberTasksDescriptor> members) {
    }

    /** One member's live trees, labelled with the member ({@code local}: the member that answers). */
    public record MemberTasksDescriptor(String member, boolean local, List<TaskDescriptor> live) {
    }

    /** The answer to a cancel: whether this request cancelled the task (false: it was already stopping). */
    public record CancelDescriptor(String id, boolean cancelled) {
    }
}
