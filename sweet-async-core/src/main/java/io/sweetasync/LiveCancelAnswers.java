package io.sweetasync;

import io.sweetasync.internal.LiveCancels;

/**
 * The engine's side of {@link LiveCancels}: a cancel by id among the tasks an orchestrator holds in memory, answering
 * how a task it came too late for ends, read from the task itself (the node the cancel was given to, or a finished
 * root's snapshot in the history). Never the task store: its record of a task that just ended may still be live
 * until the writer's next flush. No subtree is built: the answer is the task's status alone.
 */
final class LiveCancelAnswers {

    private LiveCancelAnswers() {
    }

    /** See {@link LiveCancels#cancel}. */
    static LiveCancels.Outcome cancel(TaskOrchestrator orchestrator, TaskId id) {
        OrchestratorParts parts = orchestrator.parts();
        TaskNode<?> node = parts.live.find(id);
        if (node != null) {
            boolean cancelled = TaskOrchestrator.cancelHere(node);
            return new LiveCancels.Outcome(cancelled, node.status()); // after the cancel: how it ends, if it lost
        }
        // A root enters the history before it leaves the live trees: one that just ended is found there
        TaskInfo finished = parts.history.find(id);
        return finished == null ? null : new LiveCancels.Outcome(false, finished.status());
    }
}
