package io.sweetasync;

import java.time.Duration;

/**
 * Observes task lifecycles; how metrics, tracing and persistence see tasks. Every method has an empty
 * default. Listeners are called synchronously on the thread where the event happens (resource updates:
 * on the orchestrator's own thread), so they must be quick and must not block; an exception thrown by a listener is logged and ignored, never breaking the
 * task. Each event carries a flat snapshot (no children). Events of one task raised on different threads
 * may reach a listener in either order: a {@code cancel()} on one thread finishes a task while the thread
 * submitting it is about to report it queued, so {@code onQueued} can follow {@code onFinished}. Each task
 * gets exactly one {@code onFinished}; keep per-task state keyed by its id and let {@code onFinished} (or a
 * snapshot whose status is terminal) settle it, rather than counting on the order. A listener is no part of any
 * task's body, on whichever thread it runs (the task's own, a parent's that created or cancelled it): there
 * {@link TaskContext#current()} is empty, and a task it starts is a root.
 *
 * <pre>{@code
 * orchestrator.addListener(new TaskListener() {
 *     public void onFinished(TaskInfo task) {
 *         log.info("{} ended {} in {}", task.path(), task.status(), task.runTime());
 *     }
 * });
 * }</pre>
 */
public interface TaskListener {

    /** The task was created ({@code PENDING}). */
    default void onCreated(TaskInfo task) {
    }

    /** The task was submitted to its runtime ({@code QUEUED}). */
    default void onQueued(TaskInfo task) {
    }

    /** An attempt started ({@code RUNNING}); {@link TaskInfo#attempts()} is its number. */
    default void onStarted(TaskInfo task) {
    }

    /**
     * An attempt failed with {@code error} and another starts after {@code delay}. The retry is scheduled
     * once the listeners return: a wait here for the task, or for a task that cannot end before it (an
     * ancestor, a task that starts only after it), would never end, and is refused with
     * {@link IllegalStateException} naming both, as in {@link #onFinished}. It runs on the failed attempt's
     * thread, which counts as the task's body until the listeners return: still running past the task's deadline
     * (and the grace its body gets), it makes the task a runaway ({@link TaskOrchestrator#runaways()}) until then.
     */
    default void onRetrying(TaskInfo task, Throwable error, Duration delay) {
    }

    /**
     * The task reached its terminal status. Its waiters are released after the listeners return; on this
     * thread its handle's {@code result()}, {@code join()}, {@code get()} and future already give its outcome.
     * It has not left its parent yet, and the tasks that start after it ({@code after}, {@code chain}) have not
     * started: a wait here for an ancestor of the task, or for a task that starts only after it (or after an
     * ancestor, or after such a task), would never end, and is refused with {@link IllegalStateException}
     * naming both (logged and skipped, as any exception of a listener, unless the listener catches it).
     * No deadline bounds a listener: one that blocks here holds the task's waiters, and its parent, until it
     * returns, even after the task's timeout. A task started here is a root, not a child of the finished task
     * (whose body's thread this may be).
     */
    default void onFinished(TaskInfo task) {
    }

    /**
     * Resource figures of a finished task became final: {@code onFinished} showed some of them
     * {@link ResourceValue.Source#PENDING} (JDK Flight Recorder delivers sampled events about once a second;
     * a runaway's figures, {@link TaskInfo#runaway()}, are pending until its body returns), and now every
     * figure is final ({@code MEASURED}, {@code SAMPLED} or {@code UNAVAILABLE}). Called once per such task,
     * after its {@code onFinished}, once all its figures are final (a runaway's sampled and measured ones
     * alike), on a thread of the orchestrator's (not the task's), one task at a time; figures that were
     * final in {@code onFinished} are unchanged, so a listener records here the figures it skipped there as
     * pending. Not called for a runaway whose body returns after the orchestrator closed. A slow listener
     * delays only later updates (beyond 100,000 waiting, updates are dropped and logged); an exception is
     * logged and ignored.
     */
    default void onResourcesUpdated(TaskInfo task) {
    }
}
