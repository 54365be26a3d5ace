package io.sweetasync.boot.actuate;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.TaskQuery;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/asynctasks}: live task trees, recently finished roots, and a page of the history
 * (from the task store when there is one, so it reaches back across restarts, else from the recent
 * roots in memory), filtered by {@code status}, {@code name} and {@code since}; {@code /{id}}: one task
 * with its subtree (live, recent or stored); {@code DELETE /{id}}: cancel a task and its subtree.
 * Read-only by default: the cancel operation exists only with
 * {@code management.endpoint.asynctasks.access=unrestricted}.
 *
 * <pre>
 * GET /actuator/asynctasks?status=FAILED&amp;name=send-invoice&amp;since=PT1H&amp;offset=0&amp;limit=20
 * </pre>
 */
@Endpoint(id = "asynctasks", defaultAccess = Access.READ_ONLY)
public class AsyncTasksEndpoint {

    private final TaskOrchestrator orchestrator;

    public AsyncTasksEndpoint(TaskOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    /** Live root tasks with their subtrees, the recently finished roots, and the newest page of history. */
    public TasksDescriptor tasks() {
        return tasks(null, null, null, null, null);
    }

    /**
     * Live root tasks with their subtrees, the recently finished roots, and one page of the history,
     * newest first, matching every filter given.
     *
     * @param status a task status name ({@code FAILED}, case-insensitive)
     * @param name   a task name, exactly
     * @param since  an instant ({@code 2026-12-01T10:00:00Z}) or a duration back from now ({@code PT1H})
     * @param offset tasks to skip, 0 by default
     * @param limit  tasks in the page, 1 to 1000, 50 by default
     * @throws InvalidEndpointRequestException (400) naming the bad value
     */
    @ReadOperation
    public TasksDescriptor tasks(@Nullable String status, @Nullable String name, @Nullable String since,
            @Nullable Integer offset, @Nullable Integer limit) {
        TaskQuery query = query(status, name, since, offset, limit);
        return new TasksDescriptor(orchestrator.roots().stream().map(TaskDescriptor::of).toList(),
                orchestrator.recent().stream().map(TaskDescriptor::of).toList(), history(query));
    }

    private HistoryDescriptor history(TaskQuery query) {
        if (orchestrator.storeStatistics().isPresent()) {
            return new HistoryDescriptor("store", query.offset(), query.limit(),
                    orchestrator.stored(query).stream().map(TaskDescriptor::of).toList());
        }
        // Without a store: the finished roots kept in memory and their subtrees, flattened.
        List<TaskDescriptor> page = orchestrator.recent().stream().flatMap(AsyncTasksEndpoint::flatten)
                .filter(task -> query.status() == null || task.status().name().equals(query.status()))
                .filter(task -> query.name() == null || query.name().equals(task.name()))
                .filter(task -> query.since() == null || !task.createdAt().isBefore(query.since()))
                .skip(query.offset()).limit(query.limit()).map(TaskDescriptor::flat).toList();
        return new HistoryDescriptor("memory", query.offset(), query.limit(), page);
    }

    private static Stream<TaskInfo> flatten(TaskInfo root) {
        List<TaskInfo> all = new java.util.ArrayList<>();
        java.util.ArrayDeque<TaskInfo> todo = new java.util.ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) { // iterative: trees may be deep
            TaskInfo task = todo.pop();
            all.add(task);
            task.children().forEach(todo::push);
        }
        return all.stream();
    }

    private static TaskQuery query(@Nullable String status, @Nullable String name, @Nullable String since,
            @Nullable Integer offset, @Nullable Integer limit) {
        String statusName = null;
        if (status != null && !status.isBlank()) {
            statusName = status.trim().toUpperCase(Locale.ROOT);
            try {
                TaskStatus.valueOf(statusName);
            }
            catch (IllegalArgumentException ex) {
                throw new InvalidEndpointRequestException("status must be one of "
                        + Arrays.toString(TaskStatus.values()) + ", was '" + status + "'", "bad status");
            }
        }
        int from = offset == null ? 0 : offset;
        int size = limit == null ? 50 : limit;
        if (from < 0) {
            throw new InvalidEndpointRequestException("offset must not be negative, was " + from, "bad offset");
        }
        if (size < 1 || size > 1000) {
            throw new InvalidEndpointRequestException("limit must be between 1 and 1000, was " + size, "bad limit");
        }
        return new TaskQuery(statusName, name == null || name.isBlank() ? null : name, since(since), from, size);
    }

    private static @Nullable Instant since(@Nullable String since) {
        if (since == null || since.isBlank()) {
            return null;
        }
        String text = since.trim();
        try {
            if (text.startsWith("P") || text.startsWith("p") || text.startsWith("-P")) {
                Duration back = Duration.parse(text);
                if (back.isNegative()) {
                    throw new DateTimeParseException("negative", text, 0);
                }
                return Instant.now().minus(back);
            }
            return Instant.parse(text);
        }
        catch (DateTimeParseException | ArithmeticException ex) {
            throw new InvalidEndpointRequestException("since must be an instant (2026-12-01T10:00:00Z) or a duration "
                    + "back from now (PT1H), was '" + since + "'", "bad since");
        }
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

    /** Live and recent task trees, and a page of the history. */
    public record TasksDescriptor(List<TaskDescriptor> live, List<TaskDescriptor> recent, HistoryDescriptor history) {
    }

    /**
     * A page of finished and live tasks, newest first, without their subtrees.
     *
     * @param source {@code store} (the task store: every member, across restarts) or {@code memory} (this
     *               process's recent roots and their subtrees)
     */
    public record HistoryDescriptor(String source, int offset, int limit, List<TaskDescriptor> tasks) {
    }

    /** The answer to a cancel: whether this request cancelled the task (false: it was already stopping). */
    public record CancelDescriptor(String id, boolean cancelled) {
    }
}
