package io.sweetasync;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The task whose body runs on the current thread, as seen from inside that body.
 *
 * <p>Structured rules: a task started on a thread running a task body becomes that task's child
 * (unless {@code detached()}); a parent is terminal only after all its children; cancelling or timing
 * out a task cancels its unfinished subtree; when a body fails for good its unfinished children are
 * cancelled; a child's failure reaches the parent only through {@link #joinChildren()}; children of a
 * finished parent cannot be added.
 *
 * <pre>{@code
 * AsyncTask.to(Long.class).named("sum-files").run(() -> {
 *     TaskContext ctx = TaskContext.current().orElseThrow();
 *     for (Path file : files) {
 *         ctx.child(Long.class).named("size").run(() -> Files.size(file));
 *     }
 *     return ctx.joinChildren().stream().filter(TaskResult::isOk).count();
 * });
 * }</pre>
 */
public interface TaskContext {

    /** The context of the task body running on this thread; empty outside task bodies. */
    static Optional<TaskContext> current() {
        TaskNode<?> node = Carrier.currentTask();
        return node == null ? Optional.empty() : Optional.of(node.context());
    }

    /** The task's id. */
    TaskId id();

    /** The task's name. */
    String name();

    /** The current attempt, starting at 1. */
    int attempt();

    /** The parent's snapshot, empty for a root. */
    Optional<TaskInfo> parent();

    /**
     * Snapshots of the children started so far, in start order. Once the task's whole tree has ended (its root
     * finished, and the root's body returned: a timed-out body that runs on still joins its children), the tree is
     * let go of, so that a kept handle holds none of its tasks' values: a context kept
     * past that lists no children, and {@link #joinChildren()} returns an empty list.
     */
    List<TaskInfo> children();

    /** The runtime this body runs on. */
    TaskRuntime runtime();

    /** Starts {@code work} as a child of this task, with default settings. */
    <U> SpawningTask<U> runChild(Callable<? extends U> work);

    /** A builder whose tasks are children of this task, whatever thread starts them. */
    <U> SpawningTaskBuilder<U> child(Class<U> type);

    /**
     * Waits for every child started so far and returns their outcomes in start order. Children that
     * fail do not make this throw: their errors are in the list.
     *
     * @throws java.util.concurrent.CancellationException if this thread is interrupted (e.g. this task
     *                                                    was cancelled) while waiting
     * @throws IllegalStateException                      if called by the body of a live descendant of this task
     *                                                    (a context handed down to a child): the waiter is one
     *                                                    of the children waited for, or below one, so the wait
     *                                                    would never end
     */
    List<TaskResult<?>> joinChildren();

    /**
     * Publishes a live value under {@code name} in this task's snapshots ({@link TaskInfo#progress()}),
     * read when a snapshot is taken, and once more, frozen, when the task finishes. Use it for counts
     * such as rows processed. Names are kept in registration order; registering a name again replaces
     * its supplier. The supplier must be cheap and thread-safe.
     *
     * <pre>{@code
     * LongAdder rows = new LongAdder();
     * TaskContext.current().orElseThrow().progress("rows", rows::sum);
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code name} is blank, longer than 100 characters or has control
     *                                  characters
     * @throws IllegalStateException    if the task publishes 1,000 names already and this is a new one
     */
    void progress(String name, java.util.function.LongSupplier value);

    /** Whether this task has been asked to stop (cancelled, timed out, or its parent stopped). */
    boolean isCancellationRequested();

    /**
     * Throws {@link InterruptedException} if cancellation was requested: a cheap check for long
     * loops that do not block.
     */
    void throwIfCancelled() throws InterruptedException;
}
