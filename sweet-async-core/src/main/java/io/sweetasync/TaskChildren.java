package io.sweetasync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * What a task waits for before it can finish: its body and its children. Holds the children list, the
 * task's count of outstanding shares, its own share in its parent's count, and the walk that finishes
 * tasks up the tree when a count reaches zero. The layer below, {@link TaskEnding}, decides how the task
 * ends ({@link #finish()}); the layers above bound it by a deadline ({@link TaskDeadline}) and run its
 * body, giving back the body's share ({@link TaskAttempts}).
 *
 * <h2>State</h2>
 * {@link #outstanding}: one share for the body, one held by the task's creator until the task is fully
 * registered ({@link #registered}: parent, context, store, {@code onCreated}; a stop that lands meanwhile,
 * e.g. the parent's, cannot end it half made), plus, once the body has ended, one per unfinished child.
 * While the body runs, children are not counted in it (the parent cannot finish then anyway), so spawning
 * and finishing a child touch no counter shared with the parent: a child then ends by moving its own
 * {@link #parentShare} {@code NONE} → {@code GONE} ({@link #leaveParent()}). When the body ends,
 * {@link #countChildren} (under {@link #outcome}'s monitor, with the body's share still held) adds a share
 * for every child, moves every still-{@code NONE} child to {@code COUNTED}, then gives back the shares of
 * the others: shares go in before any child can see itself counted, so a counted child that ends at once
 * never takes the count to zero early. A {@code COUNTED} child releases its share when it ends. Each
 * child's CAS from {@code NONE} decides exactly once which side accounts for it. A child added after that
 * is {@code COUNTED} at once, and only while {@code outstanding} is positive. The thread that takes
 * {@code outstanding} to zero calls {@link #finish()}, exactly once, then gives back the task's share in
 * its parent, and so on up the tree ({@link #release()}: a loop, however deep).
 *
 * <p>The children list ({@link #children}, and each child's {@link #olderSibling}) and {@link #childrenCounted} are
 * guarded by {@link #outcome}'s monitor. A child is added under it before the task's stop request is read, so a
 * child added while the task stops is cancelled by one side or the other (see {@link TaskEnding}). What the list
 * keeps, and for how long (a pipeline's older ended children unlinked as the next is added, a finished root's
 * whole tree let go of), is {@link ChildList}'s.
 */
abstract class TaskChildren<T> extends TaskEnding<T> {

    private static final VarHandle OUTSTANDING = fieldHandle(MethodHandles.lookup(), "outstanding", int.class);
    private static final VarHandle PARENT_SHARE = fieldHandle(MethodHandles.lookup(), "parentShare", int.class);
    private static final int SHARE_NONE = 0;
    private static final int SHARE_COUNTED = 1;
    private static final int SHARE_GONE = 2;

    private volatile int outstanding = 2;
    /** This task's share in its parent's count: {@code SHARE_NONE}, {@code SHARE_COUNTED} or {@code SHARE_GONE}. */
    private volatile int parentShare;
    /** Set under outcome's monitor when the body ends: from then on, children are counted in outstanding. */
    private boolean childrenCounted;
    /**
     * The children list, null until the first child is added; once made, never replaced. Guarded by outcome's
     * monitor (the outcome never leaves the task: see {@link TaskOutcome}); read by {@link ChildList}'s walks too.
     */
    ChildList children;
    /**
     * The child of the same parent added just before this one (null for the first): this task's link in its
     * parent's {@link #children}. Written under the parent's outcome's monitor, before the task becomes the
     * newest child; written again only under a parent that keeps few ended children, to skip ended ones, and set to
     * null under it once the root finished ({@link ChildList}). Walks hold the monitor ({@link #childNodes()}).
     */
    TaskNode<?> olderSibling;

    TaskChildren(TaskSettings settings, long idValue, TaskId givenId) {
        super(settings, idValue, givenId);
    }

    /** Whether an attempt's body runs now (between its claim and its end), on whichever thread. */
    abstract boolean bodyRunning();

    /** The settings of this task's last child, if resolved from {@code spec} with {@code derivedName}; else null. */
    TaskSettings lastChildSettings(TaskSpec<?> spec, String derivedName) {
        ChildList list = children; // read without the lock: see ChildList.lastSettings
        TaskSettings last = list == null ? null : list.lastSettings;
        return last != null && last.resolvedFrom(spec, derivedName) ? last : null;
    }

    /** Remembers the settings of a child just resolved (before it is added), for the next one built alike. */
    void rememberChildSettings(TaskSettings settings) {
        ChildList list = children;
        if (list == null) {
            synchronized (outcome) { // made once per parent, on its first child's miss: the list's lock
                if (children == null) {
                    children = new ChildList();
                }
                list = children;
            }
        }
        list.lastSettings = settings;
    }

    // ---- children -------------------------------------------------------------------------------

    /** " (STATUS)" once the end is recorded; empty while it is being decided (the status still reads RUNNING). */
    private String endedAs() {
        TaskStatus status = status();
        return status.isTerminal() ? " (" + status + ")" : "";
    }

    /**
     * Registers {@code child}; throws if this task has finished. Returns whether this task is
     * stopping, or its body failed for good, in which case the caller must stop the child (once it is fully
     * registered).
     */
    boolean addChild(TaskNode<?> child) {
        int kept;
        synchronized (outcome) {
            if (isFinished() && !childrenCounted) {
                throw new IllegalStateException("cannot start child task " + child.name() + " of " + label()
                        + ": that task has ended (" + status() + ") while its body still runs; start it detached");
            }
            Occasional rare = occasionalOrNull();
            if (rare != null && rare.closedToChildren) {
                throw new IllegalStateException("cannot start child task " + child.name() + " of " + label()
                        + ": that task is being ended with its subtree (its deadline or stop passed, its body still "
                        + "running); start it detached");
            }
            // While the body runs (not childrenCounted) the task cannot finish: nothing to count yet.
            while (childrenCounted) {
                int current = outstanding;
                if (current == 0) {
                    throw new IllegalStateException("cannot start child task " + child.name() + " of " + label()
                            + ": that task has finished" + endedAs() + "; start it detached or from a live task");
                }
                if (OUTSTANDING.compareAndSet(this, current, current + 1)) {
                    ((TaskChildren<?>) child).parentShare = SHARE_COUNTED; // before the child can run, let alone finish
                    break;
                }
            }
            if (children == null) {
                children = new ChildList();
            }
            else if (children.endedKept >= 0 && !childrenCounted) {
                children.forgetEnded();
            }
            child.olderSibling = children.newest;
            children.newest = child;
            kept = ++children.count;
            if (children.started != Integer.MAX_VALUE) { // a pipeline that runs for good may start ever more
                children.started++;
            }
        }
        if (kept >= ChildList.MANY_CHILDREN && kept % ChildList.MANY_CHILDREN == 0
                && ChildList.isPowerOfTen(kept / ChildList.MANY_CHILDREN)) {
            ChildList.warnOfMany(this, kept);
        }
        return stopsNewChildren();
    }

    /**
     * From now on this task keeps, besides its children not ended, only its newest {@code ended} ended children
     * ({@code 0}: none): older ended ones are dropped from its list and its tree as the next child is added (its
     * {@link #childCount()} still counts every child started). Their results are no longer the task's to join, so
     * only a task that never calls {@code joinChildren()} asks this (a pipeline, of its workers: they end and start
     * anew while it runs).
     */
    void keepEndedChildren(int ended) {
        if (ended < 0) {
            throw new IllegalArgumentException("ended children kept must be zero or more, was " + ended);
        }
        synchronized (outcome) {
            if (children == null) {
                children = new ChildList();
            }
            children.endedKept = ended;
        }
    }

    /**
     * The finisher of this root, its snapshot in the history: lets go of the tree now, unless the root's body still
     * runs ({@code bodyRunning}: a runaway); then whichever of this and {@link #bodyReturnedForgetTree} comes second
     * does ({@link ChildList#finished}). Nothing to do for a task that never had a child.
     */
    final void finishedForgetTree(boolean bodyRunning) {
        ChildList list = children; // read without the lock: a finished root gains no child
        if (list != null) {
            list.finished(this, bodyRunning);
        }
    }

    /**
     * A runaway's body has returned (its task ended while it ran, whether the runaway registry recorded it or not);
     * called once, by the owner of that attempt, after it changed the body's state. A root's lets go of the tree if
     * the finisher waited for it (see above); a task below, whose part of the tree its root's end left whole while
     * this body ran, lets go of that part if the root has let go of the rest ({@link ChildList#bodyReturnedBelow}).
     */
    final void bodyReturnedForgetTree() {
        ChildList list = children;
        if (list == null) {
            return;
        }
        if (settings.parent == null) {
            list.bodyReturned(this);
        }
        else if (rootNode().treeForgotten()) {
            list.bodyReturnedBelow(this);
        }
    }

    /**
     * Whether this root has begun to let go of its tree: a walk of it ({@link #tree}) that reads false here once
     * done saw no list cut; true, it may show a node without its children.
     */
    final boolean treeForgotten() {
        ChildList list = children; // a task that never had a child has nothing to cut, and no list
        return list != null && list.forgotten;
    }

    /** The children, in the order they were added: a copy, taken under the lock (one array). */
    List<TaskNode<?>> childNodes() {
        synchronized (outcome) {
            return listed();
        }
    }

    /**
     * This task's children, as {@link #childNodes()}, and from now on no more: a child started later is refused
     * ({@link #addChild}). For its forced end ({@link TaskTrees#unfinishedTopDownClosed}), which ends the children
     * it listed before it ends this task: one started after the list was ended after its parent.
     */
    List<TaskNode<?>> closeToChildren() {
        synchronized (outcome) {
            occasional().closedToChildren = true;
            return listed();
        }
    }

    /** The children kept, in start order; under the monitor. */
    private List<TaskNode<?>> listed() {
        return children == null || children.count == 0 ? List.of() : children.inOrder();
    }

    /**
     * How many children this task has started (as {@link TaskInfo#childCount()} says), kept or dropped: never
     * fewer than its list holds, whenever each is read (a snapshot reads the list first), nor ever less than
     * before.
     */
    @Override
    int childCount() {
        synchronized (outcome) {
            return children == null ? 0 : children.started;
        }
    }

    // ---- shares ---------------------------------------------------------------------------------

    /**
     * The creator has registered this task (with its parent, context, store and listeners): gives back the
     * creation's share, so that a stop which landed meanwhile ends the task now, on this thread.
     */
    void registered() {
        release();
    }

    /** The body has ended: unfinished children now hold shares of outstanding (see the class javadoc). */
    final void countChildren() {
        synchronized (outcome) {
            childrenCounted = true;
            if (children == null) {
                return;
            }
            // Shares first, for every child: one COUNTED below may finish and release its share at once,
            // and must never find the count without it (the body's share alone could then reach zero).
            int all = children.count;
            OUTSTANDING.getAndAdd(this, all);
            int pending = 0;
            for (TaskChildren<?> child = children.newest; child != null; child = child.olderSibling) {
                if (child.parentShare == SHARE_NONE && PARENT_SHARE.compareAndSet(child, SHARE_NONE, SHARE_COUNTED)) {
                    pending++;
                }
            }
            // Give back the shares of children that had already gone; the body's share keeps it positive.
            OUTSTANDING.getAndAdd(this, pending - all);
        }
    }

    /**
     * Gives back one share; the thread that takes the count to zero finishes the task, then gives back
     * the task's share in its parent, and so on up the tree: a loop, not a recursion, however deep. The
     * clock is read once, at the first finish: the tasks one walk finishes end at the same moment.
     */
    final void release() {
        if ((int) OUTSTANDING.getAndAdd(this, -1) == 1) {
            finishUpward(clockNow());
        }
    }

    /** As {@link #release()}, by a thread that read the clock at {@code now}, just before (nothing slow since). */
    final void release(long now) {
        if ((int) OUTSTANDING.getAndAdd(this, -1) == 1) {
            finishUpward(now);
        }
    }

    /** Finishes this task, whose count just reached zero, and each ancestor whose count its end takes to zero. */
    private void finishUpward(long now) {
        TaskChildren<?> node = finish(now);
        while (node != null && (int) OUTSTANDING.getAndAdd(node, -1) == 1) {
            node = node.finish(now);
        }
    }

    /** Whether this task ended without being counted in its parent's count: it holds no share of it. */
    final boolean leftUncounted() {
        return parentShare == SHARE_GONE;
    }

    @Override
    final TaskNode<?> leaveParent() {
        // Not counted by the parent yet (its body still runs): leave without touching its counter.
        TaskNode<?> parent = settings.parent;
        return parent != null && !PARENT_SHARE.compareAndSet(this, SHARE_NONE, SHARE_GONE) ? parent : null;
    }
}
