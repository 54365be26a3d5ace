package io.sweetasync.boot.actuate;

import io.sweetasync.TaskId;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.spi.ClusterTask;
import io.sweetasync.spi.MemberSnapshot;
import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskQuery;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
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
 * {@code childCount} and {@code childStatuses} still count every child. Subtrees are shown
 * {@value TaskDescriptor#MAX_DEPTH} levels deep; {@code ?depth=n} shows {@code n} levels of every tree
 * and, below them, only the children of the tasks listed in {@code expand}: with a limit, a bushy tree of
 * 10,000 tasks answers the tasks a page shows, not all of them.
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
 */
@Endpoint(id = "asynctasks", defaultAccess = Access.READ_ONLY)
public class AsyncTasksEndpoint {

    private static final Log LOG = LogFactory.getLog(AsyncTasksEndpoint.class);
    private static final int DEFAULT_FAILED = 20;
    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_LIMIT = 1000;
    /** The longest task name (SpawningTaskBuilder.named): a longer filter can match nothing. */
    private static final int MAX_NAME = 100;
    /** The most ids one {@code expand} lists. */
    private static final int MAX_EXPAND = 1000;

    private final TaskOrchestrator orchestrator;
    /** Null outside a cluster. */
    private final TaskCluster cluster;

    public AsyncTasksEndpoint(TaskOrchestrator orchestrator) {
        this(orchestrator, null);
    }

    /** The endpoint of a cluster member; {@code cluster} may be null (no cluster). */
    public AsyncTasksEndpoint(TaskOrchestrator orchestrator, @Nullable TaskCluster cluster) {
        this.orchestrator = orchestrator;
        this.cluster = cluster;
    }

    /** Everything, unbounded, and the newest page of history. */
    public TasksDescriptor tasks() {
        return tasks(null, null, null, null, null);
    }

    /** Every list bounded by {@code limit} (all when null); the newest page of history. */
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
     *               history entries; when null, all of each list and a history page of 50
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
        HistoryQuery query = query(status, name, since, offset, limit);
        int max = limit == null ? Integer.MAX_VALUE : limit;
        Shape shape = new Shape(max, depth(depth), expanded(expand));
        List<TaskInfo> roots = orchestrator.roots();
        List<TaskInfo> recent = orchestrator.recent();
        List<MemberSnapshot> snapshots = cluster == null ? null : cluster.members();
        List<MemberTasksDescriptor> members = snapshots == null ? null : snapshots.stream()
                .map(member -> new MemberTasksDescriptor(member.member(), member.local(),
                        describe(member.roots().stream(), shape)))
                .toList();
        List<ClusterTaskDescriptor> stitched = snapshots == null ? null
                : ClusterTaskDescriptor.of(ClusterTask.stitch(snapshots), max, shape.depth(), shape.expanded());
        return new TasksDescriptor(describe(roots.stream(), shape), describe(recent.stream(), shape),
                describe(failed(recent, limit == null ? DEFAULT_FAILED : max).stream(), shape),
                roots.size(), orchestrator.liveCount(), orchestrator.runawayCount(), history(query, recent), members,
                stitched);
    }

    /**
     * One task (live, recent or stored) with its subtree; 404 if unknown.
     *
     * @param id    a task id ({@code 7-42}, or {@code 42} without a store)
     * @param limit 0 to 1000: at most this many children per node; all when null
     * @throws InvalidEndpointRequestException (400) naming the bad value, for an id that cannot be a task's or a
     *                                         limit out of range
     */
    @ReadOperation
    public TaskDescriptor task(@Selector String id, @Nullable Integer limit) {
        TaskId taskId = parseOrReject(id);
        checkLimit(limit);
        int max = limit == null ? Integer.MAX_VALUE : limit;
        return find(taskId).map(info -> TaskDescriptor.of(info, max)).orElse(null);
    }

    /**
     * Cancels a live task and its subtree, on whichever member runs it; null if it is unknown or already
     * finished (404 on the web).
     *
     * @throws InvalidEndpointRequestException (400) naming the id, for one that cannot be a task's
     */
    @DeleteOperation
    public CancelDescriptor cancel(@Selector String id) {
        TaskId taskId = parseOrReject(id);
        if (orchestrator.find(taskId).filter(task -> !task.status().isTerminal()).isPresent()) {
            return new CancelDescriptor(taskId.toString(), orchestrator.cancel(taskId));
        }
        return cluster != null && cluster.cancel(taskId) ? new CancelDescriptor(taskId.toString(), true) : null;
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
        return cluster.members().stream().flatMap(member -> member.roots().stream())
                .flatMap(AsyncTasksEndpoint::flatten).filter(task -> task.id().equals(id)).findFirst();
    }

    private List<TaskInfo> failed(List<TaskInfo> recent, int max) {
        if (max == 0) {
            return List.of();
        }
        if (orchestrator.storeStatistics().isPresent()) {
            try {
                return orchestrator.stored(new TaskQuery(TaskStatus.FAILED.name(), null, null, 0,
                        Math.min(max, MAX_LIMIT)));
            }
            catch (RuntimeException ex) {
                LOG.warn("asynctasks: the task store failed listing failed tasks; answering without them", ex);
                return List.of();
            }
        }
        return recent.stream().filter(info -> info.status() == TaskStatus.FAILED).limit(max).toList();
    }

    private HistoryDescriptor history(HistoryQuery query, List<TaskInfo> recent) {
        boolean stored = orchestrator.storeStatistics().isPresent();
        if (query.limit() == 0) {
            return new HistoryDescriptor(stored ? "store" : "memory", query.offset(), 0, List.of());
        }
        if (stored) {
            try {
                return new HistoryDescriptor("store", query.offset(), query.limit(), orchestrator.stored(new TaskQuery(
                        query.status(), query.name(), query.since(), query.offset(), query.limit()))
                        .stream().map(TaskDescriptor::flat).toList());
            }
            catch (RuntimeException ex) {
                LOG.warn("asynctasks: the task store failed listing the history; answering without it", ex);
                return new HistoryDescriptor("store", query.offset(), query.limit(), List.of());
            }
        }
        // Without a store: the finished roots kept in memory and their subtrees, flattened.
        List<TaskDescriptor> page = recent.stream().flatMap(AsyncTasksEndpoint::flatten)
                .filter(task -> query.status() == null || task.status().name().equals(query.status()))
                .filter(task -> query.name() == null || query.name().equals(task.name()))
                .filter(task -> query.since() == null || !task.createdAt().isBefore(query.since()))
                .skip(query.offset()).limit(query.limit()).map(TaskDescriptor::flat).toList();
        return new HistoryDescriptor("memory", query.offset(), query.limit(), page);
    }

    /**
     * A root and its subtree, depth first, walked as the stream is read: a history page of 50 reads 50 tasks
     * of a tree of thousands, not the whole tree. Iterative: trees may be deep.
     */
    private static Stream<TaskInfo> flatten(TaskInfo root) {
        Iterator<TaskInfo> walk = new Iterator<>() {
            private final ArrayDeque<TaskInfo> todo = new ArrayDeque<>(List.of(root));

            @Override
            public boolean hasNext() {
                return !todo.isEmpty();
            }

            @Override
            public TaskInfo next() {
                TaskInfo task = todo.pop();
                task.children().forEach(todo::push);
                return task;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(walk, Spliterator.ORDERED), false);
    }

    /** The history part of a request, checked. */
    private record HistoryQuery(@Nullable String status, @Nullable String name, @Nullable Instant since, int offset,
            int limit) {
    }

    private static HistoryQuery query(@Nullable String status, @Nullable String name, @Nullable String since,
            @Nullable Integer offset, @Nullable Integer limit) {
        String statusName = null;
        if (status != null && !status.isBlank()) {
            statusName = status.trim().toUpperCase(Locale.ROOT);
            try {
                TaskStatus.valueOf(statusName);
            }
            catch (IllegalArgumentException ex) {
                throw invalid("status must be one of " + Arrays.toString(TaskStatus.values()) + ", was '" + status
                        + "'");
            }
        }
        int from = offset == null ? 0 : offset;
        if (from < 0) {
            throw invalid("offset must not be negative, was " + from);
        }
        checkLimit(limit);
        if (name != null && name.length() > MAX_NAME) {
            throw invalid("name must be a task name, at most " + MAX_NAME + " characters, was " + name.length()
                    + " characters long ('" + name.substring(0, 40) + "...')");
        }
        if (name != null && name.chars().anyMatch(Character::isISOControl)) {
            // A NUL reaches PostgreSQL as an encoding error: refused here, as no task name holds one.
            throw invalid("name must be a task name, without control characters, was '"
                    + name.replaceAll("\\p{Cntrl}", "?") + "' (control characters shown as ?)");
        }
        return new HistoryQuery(statusName, name == null || name.isBlank() ? null : name, since(since), from,
                limit == null ? DEFAULT_PAGE : limit);
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
                Instant now = Instant.now();
                // A duration reaching back before the first instant: every task, not an arithmetic error.
                return back.compareTo(Duration.between(Instant.MIN, now)) >= 0 ? null : now.minus(back);
            }
            return Instant.parse(text);
        }
        catch (DateTimeException | ArithmeticException ex) {
            throw invalid("since must be an instant (2026-12-01T10:00:00Z) or a duration back from now (PT1H), was '"
                    + since + "'");
        }
    }

    /**
     * One task (live, recent, stored, or live on another member) with its whole subtree; null if unknown.
     *
     * @throws InvalidEndpointRequestException for an id that cannot be a task's
     */
    public TaskDescriptor task(String id) {
        return task(id, null);
    }

    /** How the listed trees are cut: children per node and per list, levels, and the tasks open below them. */
    private record Shape(int limit, int depth, Set<TaskId> expanded) {
    }

    private static List<TaskDescriptor> describe(Stream<TaskInfo> infos, Shape shape) {
        return infos.limit(shape.limit())
                .map(info -> TaskDescriptor.of(info, shape.limit(), shape.depth(), shape.expanded())).toList();
    }

    private static int depth(@Nullable Integer depth) {
        if (depth == null) {
            return TaskDescriptor.MAX_DEPTH;
        }
        if (depth < 0 || depth > TaskDescriptor.MAX_DEPTH) {
            throw invalid("depth must be between 0 and " + TaskDescriptor.MAX_DEPTH + ", was " + depth);
        }
        return depth;
    }

    private static Set<TaskId> expanded(@Nullable String expand) {
        if (expand == null || expand.isBlank()) {
            return Set.of();
        }
        String[] ids = expand.split(",", -1);
        if (ids.length > MAX_EXPAND) {
            throw invalid("expand must list at most " + MAX_EXPAND + " task ids, listed " + ids.length);
        }
        Set<TaskId> expanded = new HashSet<>();
        for (String id : ids) {
            expanded.add(parseOrReject(id.strip()));
        }
        return expanded;
    }

    /** The id, or a 400 naming it: an id that cannot be a task's is a bad request, not an unknown task. */
    private static TaskId parseOrReject(String id) {
        try {
            return TaskId.parse(id);
        }
        catch (IllegalArgumentException ex) {
            throw invalid(ex.getMessage());
        }
    }

    private static void checkLimit(@Nullable Integer limit) {
        if (limit != null && (limit < 0 || limit > MAX_LIMIT)) {
            throw invalid("limit must be between 0 and " + MAX_LIMIT + ", was " + limit);
        }
    }

    /**
     * A 400 whose reason is the whole message, naming the bad value: the reason is what Actuator puts in the
     * error response ({@code spring.web.error.include-message=always} shows it).
     */
    static InvalidEndpointRequestException invalid(String message) {
        return new InvalidEndpointRequestException(message, message);
    }

    /**
     * Live and recent task trees, the newest failed tasks and a page of the history.
     *
     * @param live       live roots with their subtrees, oldest first
     * @param recent     recently finished roots, newest first
     * @param failed     the newest failed tasks: stored ones when there is a task store, else the failed
     *                   among {@code recent}
     * @param liveRoots  live roots in all (also those beyond the limit)
     * @param liveTasks  live tasks in all, roots and children
     * @param runaways   tasks that ended while their bodies still run
     * @param history    the page of history the request asked for
     * @param members    in a cluster, every member's live trees (this one's too), each member apart; else null
     * @param cluster    in a cluster, the same trees stitched across members: a placed task under the task that
     *                   placed it, each task labelled with its member; roots in the members' order; else null
     */
    public record TasksDescriptor(List<TaskDescriptor> live, List<TaskDescriptor> recent, List<TaskDescriptor> failed,
            int liveRoots, int liveTasks, int runaways, HistoryDescriptor history, List<MemberTasksDescriptor> members,
            List<ClusterTaskDescriptor> cluster) {
    }

    /** One member's live trees, labelled with the member ({@code local}: the member that answers). */
    public record MemberTasksDescriptor(String member, boolean local, List<TaskDescriptor> live) {
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
