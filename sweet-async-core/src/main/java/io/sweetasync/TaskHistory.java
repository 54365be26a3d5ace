package io.sweetasync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Snapshots of the last {@code size} finished root tasks, with their subtrees (children beyond the first
 * {@value #CHILD_LIMIT} of any node are counted, not kept): what {@link TaskOrchestrator#recent()} shows.
 * A root without children is kept as its {@link FinishedRoot} facts, its snapshot built when read, unless a
 * snapshot of it was taken anyway (for its {@code onFinished} listeners): most entries are never read. A full
 * history refills the {@code FinishedRoot} it drops with the next childless root's facts ({@link #spare}): it
 * allocates nothing for such a root.
 *
 * <p>Invariants: bounded (at most {@code size} entries, oldest dropped first), whatever the number of
 * tasks run; every access to the entries holds {@link #lock}, and snapshots are built outside it (a big tree
 * never blocks another task's finish for longer than a list copy); a {@code FinishedRoot} is read only under the
 * lock or as a copy made under it, and filled only out of the entries (new, or the spare); an entry is replaced,
 * never duplicated, when its root's sampled figures become final after it finished ({@link #renew}), even while
 * the entry was going in (a tree taken before a renewal that found no entry yet is renewed by its adder). Size 0
 * keeps nothing and costs nothing.
 */
final class TaskHistory {

    /** Children kept per node of a history snapshot. */
    static final int CHILD_LIMIT = 100;

    private final int size;
    private final ReentrantLock lock = new ReentrantLock();
    /** Oldest first, each a {@link TaskInfo} or a {@link FinishedRoot}. Guarded by lock. */
    private final ArrayDeque<Object> entries;
    /**
     * The last {@link FinishedRoot} dropped from {@link #entries}, for the next childless root's facts: out of the
     * entries, so no reader reaches it, and taken by one writer only (handed over by this reference).
     */
    private final AtomicReference<FinishedRoot> spare = new AtomicReference<>();
    /**
     * Renewals begun ({@link #renew}): a root's tree is taken before its entry goes in, so a renewal that looked
     * at the entries in between found nothing to renew, though the tree may show figures that it made final.
     * {@link #add} compares the count at its tree's taking and after its entry went in, and renews it if it moved.
     */
    private final AtomicLong renewals = new AtomicLong();
    /** Held by a renewal throughout. */
    private final ReentrantLock renewing = new ReentrantLock();

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
        Object snapshot;
        long renewalsBefore = -1; // only a tree can show figures of another task, whose renewal it may miss
        if (root.childCount() != 0) {
            renewalsBefore = renewals.get();
            snapshot = root.tree(CHILD_LIMIT);
        }
        else if (flat != null) {
            snapshot = flat;
        }
        else {
            FinishedRoot slot = spare.getAndSet(null);
            slot = slot != null ? slot : new FinishedRoot();
            root.fillFinishedRoot(slot); // outside the lock: no reader can reach this slot
            snapshot = slot;
        }
        boolean missed;
        lock.lock();
        try {
            if (entries.size() == size && entries.removeFirst() instanceof FinishedRoot dropped) {
                spare.set(dropped);
            }
            entries.addLast(snapshot);
            missed = renewalsBefore != -1 && renewals.get() != renewalsBefore;
        }
        finally {
            lock.unlock();
        }
        if (missed) {
            retake(root);
        }
    }

    /**
     * Takes {@code root}'s tree again and puts it in place of its entry: a renewal ran while the tree taken by
     * {@link #add} was going in, and may have found no entry to patch. Called by the adder, before the finished
     * root lets go of its tree ({@link ChildList#forgetTree}).
     */
    private void retake(TaskNode<?> root) {
        renewing.lock();
        try {
            TaskInfo tree = root.tree(CHILD_LIMIT);
            replace(Map.of(root.idValue(), tree));
        }
        finally {
            renewing.unlock();
        }
    }

    /**
     * A copy of the entries, oldest first, taken under the lock: each {@link FinishedRoot} copied (the history
     * refills its slots once they drop out).
     */
    private List<Object> entries() {
        lock.lock();
        try {
            List<Object> copy = new ArrayList<>(entries.size());
            for (Object entry : entries) {
                copy.add(entry instanceof FinishedRoot root ? root.copy() : entry);
            }
            return copy;
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
        // Under the lock, the childless roots are looked at in place and only the one found is copied; the trees
        // are searched after, outside it. In the entries' order, as if all were searched at once.
        List<Object> candidates = new ArrayList<>();
        lock.lock();
        try {
            for (Object entry : entries) {
                if (entry instanceof TaskInfo tree) {
                    candidates.add(tree);
                }
                else if (entry instanceof FinishedRoot root && root.idValue() == id.value()) {
                    candidates.add(root.copy());
                    break;
                }
            }
        }
        finally {
            lock.unlock();
        }
        for (Object entry : candidates) {
            TaskInfo found = entry instanceof FinishedRoot root ? root.info() : findIn((TaskInfo) entry, id);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /**
     * Replaces the entries of the roots of {@code nodes} (by id; a root may come more than once) with snapshots
     * taken now. Matched through the roots sorted by id: nothing made per node but for the renewed entries.
     */
    void renew(List<TaskNode<?>> nodes) {
        if (size == 0 || nodes.isEmpty()) {
            return;
        }
        // One at a time (the figures' announcer, and an adder that may have missed it): a renewal's snapshots
        // are then taken after the previous one's went in, never replacing newer ones.
        renewing.lock();
        try {
            renewals.incrementAndGet(); // before the entries are looked at: see add
            renewNow(nodes);
        }
        finally {
            renewing.unlock();
        }
    }

    /**
     * Under {@link #renewing}. Each entry that shows one of {@code nodes} gets a copy of its snapshot with those
     * nodes' own snapshots put in (their figures final now, a task's figures being its own, never its subtree's):
     * from the snapshot, not from the tree, which a finished root lets go of ({@link ChildList#forgetTree}).
     */
    private void renewNow(List<TaskNode<?>> nodes) {
        TaskNode<?>[] roots = new TaskNode<?>[nodes.size()];
        Map<Long, TaskNode<?>> byId = new HashMap<>();
        for (int i = 0; i < roots.length; i++) {
            roots[i] = nodes.get(i).rootNode();
            byId.put(nodes.get(i).idValue(), nodes.get(i));
        }
        Arrays.sort(roots, ROOT_ORDER);
        long[] ids = new long[roots.length]; // the roots' ids, in the same order: searched by Arrays.binarySearch
        for (int i = 0; i < ids.length; i++) {
            ids[i] = roots[i].idValue();
        }
        List<Object> shown = new ArrayList<>();
        lock.lock();
        try {
            for (Object entry : entries) {
                if (Arrays.binarySearch(ids, idValueOf(entry)) >= 0) {
                    shown.add(entry instanceof FinishedRoot root ? root.copy() : entry);
                }
            }
        }
        finally {
            lock.unlock();
        }
        if (shown.isEmpty()) {
            return;
        }
        Map<Long, Object> renewed = new HashMap<>();
        shown.forEach(entry -> renewed.put(idValueOf(entry), patched(info(entry), byId)));
        replace(renewed);
    }

    /** Puts each snapshot of {@code renewed} in place of the entry of its root's id, under the lock. */
    private void replace(Map<Long, Object> renewed) {
        lock.lock();
        try {
            List<Object> current = new ArrayList<>(entries);
            entries.clear();
            current.forEach(entry -> entries.addLast(renewed.getOrDefault(idValueOf(entry), entry)));
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * {@code top} with the snapshot of every task of {@code renewed} in it replaced by that task's snapshot now,
     * its children kept; built bottom-up with an explicit stack, however deep; subtrees showing none of them are
     * kept as they are.
     */
    private static TaskInfo patched(TaskInfo top, Map<Long, TaskNode<?>> renewed) {
        ArrayDeque<PatchFrame> stack = new ArrayDeque<>();
        stack.push(new PatchFrame(top));
        while (true) {
            PatchFrame frame = stack.peek();
            List<TaskInfo> children = frame.info.children();
            if (frame.next < children.size()) {
                stack.push(new PatchFrame(children.get(frame.next++)));
                continue;
            }
            stack.pop();
            TaskNode<?> node = renewed.get(frame.info.id().value());
            TaskInfo done = frame.info;
            if (node != null || frame.changed) {
                TaskInfo self = node != null ? node.info() : frame.info;
                done = children.isEmpty() ? self : self.withChildren(frame.built);
            }
            if (stack.isEmpty()) {
                return done;
            }
            PatchFrame parent = stack.peek();
            parent.built.add(done);
            parent.changed |= done != frame.info;
        }
    }

    /** One node of a snapshot being patched. */
    private static final class PatchFrame {
        final TaskInfo info;
        final List<TaskInfo> built = new ArrayList<>();
        int next;
        boolean changed;

        PatchFrame(TaskInfo info) {
            this.info = info;
        }
    }

    private static final Comparator<TaskNode<?>> ROOT_ORDER = Comparator.comparingLong(TaskNode::idValue);

    /** An entry's snapshot. */
    private static TaskInfo info(Object entry) {
        return entry instanceof FinishedRoot root ? root.info() : (TaskInfo) entry;
    }

    /** An entry's root id's value. */
    private static long idValueOf(Object entry) {
        return entry instanceof FinishedRoot root ? root.idValue() : ((TaskInfo) entry).id().value();
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
