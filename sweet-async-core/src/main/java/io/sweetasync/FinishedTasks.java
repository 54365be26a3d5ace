package io.sweetasync;

import java.util.List;

/**
 * Where a task goes once it is terminal: out of the live registry, a root into the history, a snapshot to
 * the listeners; and, when its figures become final after that (JFR-sampled ones that arrive late, a
 * runaway's once its body returns), to the listeners, the history and the store once more.
 *
 * <p>Invariants: {@link #finished} runs once per task, on the thread that finished it, before the task's
 * waiters are released; the listeners' snapshot is taken before the history's, so the history's is at
 * least as final, and a task whose figures were pending in the listeners' snapshot is announced again once
 * they are final: exactly once, by whichever of the finisher, the runaway's returning body
 * ({@link #runawayReturned}, see {@link TaskFigures#holdFiguresWhileBodyRuns}) and the attribution comes
 * last, and never after the orchestrator closed; shutdown's drain waiters are woken last, once all of this
 * is recorded. {@link #resourcesFinal} runs one batch at a time on {@link FigureUpdates}' thread (never a
 * task's, nor the JFR stream's), renewing the history and the store's records, then hands the listeners' calls
 * to a queue of their own ({@link #listenerCalls}, its own thread): the listeners hear after the history is
 * renewed, and one that blocks in {@code onResourcesUpdated} holds back only its later calls, not the
 * history's and the store's final figures of every task after it. Holds no state of its own but that queue.
 */
final class FinishedTasks {

    private final TaskOrchestrator orchestrator;
    private final LiveTasks live;
    private final TaskHistory history;
    private final TaskListeners listeners;
    /** Finished tasks whose final figures the listeners are still to hear of, in the order they became final. */
    private final FigureUpdates listenerCalls = new FigureUpdates(this::tellListeners,
            "listeners' onResourcesUpdated");

    FinishedTasks(TaskOrchestrator orchestrator, LiveTasks live, TaskHistory history, TaskListeners listeners) {
        this.orchestrator = orchestrator;
        this.live = live;
        this.history = history;
        this.listeners = listeners;
    }

    /**
     * Called by a node once its status is terminal, before its waiters are released; {@code result} is the
     * outcome they will get, which the node's own waits already give on this thread while its listeners run
     * ({@link TaskOutcome#announce}).
     */
    <T> void finished(TaskNode<T> node, TaskResult<T> result) {
        // The listeners' snapshot comes first: the history's is then at least as final, and sampled
        // figures pending in the former are announced (renewing the latter) once they are final.
        TaskInfo info = listeners.wants(TaskListeners.FINISHED) ? node.info() : null;
        boolean resourcesPending = info == null
                ? node.resourcesPending() || node.isRunaway() && hasPending(TaskSnapshots.metrics(node))
                : hasPending(info.metrics());
        // History first: find(id) looks in the live trees, then the history, so a root is found in one or
        // the other while it moves (the other way round, it was briefly in neither).
        if (node.parentNode() == null) {
            history.add(node, info);
        }
        boolean leftRegistry = live.finished(node);
        try {
            if (info != null) {
                // Marked on this thread as the node's end: a listener's wait for a task that cannot end before the
                // node (an ancestor, a dependent) is refused instead of never ending (TaskNode.endsOnlyAfter).
                node.outcome.announce(result,
                        () -> node.runWhileEnding("an onFinished listener", () -> listeners.each(listener -> listener.onFinished(info))));
            }
            if (resourcesPending && node.wantFiguresAnnounced()) {
                announceWhenFinal(node);
            }
            if (node.parentNode() == null) {
                // Its snapshot is in the history: nothing walks the tree of a finished root again, but a body of it
                // that still runs (a runaway: its joinChildren()); its part is let go of when that body returns
                node.finishedForgetTree(node.isRunaway());
            }
        }
        finally {
            if (leftRegistry) {
                // Only this ends shutdown's drain (see LiveTasks.finished), once the listeners have heard: a drain
                // that returned before they did let its caller's listener miss this root
                live.recorded();
            }
        }
    }

    /**
     * A runaway's body has returned, its attempt's figures in: if its finisher showed them pending and is
     * done, the task is announced (once its sampled figures are final too). Nothing is announced once the
     * orchestrator closed: a runaway whose body outlives it keeps the pending figures it was announced
     * with, in the history and the store; only its {@code metrics()} become final.
     */
    void runawayReturned(TaskNode<?> node) {
        if (node.bodyReturnedAfterEnd() && !orchestrator.parts().isClosed()) {
            announceWhenFinal(node);
        }
    }

    /** Every part of the task's figures is in but the sampled ones: announces it, now or when they settle. */
    private void announceWhenFinal(TaskNode<?> node) {
        FigureUpdates updates = orchestrator.parts().figureUpdates();
        if (updates != null && (node.sampledOrNull() == null || node.announceResourcesWhenFinal())) {
            updates.offer(node);
        }
    }

    private static boolean hasPending(TaskMetrics metrics) {
        return metrics.cpuTimeNanos().isPending() || metrics.allocatedBytes().isPending()
                || metrics.bytesRead().isPending() || metrics.bytesWritten().isPending();
    }

    /**
     * Finished tasks whose figures were pending when they finished and are final now: renews the history
     * snapshots that show them, tells the listeners and has their stored records written again.
     */
    void resourcesFinal(List<TaskNode<?>> nodes) {
        // The history first: a listener told of final figures finds them in recent() too.
        history.renew(nodes);
        StoreSync sync = orchestrator.parts().storeSync();
        if (sync != null) {
            nodes.forEach(sync::figuresFinal);
        }
        if (listeners.wants(TaskListeners.RESOURCES_UPDATED)) {
            nodes.forEach(listenerCalls::offer); // user code: on a thread of its own, never holding the above
        }
    }

    /** Tells the listeners of {@code nodes}' final figures, one task at a time; on {@link #listenerCalls}' thread. */
    private void tellListeners(List<TaskNode<?>> nodes) {
        for (TaskNode<?> node : nodes) {
            TaskInfo info = node.info();
            listeners.each(listener -> listener.onResourcesUpdated(info));
        }
    }
}
