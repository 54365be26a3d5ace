package io.sweetasync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The children a parent task keeps, and for how long: its list (made with its first child), walked in the order
 * the children were added, and the two ways a task lets go of them. A task keeps every child until its root
 * finishes, unless told to keep only its newest few ended ones ({@link #endedKept}: a pipeline, whose adaptive
 * workers retire and start again without end): then, as each child is added while the body runs, the older ended
 * ones are unlinked ({@link #forgetEnded}). Once the root finished and its snapshot is in the history, every node
 * of the tree lets go of its children and each child of its older sibling ({@link #forgetTree}); a task that keeps
 * 100,000 children, and each tenfold, is named in a warning ({@link #warnOfMany}). Adding a child, and counting it
 * in its parent's shares, is {@link TaskChildren}'s.
 *
 * <p>The list is linked through the children themselves, newest first: {@link #newest}, then each child's
 * {@link TaskChildren#olderSibling}, written as the child is added. No array grown and copied as a fan-out's
 * children come (about 17 bytes a child), the link in the object's alignment gap; this object is made once per
 * parent, on its first child (a leaf, most of a fan-out, has none), and also keeps the settings of the last child
 * resolved, for the next one built alike (a parent's only, so kept here rather than in every task).
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>{@link #newest}, {@link #count}, {@link #started}, {@link #endedKept} and every child's
 * {@link TaskChildren#olderSibling} are guarded by the owning task's outcome's monitor (the outcome never leaves
 * the task: see {@link TaskOutcome}); every walk over the list holds it.</li>
 * <li>{@link #started} is never less than {@link #count}, whenever each is read, and never falls: dropped
 * children leave the list but stay started.</li>
 * <li>Only a child that ended without being counted ({@link TaskChildren#leftUncounted}) is unlinked while the
 * body runs: it holds no share of its parent's count. A counted child stays until the tree is let go of.</li>
 * <li>{@link #forgotten} is set before any list of the tree is cut, and every cut is made under a monitor a walk
 * takes after reading it: a walk of the live tree that read it false once done saw every list whole.</li>
 * <li>A finished root lets go of its tree only when its body no longer runs: at its finisher, or, for a runaway
 * root, at whichever of its finisher and its returning body comes second (its change of {@link #forgetGate}
 * fails).</li>
 * <li>Nor does it cut the part below a task whose body still runs (a runaway child, ended with its root or before
 * it): that body may still read its children ({@code joinChildren()}). That part is let go of when the body returns
 * ({@link #bodyReturnedBelow}): the walk reads the body's state after it marks the tree {@link #forgotten}, the
 * returning body reads the mark after it changed its state, so one side or both let go of it.</li>
 * </ul>
 */
final class ChildList {

    /** The child count of the first warning that a task keeps many children ({@link #warnOfMany}). */
    static final int MANY_CHILDREN = 100_000;
    private static final VarHandle FORGET_GATE = forgetGateHandle();
    private static final int GATE_OPEN = 0;
    private static final int GATE_FINISHED = 1;
    private static final int GATE_RETURNED = 2;

    /** The newest child; each links to the one before it. */
    TaskNode<?> newest;
    /** How many children the list holds (each holds a share once counted: {@link TaskChildren#countChildren}). */
    int count;
    /**
     * How many children were ever added: {@link #count} plus those dropped ({@link #forgetEnded}); stays at
     * {@code Integer.MAX_VALUE} once there (the list itself is bounded by memory long before).
     */
    int started;
    /**
     * Read and written without the lock, as is the task's reference to this object: a benign race. A thread
     * that sees a stale value (null, or an older child's settings) only resolves anew, and whatever it sees
     * is whole (immutable, final fields).
     */
    TaskSettings lastSettings;
    /** How many ended children the task keeps ({@link TaskChildren#keepEndedChildren}); -1: every one. */
    int endedKept = -1;
    /**
     * Set by a finished root just before it lets go of its tree ({@link #forgetTree}), in the root's list: a walk
     * of the live tree that read it false after it ended saw every list whole (each cut is made under a monitor
     * the walk takes after this write). Here, not in every task: a root without children has nothing to cut.
     */
    volatile boolean forgotten;
    /**
     * {@code GATE_OPEN}, then {@code GATE_FINISHED} (the finisher of a root whose body still ran) or
     * {@code GATE_RETURNED} (that body returned first): the side whose change fails lets go of the tree.
     */
    private volatile int forgetGate;

    /**
     * Unlinks every ended child but the newest {@link #endedKept} (under the owner's monitor, its body still
     * running). Ended here means it left without being counted, so it holds no share of its parent's count.
     */
    void forgetEnded() {
        int ended = 0;
        TaskChildren<?> newer = null;
        TaskChildren<?> child = newest;
        while (child != null) {
            TaskChildren<?> older = child.olderSibling;
            if (child.leftUncounted() && ++ended > endedKept) {
                if (newer == null) {
                    newest = (TaskNode<?>) older;
                }
                else {
                    newer.olderSibling = (TaskNode<?>) older;
                }
                count--;
            }
            else {
                newer = child;
            }
            child = older;
        }
    }

    /** The children, in the order they were added, as an unmodifiable list (one array); under the owner's monitor. */
    List<TaskNode<?>> inOrder() {
        TaskNode<?>[] all = new TaskNode<?>[count];
        TaskNode<?> child = newest;
        for (int i = all.length - 1; i >= 0; i--) {
            all[i] = child;
            child = child.olderSibling;
        }
        return Collections.unmodifiableList(Arrays.asList(all));
    }

    /**
     * The finisher of {@code root}, whose list this is, its snapshot in the history: lets go of the tree now,
     * unless the root's body still runs ({@code bodyRunning}: a runaway, whose {@code joinChildren()} still answers
     * its children); then whichever of this and {@link #bodyReturned} comes second does.
     */
    void finished(TaskChildren<?> root, boolean bodyRunning) {
        if (!bodyRunning || !FORGET_GATE.compareAndSet(this, GATE_OPEN, GATE_FINISHED)) {
            forgetTree(root);
        }
    }

    /** A runaway {@code root}'s body has returned: lets go of the tree if the finisher waited for it (see above). */
    void bodyReturned(TaskChildren<?> root) {
        if (!FORGET_GATE.compareAndSet(this, GATE_OPEN, GATE_RETURNED)) {
            forgetTree(root);
        }
    }

    /**
     * A runaway {@code node} below the root has returned, its root having let go of the rest of the tree: lets go of
     * the part below it, which the root's end left whole while this body ran (see the class javadoc).
     */
    void bodyReturnedBelow(TaskChildren<?> node) {
        cut(node);
    }

    /**
     * Lets go of this finished root's tree: every node of it forgets its children (and each child its older
     * sibling), so that a handle of the root, or of any task of the tree, kept after the end (a map of jobs) keeps
     * no other task of it, nor their values. Called once the root's snapshot is in the history, whose late
     * renewals patch that snapshot rather than walk the tree ({@link TaskHistory#renew}); the started count stays
     * ({@link TaskChildren#childCount()}), and a context kept past its task's end lists no children. The part
     * below a task whose body still runs is left whole, until that body returns ({@link #bodyReturnedBelow}).
     */
    private void forgetTree(TaskChildren<?> root) {
        forgotten = true; // before any cut: see TaskChildren.treeForgotten(), and before any body's state is read
        cut(root);
    }

    /**
     * Cuts the lists of {@code top} and of every node below it but the parts below bodies still running. A loop over
     * an explicit stack, however deep.
     */
    private static void cut(TaskChildren<?> top) {
        ArrayDeque<TaskChildren<?>> pending = new ArrayDeque<>();
        pending.push(top);
        while (!pending.isEmpty()) {
            TaskChildren<?> node = pending.pop();
            synchronized (node.outcome) {
                ChildList list = node.children;
                if (list == null) {
                    continue;
                }
                TaskChildren<?> child = list.newest;
                list.newest = null;
                list.count = 0;
                list.lastSettings = null;
                while (child != null) {
                    TaskChildren<?> older = child.olderSibling;
                    child.olderSibling = null; // the link is written under its parent's monitor, this one
                    // A leaf (most of a fan-out) has nothing more to let go of; a runaway's body may still join its
                    // children: its part is let go of as that body returns.
                    if (child.children != null && !child.bodyRunning()) {
                        pending.push(child);
                    }
                    child = older;
                }
            }
        }
    }

    /**
     * A task keeps every child it started until it finishes (each one's result for {@code joinChildren()}, its
     * place in the tree): about 250 bytes a finished child beside its value. A task that lives long and starts
     * children without end grows without bound; said at 100,000 children and at each tenfold, naming the task.
     */
    static void warnOfMany(TaskChildren<?> task, int kept) {
        task.settings.orchestrator.parts().warn("task " + task.label() + " has started " + kept + " children; a task "
                + "keeps its finished children until it finishes (their results for joinChildren(), its tree), about "
                + "250 bytes each: a long-lived task that starts tasks without end should start them detached() or "
                + "feed them to a pipeline", null);
    }

    static boolean isPowerOfTen(int value) {
        int rest = value;
        while (rest % 10 == 0) {
            rest /= 10;
        }
        return rest == 1;
    }

    private static VarHandle forgetGateHandle() {
        try {
            return MethodHandles.lookup().findVarHandle(ChildList.class, "forgetGate", int.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }
}
