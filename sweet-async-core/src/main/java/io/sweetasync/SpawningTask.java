package io.sweetasync;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The handle of a submitted task. Thread-safe; every waiting method may be called any number of
 * times from any thread and returns the same outcome.
 *
 * <p>A task is terminal only when its body has returned (or never ran) and all its children are
 * terminal: after {@link #cancel()}, waiters return once the interrupted body has given up. Bodies
 * should therefore let {@link InterruptedException} propagate (or check
 * {@link TaskContext#throwIfCancelled()} in long loops).
 *
 * <p>Waiting methods called from inside a task body on a {@code platform} or {@code single} runtime
 * give the body's slot back while they wait (a spare thread takes it if needed), so they do not
 * deadlock the pool; they never run other tasks on the waiting stack (see {@link TaskRuntime}). If the
 * waiting thread is interrupted, {@link #join()} and {@link #result()} throw
 * {@link CancellationException} with the thread's interrupt status set.
 *
 * <pre>{@code
 * SpawningTask<Integer> count = AsyncTask.to(Integer.class).named("count").run(() -> db.count());
 * SpawningTask<String> text = count.chain(n -> n + " rows");
 * System.out.println(text.join());
 * }</pre>
 *
 * @param <T> the value type
 */
public interface SpawningTask<T> extends Future<T> {

    /** The task's id. */
    TaskId id();

    /** The task's name. */
    String name();

    /** The current status. */
    TaskStatus status();

    /** A snapshot of the task (without children; {@link TaskOrchestrator#find} gives the subtree). */
    TaskInfo info();

    /**
     * Times and resource figures so far. For the handle of work placed on another member ({@code anywhere()}, a
     * durable task placed elsewhere), or run as the handle's child on this one, once that work ended: the work's
     * figures where it ran (its last run's), a figure still {@code PENDING} there being {@code UNAVAILABLE} here;
     * until then, and in {@link #info()} (what listeners, meters and the store see), the handle's own, so that the
     * work is counted once, where it ran.
     *
     * <pre>{@code
     * SpawningTask<Receipt> task = orchestrator.to(Receipt.class).anywhere().run("send-invoice", invoice);
     * task.join();
     * System.out.println("ran " + task.metrics().runTime() + ", CPU " + task.metrics().cpuTimeNanos());
     * }</pre>
     */
    TaskMetrics metrics();

    /**
     * Waits for the task and returns its value (a fallback's value if one was used).
     *
     * @throws AsyncTaskException    if it failed, timed out, was cancelled or rejected
     * @throws CancellationException if the waiting thread is interrupted
     * @throws IllegalStateException if called, while the task is live, by its own body or by a descendant's
     *                               (a task ends only after its children: the wait would never end); also
     *                               from {@link #result()} and {@link #get()}
     */
    T join();

    /**
     * Waits for the task and returns its outcome; never throws for the task's own failure.
     *
     * @throws CancellationException if the waiting thread is interrupted
     * @throws IllegalStateException if called by the task's own body or a descendant's (see {@link #join()})
     */
    TaskResult<T> result();

    /**
     * A future that completes with the value, or exceptionally with the {@link AsyncTaskException}.
     * It completes once the tasks that start after this one ({@code after}, {@code chain}) have been
     * started (or ended, if this one failed), so its callbacks may wait for them; a callback that runs as
     * the task ends runs before it leaves its parent, so its wait for an ancestor is refused with
     * {@link IllegalStateException}. Cancelling the future cancels the task. Waiting on it (or on a future derived from it, such as
     * {@code thenApply}'s) inside a body on a {@code platform} or {@code single} runtime does not hold the
     * body's slot, as {@link #join()} does not. Futures the library does not make, such as those of
     * {@code CompletableFuture.allOf} and {@code anyOf}, block plainly: there, wait with
     * {@link TaskContext#joinChildren()} or join each task instead. Its {@code get()} and {@code join()}
     * called by the task's own body or a descendant's are refused with {@link IllegalStateException}, as
     * {@link #join()} is: the wait would never end. Each call makes a new future (so that one caller's
     * {@code complete} or {@code orTimeout} touches no other's), which the task keeps until it ends: hold on
     * to one rather than calling this to poll; {@link #isDone()} and {@link #status()} poll for free. The futures
     * of several calls complete one after another on the thread that ends the task, each running its callbacks: a
     * callback on one must not wait for another of them (its {@code join()} is refused, its {@code get(timeout)}
     * times out, a task it waits for that waits on the other never ends), as for two stages derived from one
     * {@code CompletableFuture}; share one future there instead.
     */
    CompletableFuture<T> toCompletableFuture();

    /**
     * A new task that applies {@code next} to this task's value once it completes. If this task
     * fails, times out or is cancelled without a value, the new task ends the same way with the same
     * exception, and {@code next} never runs. A fallback's value is this task's value, as for
     * {@link #join()} and {@link #toCompletableFuture()}: {@code next} runs on it, although this task's
     * status says {@code FAILED} or {@code TIMED_OUT}. The new task takes the priority and runtime of this one, and its place
     * in the tree is decided like any task's: a child of the task calling {@code chain}, if any.
     *
     * @throws IllegalArgumentException if called inside the body of this task (or of a descendant of it):
     *                                  the new task would be a child waiting for its own ancestor, which
     *                                  waits for its children, so it would never start; likewise if this task
     *                                  starts only after the calling task or one of its ancestors ended
     */
    <U> SpawningTask<U> chain(Function<? super T, ? extends U> next);

    /**
     * Cancels the task and its unfinished subtree, interrupting running bodies.
     *
     * <pre>{@code
     * if (report.cancel()) {
     *     assert report.isCancelled();   // and status() ends CANCELLED, once the interrupted body returned
     * }
     * }</pre>
     *
     * @return true exactly when the task ends {@link TaskStatus#CANCELLED}: this call's cancellation won, or
     *         an earlier one had (so a second {@code cancel()} returns true again, as
     *         {@link CompletableFuture#cancel} does); false when the task had already ended otherwise or is
     *         being stopped for another reason (its deadline passed, it was rejected, its fallback or listeners
     *         run as it ends). A body's failure is no stop: a task whose body failed for good waits for the
     *         children that failure cancelled, and a cancel (or its deadline) landing meanwhile decides its end
     *         (the failure is then not its outcome: it is kept as a suppressed exception of the
     *         {@link TaskCancelledException} or {@link TaskTimeoutException})
     */
    boolean cancel();

    /**
     * Same as {@link #cancel()}; running bodies are always interrupted, whatever
     * {@code mayInterruptIfRunning} says. As {@link Future} requires, once this returned {@link #isDone()} is
     * true (see there), and once this returned true {@link #isCancelled()} is true and {@link #get()} throws
     * {@link java.util.concurrent.CancellationException} at once; the task itself becomes terminal
     * ({@link #status()} {@code CANCELLED}, {@link #join()} and {@link #result()} released) once its
     * interrupted body has returned, and its children have ended.
     *
     * <pre>{@code
     * SpawningTask<Report> report = orchestrator.to(Report.class).run(() -> build());
     * if (report.cancel(true)) {
     *     assert report.isDone() && report.isCancelled();
     *     report.result();   // waits until build() has returned: then status() is CANCELLED
     * }
     * }</pre>
     */
    @Override
    default boolean cancel(boolean mayInterruptIfRunning) {
        return cancel();
    }

    /**
     * Whether the task's end is decided, as {@link Future#isDone()} asks: true once nothing can change how it
     * ends, and for ever after. That is when its outcome is complete, but also as soon as a cancellation has
     * won (its interrupted body may still be returning, see {@link #cancel(boolean)}), its deadline has passed,
     * it was rejected, or its terminal status is being decided (its fallback or its listeners' {@code onFinished}
     * may still run). So, as {@link Future#cancel} requires, once {@code cancel} has returned, true or false,
     * this is true. {@link #get()} (and so {@code resultNow()} and {@code exceptionNow()}, which call it once
     * this is true) then answers at once for a cancelled task, and otherwise waits only for that end to be
     * completed (as {@code FutureTask.get} does while it completes): for the fallback and the listeners, and at
     * most a moment (100 ms) for a body or child that ignores the interrupt of the stop that decided the end (its
     * deadline, a rejection, a lost run). {@code state()} waits for no body: {@code FAILED} as soon as such a
     * stop decided the end of a task without a fallback (also asked by its own body after its deadline).
     *
     * <pre>{@code
     * if (!task.cancel()) {
     *     assert task.isDone();   // it had already ended, or its end was already decided otherwise
     * }
     * }</pre>
     */
    @Override
    boolean isDone();

    /**
     * Whether the task is cancelled: true from the moment a cancellation of it has won (a
     * {@link #cancel()} that returned true, {@link TaskOrchestrator#cancel}, or its parent's cancellation)
     * and for ever after, as {@link Future#isCancelled()} requires right after {@code cancel} returns
     * true. Such a task always ends {@link TaskStatus#CANCELLED}; {@link #status()} says so once its
     * interrupted body has returned (see {@link #cancel(boolean)}).
     */
    @Override
    default boolean isCancelled() {
        return status() == TaskStatus.CANCELLED;
    }

    /**
     * Waits and returns the value.
     *
     * @throws ExecutionException    whose cause is the {@link AsyncTaskException} if the task failed,
     *                               timed out or was rejected
     * @throws CancellationException if the task was cancelled (its cause is the
     *                               {@link TaskCancelledException}), as {@link Future} requires
     */
    @Override
    T get() throws InterruptedException, ExecutionException;

    /** As {@link #get()}, waiting at most the given time. */
    @Override
    T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException;
}
