package io.sweetasync.boot.actuate;

import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
import java.util.List;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/asynctasks}: live task trees and recently finished roots; {@code /{id}}: one task with
 * its subtree; {@code DELETE /{id}}: cancel a task and its subtree. Read-only by default: the cancel
 * operation exists only with {@code management.endpoint.asynctasks.access=unrestricted}.
 */
@Endpoint(id = "asynctasks", defaultAccess = Access.READ_ONLY)
public class AsyncTasksEndpoint {

    private final TaskOrchestrator orchestrator;

    public AsyncTasksEndpoint(TaskOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    /** Live root tasks with their subtrees, and the recently finished roots. */
    @ReadOperation
    public TasksDescriptor tasks() {
        return new TasksDescriptor(orchestrator.roots().stream().map(TaskDescriptor::of).toList(),
                orchestrator.recent().stream().map(TaskDescriptor::of).toList());
    }

    /** One task (live or recent) with its subtree; 404 if unknown. */
    @ReadOperation
    public TaskDescriptor task(@Selector String id) {
        TaskId taskId = parse(id);
        return taskId == null ? null : orchestrator.find(taskId).map(TaskDescriptor::of).orElse(null);
    }

    /** Cancels a live task and its subtree; 404 if it is unknown or already finished. */
    @DeleteOperation
    public CancelDescriptor cancel(@Selector String id) {
        TaskId taskId = parse(id);
        if (taskId == null || orchestrator.find(taskId).filter(task -> !task.status().isTerminal()).isEmpty()) {
            return null;
        }
        return new CancelDescriptor(id, orchestrator.cancel(taskId));
    }

    private static TaskId parse(String id) {
        try {
            return TaskId.parse(id);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

    /** Live and recent task trees. */
    public record TasksDescriptor(List<TaskDescriptor> live, List<TaskDescriptor> recent) {
    }

    /** The answer to a cancel: whether this request cancelled the task (false: it was already stopping). */
    public record CancelDescriptor(String id, boolean cancelled) {
    }
}
