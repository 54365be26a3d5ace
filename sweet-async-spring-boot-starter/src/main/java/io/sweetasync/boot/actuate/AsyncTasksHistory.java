package io.sweetasync.boot.actuate;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint.HistoryDescriptor;
import io.sweetasync.boot.actuate.AsyncTasksParameters.HistoryQuery;
import io.sweetasync.spi.TaskQuery;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The finished-task lists of the {@code asynctasks} answer: the newest failed tasks and a page of the
 * history, read from the task store when there is one (every member, across restarts), else from the
 * recent roots in memory and their subtrees. A store that fails answers an empty list, logged under
 * {@link AsyncTasksEndpoint}'s logger, so the rest of the answer (live trees) still arrives.
 *
 * <p>Holds only the orchestrator; called on any request thread. Subtrees are walked lazily and without
 * recursion ({@link #flatten}).
 */
final class AsyncTasksHistory {

    private static final Log LOG = LogFactory.getLog(AsyncTasksEndpoint.class);

    private final TaskOrchestrator orchestrator;

    AsyncTasksHistory(TaskOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    List<TaskInfo> failed(List<TaskInfo> recent, int max) {
        if (max == 0) {
            return List.of();
        }
        if (orchestrator.storeStatistics().isPresent()) {
            try {
                return orchestrator.stored(new TaskQuery(TaskStatus.FAILED.name(), null, null, 0,
                        Math.min(max, AsyncTasksParameters.MAX_LIMIT)));
            }
            catch (RuntimeException ex) {
                LOG.warn("asynctasks: the task store failed listing failed tasks; answering without them", ex);
                return List.of();
            }
        }
        return recent.stream().filter(info -> info.status() == TaskStatus.FAILED).limit(max).toList();
    }

    HistoryDescriptor history(HistoryQuery query, List<TaskInfo> recent) {
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
        List<TaskDescriptor> page = recent.stream().flatMap(AsyncTasksHistory::flatten)
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
    static Stream<TaskInfo> flatten(TaskInfo root) {
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
}
