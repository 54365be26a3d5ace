package io.sweetasync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Snapshots of the last {@code size} finished root tasks, with their subtrees (children beyond the first
 * {@value #CHILD_LIMIT} of any node are counted, not kept): what {@link TaskOrchestrator#recent()} shows.
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
    /** Oldest first. Guarded by lock. */
    private final ArrayDeque<TaskInfo> entries;

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
        TaskInfo snapshot = flat != null && root.childCount() == 0 ? flat : root.tree(CHILD_LIMIT);
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

    /** The entries, newest first. */
    List<TaskInfo> newestFirst() {
        lock.lock();
        try {
            List<TaskInfo> copy = new ArrayList<>(entries);
            Collections.reverse(copy);
            return copy;
        }
        finally {
            lock.unlock();
        }
    }

    /** The snapshot with this id in a recorded tree, or null. */
    TaskInfo find(TaskId id) {
        List<TaskInfo> copy;
        lock.lock();
        try {
            copy = new ArrayList<>(entries);
        }
        finally {
            lock.unlock();
        }
        for (TaskInfo root : copy) {
            TaskInfo found = findIn(root, id);
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
                if (roots.containsKey(entry.id())) {
                    shown.add(entry.id());
                }
            });
        }
        finally {
            lock.unlock();
        }
        if (shown.isEmpty()) {
            return;
        }
        Map<TaskId, TaskInfo> renewed = new HashMap<>();
        shown.forEach(id -> renewed.put(id, roots.get(id).tree(CHILD_LIMIT)));
        lock.lock();
        try {
            List<TaskInfo> current = new ArrayList<>(entries);
            entries.clear();
            current.forEach(entry -> entries.addLast(renewed.getOrDefault(entry.id(), entry)));
        }
        finally {
            lock.unlock();
        }
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
