package io.sweetasync.boot.actuate;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.TaskQuery;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/asynctasks}: live task trees, recently finished roots and the newest failed tasks;
 * {@code /{id}}: one task with its subtree; {@code DELETE /{id}}: cancel a task and its subtree. Read-only
 * by default: the cancel operation exists only with {@code management.endpoint.asynctasks.access=unrestricted}.
 *
 * <p>
 * {@code ?limit=n} bounds every list of the answer (roots, recent, failed, and the children of each node)
 * to {@code n} entries, so that a page can poll it with 10,000 tasks live; {@code childCount} and
 * {@code childStatuses} still count every child:
 *
 * <pre>
 * GET /actuator/asynctasks?limit=50        roots, recent and failed, up to 50 each and 50 children per node
 * GET /actuator/asynctasks/7-42?limit=0    one task without its children
 * </pre>
 */
@Endpoint(id = "asynctasks", defaultAccess = Access.READ_ONLY)
public class AsyncTasksEndpoint {

    private static final Log LOG = LogFactory.getLog(AsyncTasksEndpoint.class);
    private static final int DEFAULT_FAILED = 20;

    private final TaskOrchestrator orchestrator;

    public AsyncTasksEndpoint(TaskOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    /**
     * Live root tasks with their subtrees, the recently finished roots, and the newest failed tasks (from
     * the task store when there is one, else among the recent roots).
     *
     * @param limit at most this many roots, recent and failed tasks, and children per node; all when null
     */
    @ReadOperation
    public TasksDescriptor tasks(@Nullable Integer limit) {
        int max = bound(limit);
        List<TaskInfo> roots = orchestrator.roots();
        List<TaskInfo> recent = orchestrator.recent();
        return new TasksDescriptor(describe(roots.stream(), max), describe(recent.stream(), max),
                describe(failed(recent, limit == null ? DEFAULT_FAILED : max).stream(), max),
                roots.size(), orchestrator.liveCount(), orchestrator.runawayCount());
    }

    /**
     * One task (live, recent or stored) with its subtree; 404 if unknown.
     *
     * @param limit at most this many children per node; all when null
     */
    @ReadOperation
    public TaskDescriptor task(@Selector String id, @Nullable Integer limit) {
        TaskId taskId = parse(id);
        int max = bound(limit);
        return taskId == null ? null : orchestrator.find(taskId).map(info -> TaskDescriptor.of(info, max)).orElse(null);
    }

    /** Cancels a live task and its subtree; null if it is unknown or already finished (404 on the web). */
    @DeleteOperation
    public CancelDescriptor cancel(@Selector String id) {
        TaskId taskId = parse(id);
        if (taskId == null || orchestrator.find(taskId).filter(task -> !task.status().isTerminal()).isEmpty()) {
            return null;
        }
        return new CancelDescriptor(id, orchestrator.cancel(taskId));
    }

    private List<TaskInfo> failed(List<TaskInfo> recent, int max) {
        if (max == 0) {
            return List.of();
        }
        if (orchestrator.storeStatistics().isPresent()) {
            try {
                return orchestrator.stored(new TaskQuery(TaskStatus.FAILED.name(), null, null, 0, Math.min(max, 1000)));
            }
            catch (RuntimeException ex) {
                LOG.warn("asynctasks: the task store failed listing failed tasks; answering without them", ex);
                return List.of();
            }
        }
        return recent.stream().filter(info -> info.status() == TaskStatus.FAILED).limit(max).toList();
    }

    private static List<TaskDescriptor> describe(Stream<TaskInfo> infos, int max) {
        return infos.limit(max).map(info -> TaskDescriptor.of(info, max)).toList();
    }

    private static int bound(Integer limit) {
        return limit == null ? Integer.MAX_VALUE : Math.max(0, limit);
    }

    static TaskId parse(String id) {
        try {
            return TaskId.parse(id);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

    /**
     * Live and recent task trees.
     *
     * @param live       live roots with their subtrees, oldest first
     * @param recent     recently finished roots, newest first
     * @param failed     the newest failed tasks: stored ones when there is a task store, else the failed
     *                   among {@code recent}
     * @param liveRoots  live roots in all (also those beyond the limit)
     * @param liveTasks  live tasks in all, roots and children
     * @param runaways   tasks that ended while their bodies still run
     */
    public record TasksDescriptor(List<TaskDescriptor> live, List<TaskDescriptor> recent, List<TaskDescriptor> failed,
            int liveRoots, int liveTasks, int runaways) {
    }

    /** The answer to a cancel: whether this request cancelled the task (false: it was already stopping). */
    public record CancelDescriptor(String id, boolean cancelled) {
    }
}
