package io.sweetasync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Snapshots of the last {@code size} finished root tasks, with their subtrees (children beyond the first
 * {@value #CHILD_LIMIT} of any node are counted, not kept): what {@link TaskOrchestrator#recent()} shows.
 * A root without children is kept as its {@link FinishedRoot} facts, its snapshot built when read, unless a
 * snapshot of it was taken anyway (for its {@code onFinished} listeners): most entries are never read.
 *
 * <p>Invariants: bounded (at most {@code size} entries, oldest dropped first), whatever the number of
 * tasks run; every access holds {@link #lock}, and snapshots are built outside it (a big tree never
 * blocks another task's finish for longer than a list copy); an entry is replaced, never duplicated, when
 * its root's sampled figures become final after it finished ({@link #renew}). Size 0 keeps nothing and
 * costs nothing.
 */
final class TaskHistory {

    /** Children kept per node of a history snapshot. */
    static final int CHILD_LIMIT = 100;

    private final int size;
    private final ReentrantLock lock = new ReentrantLock();
    /** Oldest first, each a {@link TaskInfo} or a {@link FinishedRoot}. Guarded by lock. */
    private final ArrayDeque<Object> entries;

    TaskHistory(int size) {
        this.size = size;
        this.entries = new ArrayDeque<>(Math.min(size, 1024));
    }

    boolean isOn() {
        return size > 0;
    }

    /**
     * Records a finished root; {@code flat} is a snapshot of it taken since it finished (null if none was),
     * which is its tree when it has no children: kept rather than built again.
     */
    void add(TaskNode<?> root, TaskInfo flat) {
        if (size == 0) {
            return;
        }
        Object snapshot = root.childCount() != 0 ? root.tree(CHILD_LIMIT) : flat != null ? flat : root.finishedRoot();
        lock.lock();
        try {
            if (entries.size() == size) {
                entries.removeFirst();
            }
            entries.addLast(snapshot);
        }
        finally {
            lock.unlock();
        }
    }

    /** A copy of the entries, oldest first, taken under the lock. */
    private List<Object> entries() {
        lock.lock();
        try {
            return new ArrayList<>(entries);
        }
        finally {
            lock.unlock();
        }
    }

    /** The entries, newest first. */
    List<TaskInfo> newestFirst() {
        List<Object> copy = entries();
        List<TaskInfo> infos = new ArrayList<>(copy.size());
        for (int i = copy.size() - 1; i >= 0; i--) {
            infos.add(info(copy.get(i)));
        }
        return infos;
    }

    /** The snapshot with this id in a recorded tree, or null. */
    TaskInfo find(TaskId id) {
        List<Object> copy = entries();
        for (Object entry : copy) {
            TaskInfo found = entry instanceof FinishedRoot root ? (root.idValue() == id.value() ? root.info() : null)
                    : findIn((TaskInfo) entry, id);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Replaces the entries of these roots (by id) with snapshots taken now. */
    void renew(Map<TaskId, TaskNode<?>> roots) {
        if (size == 0) {
            return;
        }
        List<TaskId> shown = new ArrayList<>();
        lock.lock();
        try {
            entries.forEach(entry -> {
                if (roots.containsKey(idOf(entry))) {
                    shown.add(idOf(entry));
                }
            });
        }
        finally {
            lock.unlock();
        }
        if (shown.isEmpty()) {
            return;
        }
        Map<TaskId, Object> renewed = new HashMap<>();
        shown.forEach(id -> renewed.put(id, roots.get(id).tree(CHILD_LIMIT)));
        lock.lock();
        try {
            List<Object> current = new ArrayList<>(entries);
            entries.clear();
            current.forEach(entry -> entries.addLast(renewed.getOrDefault(idOf(entry), entry)));
        }
        finally {
            lock.unlock();
        }
    }

    /** An entry's snapshot. */
    private static TaskInfo info(Object entry) {
        return entry instanceof FinishedRoot root ? root.info() : (TaskInfo) entry;
    }

    /** An entry's root id. */
    private static TaskId idOf(Object entry) {
        return entry instanceof FinishedRoot root ? new TaskId(root.idValue()) : ((TaskInfo) entry).id();
    }

    /** The snapshot with this id in {@code top}'s tree; a walk with an explicit stack, however deep. */
    private static TaskInfo findIn(TaskInfo top, TaskId id) {
        ArrayDeque<TaskInfo> pending = new ArrayDeque<>();
        pending.push(top);
        while (!pending.isEmpty()) {
            TaskInfo info = pending.pop();
            if (info.id().equals(id)) {
                return info;
            }
            info.children().forEach(pending::push);
        }
        return null;
    }
}
