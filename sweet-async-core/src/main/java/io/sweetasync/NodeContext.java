package io.sweetasync;

import io.sweetasync.internal.EndedChildren;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/** {@link TaskContext} of one task node. */
final class NodeContext implements TaskContext {

    static {
        EndedChildren.bind((context, ended) -> {
            if (!(context instanceof NodeContext nodeContext)) {
                throw new IllegalArgumentException("not a context of a task of this engine: " + context);
            }
            nodeContext.node.keepEndedChildren(ended);
        });
    }

    private final TaskNode<?> node;
    /** The spec every child built here starts from (immutable; built on first use, a benign race). */
    private TaskSpec<?> childSpec;

    NodeContext(TaskNode<?> node) {
        this.node = node;
    }

    @Override
    public TaskId id() {
        return node.id();
    }

    @Override
    public String name() {
        return node.name();
    }

    @Override
    public int attempt() {
        return node.attempts();
    }

    @Override
    public Optional<TaskInfo> parent() {
        TaskNode<?> parent = node.parentNode();
        return parent == null ? Optional.empty() : Optional.of(parent.info());
    }

    @Override
    public List<TaskInfo> children() {
        return node.childNodes().stream().map(TaskNode::info).toList();
    }

    @Override
    public TaskRuntime runtime() {
        return node.runtimeRef();
    }

    @Override
    public <U> SpawningTask<U> runChild(Callable<? extends U> work) {
        return this.<U>builder(null).run(work);
    }

    @Override
    public <U> SpawningTaskBuilder<U> child(Class<U> type) {
        Objects.requireNonNull(type, "type");
        return builder(type);
    }

    private <U> SpawningTaskBuilder<U> builder(Class<U> type) {
        TaskSpec<?> spec = childSpec;
        if (spec == null) {
            childSpec = spec = TaskSpec.childOf(node);
        }
        @SuppressWarnings("unchecked")
        TaskSpec<U> typed = (TaskSpec<U>) spec;
        return new SpawningTaskBuilder<>(node.orchestrator(), typed, type);
    }

    @Override
    public List<TaskResult<?>> joinChildren() {
        refuseJoiningFromADescendant();
        // The children started so far, in start order: a copy taken under the lock (one array), since once the task
        // has finished its tree may be let go of meanwhile (ChildList#forgetTree), its links cut.
        List<TaskNode<?>> children = node.childNodes();
        int count = children.size();
        List<TaskResult<?>> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            results.add(null);
        }
        try {
            // Children tend to finish in the order they started: waiting for the last one first means the
            // others' completions wake nobody (one wake-up instead of one per child). Results in start order.
            for (int i = count - 1; i >= 0; i--) {
                results.set(i, children.get(i).awaitResult());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new CancellationException("task " + node.label() + " was interrupted while joining its children");
        }
        return results;
    }

    /**
     * A live descendant's body that joins this task's children waits for its own ancestor among them (or for
     * itself), which ends only after the waiter: the wait would never end. Refused at once, as
     * {@link SpawningTask#join()} refuses waiting for an ancestor. (A runaway's body, whose task has ended,
     * is not refused: it waits for nothing of its own.) So is a body that runs nested (a caller-runs executor) in
     * the body of such a descendant: that body goes on only once the waiter returns.
     */
    private void refuseJoiningFromADescendant() {
        Carrier here = Carrier.currentOrNull();
        TaskNode<?> waiter = here == null ? null : here.top();
        if (waiter != null && waiter != node && !waiter.isTerminal() && waiter.isSelfOrDescendantOf(node)) {
            throw new IllegalStateException("task " + waiter.label() + " cannot join the children of "
                    + node.label() + ", its ancestor: it is one of them or below one, and a task ends only after "
                    + "its children, so the wait would never end");
        }
        if (waiter != null) {
            for (TaskNode<?> below : here.enclosingBodies()) {
                if (below != node && below.isSelfOrDescendantOf(node)) {
                    throw new IllegalStateException("task " + waiter.label() + " cannot join the children of "
                            + node.label() + ": it runs nested in the body of " + below.label() + ", one of them or below"
                            + " one, on this thread (a caller-runs executor ran it there), which goes on only once it"
                            + " returns, so the wait would never end");
                }
            }
        }
    }

    @Override
    public void progress(String name, java.util.function.LongSupplier value) {
        node.progress(name, value);
    }

    @Override
    public boolean isCancellationRequested() {
        return node.isStopRequested();
    }

    @Override
    public void throwIfCancelled() throws InterruptedException {
        Stop stop = node.stopRequest();
        if (stop != null) {
            throw new InterruptedException("task " + node.label() + " was asked to stop: " + stop.reason());
        }
    }

    @Override
    public String toString() {
        return "TaskContext[" + node.label() + ", attempt " + attempt() + "]";
    }
}
