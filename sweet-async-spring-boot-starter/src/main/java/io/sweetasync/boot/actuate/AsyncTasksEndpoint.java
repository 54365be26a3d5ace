package io.sweetasync.boot.actuate;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.boot.actuate.AsyncTasksParameters.HistoryQuery;
import io.sweetasync.internal.LiveCancels;
import io.sweetasync.spi.ClusterTask;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.TaskCluster;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/asynctasks}: live task trees, recently finished roots, the newest failed tasks, and a
 * page of the history (from the task store when there is one, so it reaches back across restarts, else
 * from the recent roots in memory) filtered by {@code status}, {@code name} and {@code since};
 * {@code /{id}}: one task with its subtree (live, recent or stored); {@code DELETE /{id}}: cancel a task
 * and its subtree. Read-only by default: the cancel operation exists only with
 * {@code management.endpoint.asynctasks.access=unrestricted}.
 *
 * <p>{@code ?limit=n} bounds every list of the answer (roots, recent, failed, the children of each node,
 * and the history page) to {@code n} entries, so that a page can poll it with 10,000 tasks live;
 * {@code childCount} and {@code childStatuses} still count every child, {@code liveRoots} and
 * {@code recentRoots} every root. Without it, {@value #DEFAULT_LIMIT} roots, recent roots and children per
 * node are listed (the newest 20 failed tasks, a history page of 50). Either way each list describes at most
 * {@value TaskDescriptor#MAX_TASKS} tasks, upper levels first (the bounds per node multiply over the levels of
 * a bushy tree), so the answer stays bounded with 100,000 tasks live; so does one task's subtree. Subtrees are
 * shown {@value TaskDescriptor#MAX_DEPTH} levels deep; {@code ?depth=n} shows
 * {@code n} levels of every tree and, below them, only the children of the tasks listed in {@code expand}:
 * with a limit, a bushy tree of 10,000 tasks answers the tasks a page shows, not all of them.
 *
 * <pre>
 * GET /actuator/asynctasks?limit=50        roots, recent and failed, up to 50 each and 50 children per node
 * GET /actuator/asynctasks?limit=50&amp;depth=1&amp;expand=7-42,7-43   roots with their children; 7-42's and 7-43's too
 * GET /actuator/asynctasks?status=FAILED&amp;name=send-invoice&amp;since=PT1H&amp;offset=20&amp;limit=20
 * GET /actuator/asynctasks/7-42?limit=0    one task without its children
 * </pre>
 *
 * <p>In a cluster ({@code sweet.async.cluster.enabled=true}) the answer also lists every member's live
 * trees, labelled with the member ({@code members}), and the same trees stitched into one forest
 * ({@code cluster}): a task placed on another member under the task that placed it, every task labelled
 * with its member ({@link ClusterTaskDescriptor}); both bounded by the same {@code limit}. A task of another
 * member can be read and cancelled by id through any member.
 *
 * <p>This class answers the operations: it gathers the live trees (here and, in a cluster, on every member),
 * cuts them to the requested shape and finds a task by id; the parameters are read and checked by
 * {@code AsyncTasksParameters}, the failed list and the history page come from {@code AsyncTasksHistory}.
 * Called on request threads, any number at once: it holds no state of its own beyond its collaborators.
 */
@Endpoint(id = "asynctasks", defaultAccess = Access.READ_ONLY)
public class AsyncTasksEndpoint {

    private static final Log LOG = LogFactory.getLog(AsyncTasksEndpoint.class);

    private static final int DEFAULT_FAILED = 20;

    /**
     * Roots, recent roots and children per node listed without a {@code limit}: what monitoring scrapes and people
     * curl stays a bounded answer with 100,000 tasks live (as Spring Boot's own {@code httpexchanges} keeps 100);
     * the counts ({@code liveRoots}, {@code recentRoots}, {@code childCount}) say how many there are.
     */
    public static final int DEFAULT_LIMIT = 100;

    private final TaskOrchestrator orchestrator;
    /** Null outside a cluster. */
    private final TaskCluster cluster;
    /** The failed list and the history page. */
    private final AsyncTasksHistory finished;

    /**
     * The endpoint of {@code orchestrator}'s tasks: its views show this member's alone; a cancel of a task not live
     * here goes as {@link TaskOrchestrator#cancel(TaskId)} goes, through the orchestrator's cluster if it has one.
     */
    public AsyncTasksEndpoint(TaskOrchestrator orchestrator) {
        this(orchestrator, null);
    }

    /**
     * The endpoint of a cluster member: its views show every member's tasks, and a task live on none here is read and
     * cancelled through {@code cluster}; null: as {@link #AsyncTasksEndpoint(TaskOrchestrator)}.
     */
    public AsyncTasksEndpoint(TaskOrchestrator orchestrator, @Nullable TaskCluster cluster) {
        this.orchestrator = orchestrator;
        this.cluster = cluster;
        this.finished = new AsyncTasksHistory(orchestrator);
    }

    /** As without a {@code limit}: {@value #DEFAULT_LIMIT} of each list, and the newest page of history. */
    public TasksDescriptor tasks() {
        return tasks(null, null, null, null, null);
    }

    /** Every list bounded by {@code limit} ({@value #DEFAULT_LIMIT} when null); the newest page of history. */
    public TasksDescriptor tasks(@Nullable Integer limit) {
        return tasks(null, null, null, null, limit);
    }

    /**
     * Live root tasks with their subtrees, the recently finished roots, the newest failed tasks (from the
     * task store when there is one, else among the recent roots) and one page of the history, newest
     * first, matching every filter given.
     *
     * @param status a task status name for the history ({@code FAILED}, case-insensitive)
     * @param name   a task name for the history, exactly
     * @param since  an instant ({@code 2026-12-01T10:00:00Z}) or a duration back from now ({@code PT1H})
     * @param offset history entries to skip, 0 by default
     * @param limit  0 to 1000: at most this many roots, recent and failed tasks, children per node and
     *               history entries; when null, {@value #DEFAULT_LIMIT} live and recent roots and children per
     *               node, the newest 20 failed tasks and a history page of 50
     * @throws InvalidEndpointRequestException (400) naming the bad value
     */
    public TasksDescriptor tasks(@Nullable String status, @Nullable String name, @Nullable String since,
            @Nullable Integer offset, @Nullable Integer limit) {
        return tasks(status, name, since, offset, limit, null, null);
    }

    /**
     * As {@link #tasks(String, String, String, Integer, Integer)}, the trees shaped as a page shows them.
     *
     * @param depth  0 to {@value TaskDescriptor#MAX_DEPTH}: levels of children shown below each listed task;
     *               {@value TaskDescriptor#MAX_DEPTH} when null
     * @param expand task ids, comma-separated, whose children are shown below {@code depth} too (at most
     *               1000)
     * @throws InvalidEndpointRequestException (400) naming the bad value
     */
    @ReadOperation
    public TasksDescriptor tasks(@Nullable String status, @Nullable String name, @Nullable String since,
            @Nullable Integer offset, @Nullable Integer limit, @Nullable Integer depth, @Nullable String expand) {
        HistoryQuery query = AsyncTasksParameters.query(status, name, since, offset, limit);
        int max = limit == null ? DEFAULT_LIMIT : limit;
        Shape shape = new Shape(max, AsyncTasksParameters.depth(depth), AsyncTasksParameters.expanded(expand));
        List<TaskInfo> roots = orchestrator.roots();
        List<TaskInfo> recent = orchestrator.recent();
        List<MemberSnapshot> snapshots = cluster == null ? null : cluster.members();
        List<MemberTasksDescriptor> members = snapshots == null ? null : snapshots.stream()
                .map(member -> new MemberTasksDescriptor(member.member(), member.local(),
                        describe(member.roots().stream(), shape), member.roots().size()))
                .toList();
        List<ClusterTask> forest = snapshots == null ? null : ClusterTask.stitch(snapshots);
        List<ClusterTaskDescriptor> stitched = forest == null ? null
                : ClusterTaskDescriptor.of(forest, max, shape.depth(), shape.expanded());
        return new TasksDescriptor(describe(roots.stream(), shape), describe(recent.stream(), shape),
                describe(finished.failed(recent, limit == null ? DEFAULT_FAILED : max).stream(), shape),
                roots.size(), recent.size(), orchestrator.liveCount(), orchestrator.runawayCount(),
                finished.history(query, recent), members, stitched, forest == null ? 0 : forest.size());
    }

    /**
     * One task (live, recent or stored) with its subtree; 404 if unknown.
     *
     * @param id    a task id ({@code 7-42}, or {@code 42} without a store)
     * @param limit 0 to 1000: at most this many children per node; all when null (either way at most
     *              {@value TaskDescriptor#MAX_TASKS} tasks of the subtree, upper levels first)
     * @throws InvalidEndpointRequestException (400) naming the bad value, for an id that cannot be a task's or a
     *                                         limit out of range
     */
    @ReadOperation
    public TaskDescriptor task(@Selector String id, @Nullable Integer limit) {
        TaskId taskId = AsyncTasksParameters.parseOrReject(id);
        AsyncTasksParameters.checkLimit(limit);
        int max = limit == null ? Integer.MAX_VALUE : limit;
        return find(taskId).map(info -> TaskDescriptor.of(info, max)).orElse(null);
    }

    /**
     * Cancels a live task and its subtree, on whichever member runs it; null if it is unknown or already
     * finished (404 on the web), or if no member could be asked (the cluster detached as this member closes), as
     * {@link TaskOrchestrator#cancel(TaskId)} answers false then. A task of this member whose cancel came too late (it
     * finished, or was ending otherwise, as the request came) answers {@code cancelled: false} with its status then,
     * read from the task this member holds in memory: never a live status from the task store's record of a task that
     * has just ended (the store gets the end at its writer's next flush).
     *
     * @throws InvalidEndpointRequestException (400) naming the id, for one that cannot be a task's
     */
    @DeleteOperation
    public CancelDescriptor cancel(@Selector String id) {
        TaskId taskId = AsyncTasksParameters.parseOrReject(id);
        // One look at this member's live trees, which cancels the task there: how it ends is read from the task in
        // memory, and no snapshot of it nor of its subtree is built. None live here: another member's, or finished.
        LiveCancels.Outcome here = LiveCancels.cancel(orchestrator, taskId);
        if (here != null) {
            return new CancelDescriptor(taskId.toString(), here.cancelled(),
                    here.cancelled() ? null : here.status().name());
        }
        return cancelElsewhere(taskId) ? new CancelDescriptor(taskId.toString(), true, null) : null;
    }

    /**
     * A task not live here, cancelled on whichever member runs it: through this endpoint's cluster, else as the
     * orchestrator cancels it (through its own cluster, if it has one). A cluster that cannot be asked (detached as
     * this member closes, its engine failed) reached no member: false, as {@link TaskOrchestrator#cancel} answers.
     */
    private boolean cancelElsewhere(TaskId id) {
        if (cluster == null) {
            return orchestrator.cancel(id);
        }
        try {
            return cluster.cancel(id);
        }
        catch (RuntimeException ex) {
            LOG.debug("could not ask the cluster to cancel task " + id, ex);
            return false;
        }
    }

    /**
     * {@link #cancel(String)} as Actuator's write operation ({@code POST /actuator/asynctasks/{id}}), which is
     * what SPEC promises; the {@code DELETE} form stays for the dashboard and existing clients. Both need the
     * endpoint's access to allow writes.
     */
    @WriteOperation
    public CancelDescriptor cancelTask(@Selector String id) {
        return cancel(id);
    }

    /** Here (live, recent or stored), else live on another member. */
    private Optional<TaskInfo> find(TaskId id) {
        Optional<TaskInfo> here = orchestrator.find(id);
        if (here.isPresent() || cluster == null) {
            return here;
        }
        return cluster.find(id); // that task alone travels (the dashboard asks every second for the one it shows)
    }

    /**
     * One task (live, recent, stored, or live on another member) with its subtree ({@value TaskDescriptor#MAX_TASKS}
     * tasks of it at most, upper levels first); null if unknown.
     *
     * @throws InvalidEndpointRequestException for an id that cannot be a task's
     */
    public TaskDescriptor task(String id) {
        return task(id, null);
    }

    /** How the listed trees are cut: children per node and per list, levels, and the tasks open below them. */
    private record Shape(int limit, int depth, Set<TaskId> expanded) {
    }

    /** One list: at most {@code limit} trees, {@value TaskDescriptor#MAX_TASKS} tasks in all (see BoundedTrees). */
    private static List<TaskDescriptor> describe(Stream<TaskInfo> infos, Shape shape) {
        BoundedTrees.Budget budget = new BoundedTrees.Budget();
        return infos.limit(shape.limit())
                .map(info -> TaskDescriptor.of(info, shape.limit(), shape.depth(), shape.expanded(), budget)).toList();
    }

    /**
     * Live and recent task trees, the newest failed tasks and a page of the history.
     *
     * @param live       live roots with their subtrees, oldest first: at most the request's {@code limit}
     *                   ({@value #DEFAULT_LIMIT} without one), as every list and every node's children here
     * @param recent     recently finished roots, newest first
     * @param failed     the newest failed tasks: stored ones when there is a task store, else the failed
     *                   among {@code recent}
     * @param liveRoots  live roots in all (also those beyond the limit)
     * @param recentRoots recently finished roots kept in all ({@code sweet.async.history-size} at most)
     * @param liveTasks  live tasks in all, roots and children
     * @param runaways   tasks that ended while their bodies still run
     * @param history    the page of history the request asked for
     * @param members    in a cluster, every member's live trees (this one's too), each member apart; else null
     * @param cluster    in a cluster, the same trees stitched across members: a placed task under the task that
     *                   placed it, each task labelled with its member; roots in the members' order; else null
     * @param clusterRoots roots of the stitched forest in all (also those beyond the limit); 0 outside a cluster
     */
    public record TasksDescriptor(List<TaskDescriptor> live, List<TaskDescriptor> recent, List<TaskDescriptor> failed,
            int liveRoots, int recentRoots, int liveTasks, int runaways, HistoryDescriptor history,
            List<MemberTasksDescriptor> members, List<ClusterTaskDescriptor> cluster, int clusterRoots) {
    }

    /**
     * One member's live trees, labelled with the member ({@code local}: the member that answers), as many as
     * {@code live} lists; {@code liveRoots} counts them all.
     */
    public record MemberTasksDescriptor(String member, boolean local, List<TaskDescriptor> live, int liveRoots) {
    }

    /**
     * A page of finished and live tasks, newest first, without their subtrees.
     *
     * @param source {@code store} (the task store: every member, across restarts) or {@code memory} (this
     *               process's recent roots and their subtrees)
     */
    public record HistoryDescriptor(String source, int offset, int limit, List<TaskDescriptor> tasks) {
    }

    /**
     * The answer to a cancel, as {@link TaskOrchestrator#cancel(TaskId)} gives it: {@code cancelled} is true when
     * the task ends {@code CANCELLED}, by this request or an earlier cancellation (its body may still be
     * returning); false when the cancel came too late.
     *
     * @param status null when cancelled; else the task's status as read after the cancel: a terminal one
     *               ({@code COMPLETED}, {@code FAILED}, {@code TIMED_OUT}, {@code CANCELLED}) when the task
     *               finished first, a live one ({@code RUNNING}) when it was already ending otherwise (its body had
     *               returned, its deadline had passed, it was being rejected) and has not finished yet
     */
    public record CancelDescriptor(String id, boolean cancelled, @Nullable String status) {
    }
}
