package io.sweetasync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks over a task's subtree: snapshots, cancellation going down, the order a forced end takes.
 *
 * <p>Invariants: every walk is a loop over an explicit stack, never a recursion, so a tree of any depth
 * (100,000 levels in the tests) costs heap, not stack; each walk reads every node's children list once,
 * under that node's lock ({@link TaskChildren#childNodes()}), so a child added during a walk is either seen or
 * handled by the side that added it (see {@link TaskEnding}: stop versus child registration).
 */
final class TaskTrees {

    private TaskTrees() {
    }

    /**
     * A snapshot of {@code top} with children down to any depth, at most {@code childLimit} children per
     * node ({@code 0}: none, {@code Integer.MAX_VALUE}: all), built bottom-up.
     */
    static TaskInfo snapshot(TaskNode<?> top, int childLimit) {
        if (childLimit == 0 || top.childCount() == 0) {
            return top.info();
        }
        ArrayDeque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(top));
        while (true) {
            Frame frame = stack.peek();
            if (frame.next < frame.children.size() && frame.built.size() < childLimit) {
                stack.push(new Frame(frame.children.get(frame.next++)));
                continue;
            }
            stack.pop();
            TaskInfo done = frame.built.isEmpty() ? frame.info : frame.info.withChildren(frame.built);
            if (stack.isEmpty()) {
                return done;
            }
            stack.peek().built.add(done);
        }
    }

    /** One node of a tree snapshot being built. */
    private static final class Frame {
        final TaskInfo info;
        final List<TaskNode<?>> children;
        final List<TaskInfo> built = new ArrayList<>();
        int next;

        Frame(TaskNode<?> node) {
            // The children first: a child started between the two reads is then counted ({@code childCount}, read
            // by info()) but not listed, never listed beyond the count (it counts every child started, the list
            // holds at most those: a task that drops ended children, a pipeline's, shrinks its list, not its count).
            this.children = node.childNodes();
            this.info = node.info();
        }
    }

    /**
     * Cancels every unfinished task below {@code top}: its children with {@code reason}, theirs with the
     * reason each child gives its own. A child whose stop another request won is not descended into (that
     * request cancels its subtree itself).
     */
    static void cancelBelow(TaskNode<?> top, String reason) {
        ArrayDeque<TaskNode<?>> pending = new ArrayDeque<>();
        for (TaskNode<?> child : top.childNodes()) {
            if (child.stopThis(Stop.passedDownFrom(top, reason))) {
                pending.push(child);
            }
        }
        while (!pending.isEmpty()) {
            TaskNode<?> node = pending.pop();
            String below = node.stopReasonForChildren();
            for (TaskNode<?> child : node.childNodes()) {
                if (child.stopThis(Stop.passedDownFrom(node, below))) {
                    pending.push(child);
                }
            }
        }
    }

    /**
     * {@code top} and its unfinished descendants, each before its children (end them in reverse), each closed to
     * new children as its children are listed ({@link TaskChildren#closeToChildren}): a list that a runaway body's
     * new child could miss would end that child after its parent.
     */
    static List<TaskNode<?>> unfinishedTopDownClosed(TaskNode<?> top) {
        List<TaskNode<?>> order = new ArrayList<>();
        ArrayDeque<TaskNode<?>> pending = new ArrayDeque<>();
        pending.push(top);
        while (!pending.isEmpty()) {
            TaskNode<?> node = pending.pop();
            if (!node.isFinished()) {
                order.add(node);
                node.closeToChildren().forEach(pending::push);
            }
        }
        return order;
    }
}
