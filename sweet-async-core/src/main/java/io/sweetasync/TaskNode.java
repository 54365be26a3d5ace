package io.sweetasync;

import io.sweetasync.internal.MethodFutures;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One task, and the handle users hold ({@link SpawningTask}). A task is one object, built in layers so
 * that splitting its jobs costs no allocation per task; each layer states its own invariants:
 * <ol>
 * <li>{@link TaskFacts}: what the task is (identity, settings, progress, snapshots);</li>
 * <li>{@link TaskFigures}: what it has measured (attempts, times, queue wait and run time, resource
 * figures);</li>
 * <li>{@link TaskEnding}: how it ends (the stop request, the status, the one {@code finish()} that decides
 * the terminal status and completes the outcome; the context it runs in);</li>
 * <li>{@link TaskChildren}: what it waits for before it can finish (the body's and the children's shares,
 * the children list, the walk up the tree when a count reaches zero);</li>
 * <li>{@link TaskDeadline}: its deadline (the stop, the grace, the forced end of a subtree whose bodies run
 * on as runaways);</li>
 * <li>{@link TaskSubmission}: queueing an attempt (the group's permit, the runtime, the clock);</li>
 * <li>{@link TaskAttempts}: its body (attempts, retries, stopping the body);</li>
 * <li>this class: the handle, whose waits are {@link TaskOutcome}'s.</li>
 * </ol>
 * Walks over a task's subtree are {@link TaskTrees}; its captured context is {@link PropagatedContext}.
 *
 * <p>Invariants: the handle holds no state of its own; every method reads or moves the layers below
 * through their own invariants. Waits never see a non-terminal status once released: the outcome is
 * completed only after the terminal status is set.
 */
final class TaskNode<T> extends TaskAttempts<T> implements SpawningTask<T> {

    TaskNode(TaskSettings settings, long idValue, TaskId givenId, Callable<? extends T> work) {
        super(settings, idValue, givenId, work);
    }

    TaskContext context() {
        return new NodeContext(this);
    }

    /**
     * True when this call's cancellation won, or an earlier one had: the task ends CANCELLED either way. Not for a
     * durable re-run turned away unrun ({@link #bounced}): it ends {@code CANCELLED}, but its invocation stays pending
     * and runs again later; a cancel after that bounce lost to it, as one after a rejection does.
     */
    @Override
    public boolean cancel() {
        return stop(StopKind.CANCEL, "cancel() was called") || isCancelled() && !bounced();
    }

    // ---- waiting (see TaskOutcome) --------------------------------------------------------------

    /**
     * True once nothing can change how the task ends: its outcome is complete, a stop request has won (a
     * cancellation, the deadline, a rejection: the body may still be returning) or {@code finish()} has sealed
     * it (its fallback or listeners may still run). So a {@code cancel} that returns false, having lost to one
     * of these, leaves the task done, as {@link Future#cancel} requires.
     */
    @Override
    public boolean isDone() {
        return outcome.isDone() || isStoppedOrSealed();
    }

    /**
     * True from the moment a cancellation of this task has won (its {@link #cancel()}, the orchestrator's,
     * its parent's, or a cancellation passed down a {@code chain}) and for ever after: such a task always
     * ends {@link TaskStatus#CANCELLED}.
     */
    @Override
    public boolean isCancelled() {
        if (status() == TaskStatus.CANCELLED) {
            return true;
        }
        Stop stop = stopRequest();
        return stop != null && (stop.kind() == StopKind.CANCEL
                || stop.kind() == StopKind.PASS_THROUGH && stop.upstream().status() == TaskStatus.CANCELLED);
    }

    /** What {@code get} throws for a task cancelled whose outcome is not complete yet, as {@link Future} requires. */
    private void throwIfCancelledEarly() {
        if (!outcome.isDone() && isCancelled()) {
            Stop stop = stopRequest();
            String reason = stop == null ? "cancelled" : stop.reason();
            CancellationException ex = new CancellationException("task " + label() + " was cancelled after "
                    + AsyncTaskException.attempts(attempts()) + ": " + reason);
            ex.initCause(new TaskCancelledException(snapshot(new TaskInfo.Failure("TaskCancelledException", reason)),
                    reason));
            throw ex;
        }
    }

    /** Whether the task is terminal: its outcome is complete (unlike {@link #isDone()}, not just cancelled). */
    boolean isTerminal() {
        return outcome.isDone();
    }

    /** Runs {@code action} once the task is terminal; see {@link TaskOutcome#whenTerminal}. */
    void whenTerminal(Runnable action) {
        outcome.whenTerminal(action);
    }

    /**
     * Runs {@code action} once this task is terminal, for {@code dependent}, a task that waits for it
     * ({@code after}, {@code chain}): forgotten if {@code dependent} ends first, so that this task, however
     * long it runs, does not keep the dependents that gave up on it.
     */
    void whenTerminalFor(TaskNode<?> dependent, Runnable action) {
        if (outcome.addDependent(dependent, action)) {
            dependent.outcome.waitsFor(outcome, action);
        }
    }

    /** Waits for the outcome; see {@link TaskOutcome#await}. */
    TaskResult<T> awaitResult() throws InterruptedException {
        return outcome.await();
    }

    @Override
    public TaskResult<T> result() {
        TaskResult<T> decided = outcome.decided();
        if (decided != null) {
            return decided;
        }
        refuseWaitingForItselfOrAnAncestor();
        return outcome.awaitUninterruptibly(this);
    }

    /**
     * A body that waits, without a bound, for its own task or for an ancestor (which ends only after its
     * children) would wait for ever, or until a deadline ends the ancestor: refused at once, naming both. A
     * walk up only as many levels as the waiting task is deeper than this one, so a parent joining its
     * children (the usual wait) walks nowhere. So is one that runs nested (a caller-runs executor ran it on the
     * thread of another body) in this task's body or in a descendant's: that body goes on only once it returns.
     * Likewise user code of a task's end (its fallback, its {@code onFinished} listeners), which runs before that task's outcome completes and before it leaves
     * its parent: its wait for a task that cannot end before that one ({@link #endsOnlyAfter}) is refused.
     * Costs the thread's carrier, which the first check reads anyway, and a field of it.
     */
    void refuseWaitingForItselfOrAnAncestor() {
        String why = whyAWaitWouldNeverEnd();
        if (why != null) {
            throw new IllegalStateException(why);
        }
    }

    /**
     * Why an unbounded wait for this task by the current thread would never end (see
     * {@link #refuseWaitingForItselfOrAnAncestor}), or null when it would end.
     */
    private String whyAWaitWouldNeverEnd() {
        Carrier here = Carrier.currentOrNull();
        if (here == null) {
            return null;
        }
        TaskNode<?> waiter = here.top();
        if (waiter != null && waiter.isSelfOrDescendantOf(this)) {
            return waiter == this
                    ? "task " + label() + " cannot wait for itself: its body would wait for its own end (also through a"
                            + " future derived from its toCompletableFuture(); a bounded wait, get(timeout), is not refused)"
                    : "task " + waiter.label() + " cannot wait for " + label() + ", its ancestor: a task ends only "
                            + "after its children, so the wait would never end (start the waiting work detached(), "
                            + "or use get(timeout))";
        }
        TaskNode<?> below = waiter == null ? null : here.enclosingWithin(this);
        if (below != null) {
            return "task " + waiter.label() + " cannot wait for " + label() + ": it runs nested in "
                    + (below == this ? "that task's body" : "the body of " + below.label() + ", a descendant of it,")
                    + " on this thread (a caller-runs executor ran it there), which goes on only once it returns, so the"
                    + " wait would never end (run it on another runtime, or use get(timeout))";
        }
        TaskNode<?> ending = here.ending();
        if (ending != null && endsOnlyAfter(ending)) {
            String callback = here.endingCallback() + " of task " + ending.label();
            String why = ending == this ? "its own task: it runs before " + label() + "'s outcome is decided"
                    : label() + (ending.isSelfOrDescendantOf(this) ? ", its ancestor: a task ends only after its children"
                            : ", which cannot end before " + ending.label() + " (it starts only after it, or waits for a"
                                    + " task that does)")
                            + ", and " + ending.label() + " ends only after this callback returns";
            return callback + " cannot wait for " + why
                    + ", so the wait would never end (wait from another task, or use get(timeout))";
        }
        return null;
    }

    /**
     * Whether this task cannot end before {@code ending} does (without a deadline that ends it first): it is
     * one of {@link #endingOnlyAfter}'s tasks. Only for a wait by user code of a task's end that the outcome
     * does not answer at once. Waits it cannot see (a task started by the callback that waits for one of
     * these) are not refused.
     */
    boolean endsOnlyAfter(TaskNode<?> ending) {
        return ending.isSelfOrDescendantOf(this) || endingOnlyAfter(ending).contains(this);
    }

    /**
     * Every task that cannot end before {@code ending} does (without a deadline that ends it first):
     * {@code ending} and its ancestors (a task ends only after its children), the tasks that start only after
     * one of those ({@code after}, {@code chain}) and have not been stopped, the ancestors of such tasks, and so
     * on. A walk up from {@code ending} and along the dependents of each task passed, each task once (no
     * recursion, however deep the tree or long the chain); it holds every root among them.
     */
    static Set<TaskNode<?>> endingOnlyAfter(TaskNode<?> ending) {
        Set<TaskNode<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<TaskNode<?>> todo = new ArrayDeque<>();
        todo.add(ending);
        while (!todo.isEmpty()) {
            for (TaskNode<?> up = todo.poll(); up != null && seen.add(up); up = up.parentNode()) {
                for (TaskNode<?> dependent : up.outcome.dependentTasks()) {
                    if (!dependent.isStoppedOrSealed()) {
                        todo.add(dependent);
                    }
                }
            }
        }
        return seen;
    }

    @Override
    public T join() {
        return result().orElseThrow();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        throwIfCancelledEarly();
        TaskResult<T> done = outcome.decided();
        if (done == null) {
            refuseWaitingForItselfOrAnAncestor();
            cancelOrOutcome().get(); // released by the outcome, or by a cancellation that wins meanwhile
            throwIfCancelledEarly();
            done = outcome.now();
        }
        return TaskOutcome.unwrap(done);
    }

    /**
     * As {@link Future#state()} asks, without the wait the JDK's default makes through {@code get()} once the task
     * is done: complete, the state of its outcome; not done, {@code RUNNING}; cancelled, {@code CANCELLED}; its
     * end decided by another stop (its deadline, a rejection, a lost run, a failure passed down a chain) and no
     * fallback to change it, {@code FAILED}, while its body may still be returning. Only an end that a fallback
     * or its listeners are still deciding is waited for, as {@code get()} waits (and answered {@code RUNNING}
     * where that wait would never end: asked by its own body, a descendant's, or its own fallback). The default
     * refused a body reading its own state after its deadline ("cannot wait for itself").
     */
    @Override
    public State state() {
        TaskResult<T> done = outcome.decided();
        if (done != null) {
            return stateOf(done);
        }
        if (!isDone()) {
            return State.RUNNING;
        }
        if (isCancelled()) {
            return State.CANCELLED;
        }
        if (stopRequest() != null && settings.fallback == null) {
            return State.FAILED;
        }
        if (whyAWaitWouldNeverEnd() != null) {
            return State.RUNNING; // its end is decided only once this caller returns
        }
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return stateOf(outcome.await());
                }
                catch (InterruptedException ex) {
                    interrupted = true;
                }
            }
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static State stateOf(TaskResult<?> result) {
        return switch (result) {
            case TaskResult.Ok<?> ok -> State.SUCCESS;
            case TaskResult.Err<?> err when err.error() instanceof TaskCancelledException -> State.CANCELLED;
            case TaskResult.Err<?> err -> State.FAILED;
        };
    }

    @Override
    public T get(long time, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        throwIfCancelledEarly();
        TaskResult<T> done = outcome.decided();
        if (done == null) {
            long nanos = unit.toNanos(time); // saturates: Long.MAX_VALUE days is "practically never"
            if (nanos > 0) {
                try {
                    cancelOrOutcome().get(nanos, TimeUnit.NANOSECONDS);
                }
                catch (TimeoutException ex) {
                    // reported below, unless the task ended meanwhile
                }
            }
            throwIfCancelledEarly();
            done = outcome.now();
            if (done == null) {
                throw new TimeoutException(nanos <= 0 ? "task " + label() + " has not ended yet"
                        : "task " + label() + " did not finish within " + time + " " + unit);
            }
        }
        return TaskOutcome.unwrap(done);
    }

    @Override
    public CompletableFuture<T> toCompletableFuture() {
        return outcome.newValueFuture(this, false);
    }

    static {
        MethodFutures.install(task -> task instanceof TaskNode<?> node ? methodFuture(node) : null);
    }

    /** The future of an {@code @AsyncTask} method returning one: as {@link #toCompletableFuture()}, failing as the method did. */
    private static <T> CompletableFuture<T> methodFuture(TaskNode<T> node) {
        return node.outcome.newValueFuture(node, true);
    }

    @Override
    public <U> SpawningTask<U> chain(Function<? super T, ? extends U> next) {
        return settings.orchestrator.parts().chain(this, next);
    }

    /** The value of a completed task; only once {@link #isTerminal()} with an Ok result. */
    T valueNow() {
        return outcome.now().orElseThrow();
    }

    TaskResult<T> resultNow0() {
        return outcome.now();
    }
}
