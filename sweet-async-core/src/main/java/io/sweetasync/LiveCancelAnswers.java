package io.sweetasync;

import io.sweetasync.internal.LiveCancels;

/**
 * The engine's side of {@link LiveCancels}: a cancel by id among the tasks an orchestrator holds live, answering how
 * a task it came too late for ends, read from the node the cancel was given to. One look at the live trees finds the
 * node and cancels it: no snapshot of the task nor of its subtree is built, and the task store is never read (its
 * record of a task that just ended may still be live until the writer's next flush).
 */
final class LiveCancelAnswers {

    private LiveCancelAnswers() {
    }

    /** See {@link LiveCancels#cancel}. */
    static LiveCancels.Outcome cancel(TaskOrchestrator orchestrator, TaskId id) {
        TaskNode<?> node = orchestrator.parts().live.find(id);
        if (node == null || node.isTerminal()) {
            // Not this member's, or finished (a finished child of a live root, a root whose end has completed):
            // nothing live here to cancel. A task still ending (its status decided, its outcome not complete yet)
            // is cancelled too late below, and answers how it ends.
            return null;
        }
        boolean cancelled = TaskOrchestrator.cancelHere(node);
        return new LiveCancels.Outcome(cancelled, node.status()); // after the cancel: how it ends, if it lost
    }
}
