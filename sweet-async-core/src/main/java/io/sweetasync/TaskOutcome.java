package io.sweetasync;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BiConsumer;

/**
 * A task's outcome and the ways to wait for it: what {@code result()}, {@code join()}, {@code get()} and
 * {@code toCompletableFuture()} of a {@link SpawningTask} do.
 *
 * <p>Invariants: completed once, by {@link TaskEnding#finish} alone, always normally (never
 * exceptionally: a failure is a {@link TaskResult.Err}); completed only after the task's status is
 * terminal, so a waiter released by it sees the final status. Never handed out: callers get
 * {@link SpawningTask} or a {@link TaskFuture} fed by it, so nothing outside can complete it. It extends
 * the future instead of holding one, so a task carries one object for it, not two; it is also the lock
 * of its task's children list (see {@link TaskChildren}).
 *
 * <p>On a thread of a {@code PLATFORM}/{@code SINGLE} runtime a wait is a managed block: the waiting
 * body's slot is handed over while it waits (see {@link PooledRuntime}).
 *
 * <p>Its followers (the tasks waiting for it, its futures: {@link TaskFollowers}, in {@link #followers}) are kept
 * under its lock and run by the thread that completes it, right after the completion
 * ({@link #completeAndRunFollowers}; or by the first follower itself, if it finds the completion written as the
 * completing thread read no followers), with no dependent of the future of their own: the place a completion registered
 * by the first of them would have among the outcome's dependents, which run newest first, when it has none older (see
 * {@link #firstFollowerAdded}). When it has, the followers run in such a completion, the outcome itself
 * ({@link #accept}): no lambda per task. This class decides when and where they run (the handshake between the first
 * follower and the completion); {@link TaskFollowers} holds them and tells them.
 */
final class TaskOutcome<T> extends CompletableFuture<TaskResult<T>> implements BiConsumer<TaskResult<T>, Throwable> {

    /**
     * The thread running this task's {@code onFinished} listeners, and the outcome it decided: the listeners
     * run after the status is terminal and before the outcome completes (waiters are released after them), so
     * a listener waiting for the task it is told has finished would wait for its own return, and the task
     * would never end. While they run, the task's waits on that thread get the decided outcome at once
     * ({@link #decided}). Fields, not a thread-local: a thread-local's first use on a virtual thread builds a
     * map for it, per task. Written and read by the announcing thread; another thread may read a stale value,
     * which is never itself, so it waits as before.
     */
    private Thread announcer;
    private TaskResult<T> announced;

    /** Runs {@code listeners}, the task's {@code onFinished} calls, with {@code result} given to its waits here. */
    void announce(TaskResult<T> result, Runnable listeners) {
        announced = result;
        announcer = Thread.currentThread();
        try {
            listeners.run();
        }
        finally {
            announcer = null;
            announced = null;
        }
    }

    /** The outcome, or null while the task is not terminal. */
    TaskResult<T> now() {
        return getNow(null);
    }

    /** {@link #now()}, or the outcome being announced on this thread (see {@link #announcer}); null otherwise. */
    TaskResult<T> decided() {
        TaskResult<T> done = getNow(null);
        if (done == null && announcer == Thread.currentThread()) {
            return announced;
        }
        return done;
    }

    /** Waits for the outcome, without a deadline. */
    TaskResult<T> await() throws InterruptedException {
        TaskResult<T> done = decided();
        if (done != null) {
            return done;
        }
        TaskRuntime.managedBlock(new Wait());
        return getNow(null);
    }

    /** {@link #await()}, with an interrupt turned into a {@link CancellationException} naming {@code task}. */
    TaskResult<T> awaitUninterruptibly(TaskNode<?> task) {
        try {
            return await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for task " + task.label());
        }
    }

    /** The value of {@code result}, or its failure as {@code Future.get} reports one. */
    static <T> T unwrap(TaskResult<T> result) throws ExecutionException {
        return switch (result) {
            case TaskResult.Ok<T> ok -> ok.value();
            case TaskResult.Err<T> err when err.error() instanceof TaskCancelledException cancelled -> {
                CancellationException ex = new CancellationException(cancelled.getMessage());
                ex.initCause(cancelled);
                throw ex;
            }
            case TaskResult.Err<T> err -> throw new ExecutionException(err.error().getMessage(), err.error());
        };
    }

    /**
     * The dependents and the futures waiting for the outcome, and the upstreams this task waits for, in one object made
     * by the first of them (see {@link TaskFollowers}). Guarded by this, as are its fields; null until the first one is
     * added, and from the moment they are run. Volatile: the completing thread reads it without the lock once the
     * outcome is complete, the first follower reads the completion once it is written (see
     * {@link #firstFollowerAdded}); one of the two sees the other.
     */
    private volatile TaskFollowers<T> followers;

    /**
     * The followers, made if there are none yet, marked {@link TaskFollowers#placed}: whether this call placed them, its
     * caller then calls {@link #firstFollowerAdded} (outside the lock). Under the lock, the outcome not done.
     */
    private boolean place() {
        TaskFollowers<T> all = followersMade();
        boolean first = !all.placed;
        all.placed = true;
        return first;
    }

    /** The followers, made if there are none yet (then not {@link TaskFollowers#placed}). Under the lock, not done. */
    private TaskFollowers<T> followersMade() {
        TaskFollowers<T> all = followers;
        if (all == null) {
            all = new TaskFollowers<>();
            followers = all;
        }
        return all;
    }

    /**
     * Runs {@code action} once the task is terminal, as {@link #whenTerminal} does, unless it is removed
     * before ({@link #removeDependent}, when the waiting task ends first). Returns whether it was added: false if the
     * task was terminal already, the action then ran (or was queued to run: {@link Trampoline}) here.
     */
    boolean addDependent(TaskNode<?> dependent, Runnable action) {
        boolean done;
        boolean first = false;
        synchronized (this) {
            done = isDone();
            if (!done) {
                first = place();
                followers.addDependent(action, dependent);
            }
        }
        if (done) {
            Trampoline.run(action);
        }
        else if (first) {
            firstFollowerAdded();
        }
        return !done;
    }

    /**
     * Takes {@code action} back from {@code upstream}'s dependents ({@link #removeDependent}) as this task ends, in
     * case it ends first (cancelled, timed out, its parent stopping): a task that runs long does not keep those that
     * gave up on it. At once if this task has ended already. Kept with its {@link TaskFollowers}, not registered as a
     * completion of this outcome: that cost every {@code after} and {@code chain} task a lambda, a
     * {@code CompletableFuture} and its {@code UniWhenComplete}, and, as an older dependent of the outcome, put its
     * future's followers in a completion of their own (see {@link #firstFollowerAdded}).
     *
     * <p>The completion is read again once the followers are published (volatile), as {@link #firstFollowerAdded}
     * does: the completing thread may have read none just before they were made. Done then, the removal is made here
     * (it may be made twice: the second finds nothing).
     */
    void waitsFor(TaskOutcome<?> upstream, Runnable action) {
        synchronized (this) {
            if (!isDone()) {
                TaskFollowers<T> all = followersMade(); // not placed: the first follower still decides where they run
                all.addUpstream(upstream, action);
            }
        }
        if (isDone()) {
            upstream.removeDependent(action);
        }
    }

    /**
     * Every upstream this task waited for ({@link #waitsFor}) has ended and let go of it (its action ran): the entries
     * kept to take the task back from their dependents are of no more use, and would keep each upstream (its value,
     * through the action, its task) for as long as this task runs. Called as the task is submitted after them.
     */
    void upstreamsEnded() {
        if (followers != null) {
            synchronized (this) {
                TaskFollowers<T> all = followers;
                if (all != null) {
                    all.upstreamsEnded();
                }
            }
        }
    }

    /**
     * Called once, by the first dependent, future or own wake, after it made {@link #followers}, outside the lock (so
     * that no action runs holding it): where the followers will run. One added before they run is in the lists
     * (handled there); one added after finds the outcome done, since the completion comes first, and is handled at
     * once.
     *
     * <p>With no dependent of the future yet (most tasks), they run on the completing thread once the completion has
     * run the future's dependents ({@link #completeAndRunFollowers}): after every dependent registered from now on,
     * as a completion registered now would run, the newest first, and that costs no completion (a
     * {@code CompletableFuture} and its {@code UniWhenComplete}, 64 bytes a task). The followers were published
     * (volatile) before the completion is read here, and the completing thread reads them after it wrote it: if it
     * read none, this finds it done, and runs them itself, once ({@link #afterCompletion} takes them under the lock).
     * On the completing thread, then, before the task leaves its parent: in a completion of their own, a waiter woken
     * before it (which helps run the dependents left on the future) could run them while the task left its parent.
     *
     * <p>With dependents already (a waiter, {@code join()} or {@code get()}, that began to wait before; an engine's
     * terminal action registered as the task was made, a durable or placed task's clean-up; not the removal of an
     * {@code after} or {@code chain} task from its upstreams' dependents, kept with the followers: {@link #waitsFor}),
     * the followers run in a completion registered now, the outcome itself ({@link #accept}), so that they keep their
     * place before those: such a waiter is released, and such an action runs, only once the futures' callbacks ran
     * and the dependents were started, as before.
     */
    private void firstFollowerAdded() {
        if (getNumberOfDependents() > 0) {
            whenComplete(this);
        }
        else if (isDone()) {
            runFollowers(now());
        }
    }

    /**
     * Completes the outcome, then runs its followers, if any are left to this thread (see {@link #firstFollowerAdded}):
     * {@link TaskEnding#finish} alone calls it, once.
     */
    void completeAndRunFollowers(TaskResult<T> result) {
        complete(result);
        if (followers != null) {
            runFollowers(result);
        }
    }

    /**
     * {@link #afterCompletion}, whose own failure (no memory left for its lists; the actions' and callbacks' failures
     * are caught where they run) is logged: it runs in the task's end, which goes on to give its share back to its
     * parent whatever happens here, as it did when a completion of the future ran it (and swallowed the failure). Any
     * {@code Throwable}, as that completion caught: a checked exception thrown where the compiler does not see it (user
     * code in a language without checked exceptions) let out of {@code finish} would keep the parent from ever ending.
     */
    private void runFollowers(TaskResult<T> result) {
        try {
            afterCompletion(result);
        }
        catch (Throwable ex) {
            System.getLogger(TaskOutcome.class.getName()).log(System.Logger.Level.ERROR,
                    "the tasks and futures waiting for a task's end could not all be told of it", ex);
        }
    }

    /**
     * The completion action {@link #firstFollowerAdded} may register: runs {@link #afterCompletion}. Not for other
     * use.
     */
    @Override
    public void accept(TaskResult<T> result, Throwable never) {
        afterCompletion(result);
    }

    /** Forgets a dependent's action: the task that waited has ended, there is nothing left for it to do. */
    void removeDependent(Runnable action) {
        synchronized (this) {
            if (followers != null) {
                followers.removeDependent(action);
            }
        }
    }

    /**
     * Forgets a future of {@code toCompletableFuture()} that its caller completed ({@code complete},
     * {@code completeExceptionally}, {@code orTimeout}, {@code completeOnTimeout}) before this outcome: settling it
     * would change nothing, and a task that runs long, polled that way ({@code toCompletableFuture().orTimeout(...)}
     * per request), kept every such future until it ended ({@link TaskFollowers#forgetFuture}: O(1) amortized).
     */
    void forgetFuture(TaskFuture<T> future) {
        synchronized (this) {
            if (followers != null) {
                followers.forgetFuture(future);
            }
        }
    }

    /** Whether a task that has not ended waits for this one (see {@link #addDependent}). */
    boolean hasDependents() {
        synchronized (this) {
            return followers != null && followers.hasDependents();
        }
    }

    /** The tasks that wait for this one and have not ended (see {@link #addDependent}). */
    List<TaskNode<?>> dependentTasks() {
        synchronized (this) {
            return followers == null ? List.of() : followers.dependentTasks();
        }
    }

    /**
     * Detaches the followers under the lock, then tells them outside it ({@link TaskFollowers#tell}): one thread alone
     * finds them, once, and nothing writes to them after (every writer reaches them through the field, under the lock).
     */
    private void afterCompletion(TaskResult<T> result) {
        TaskFollowers<T> all;
        synchronized (this) {
            all = followers;
            followers = null;
        }
        if (all != null) {
            all.tell(result);
        }
    }

    /**
     * Runs {@code action} once the task is terminal. Actions that end other tasks (a {@code chain} or
     * {@code after} dependent) run through {@link Trampoline}, so a failure passing down a chain of any
     * length is a loop, not a recursion.
     */
    void whenTerminal(Runnable action) {
        whenComplete((result, never) -> Trampoline.run(action));
    }

    /**
     * A new future of {@code task}'s value, completed when the task is terminal, once the tasks waiting for
     * it ({@code after}, {@code chain}) were told (see {@link TaskFollowers#tell}); failing with the body's own
     * exception rather than the {@code TaskFailedException} around it if {@code failsWithCause}.
     */
    CompletableFuture<T> newValueFuture(TaskNode<T> task, boolean failsWithCause) {
        TaskFuture<T> future = new TaskFuture<>(task, failsWithCause);
        TaskResult<T> decided = decided(); // also when asked by the task's own onFinished listener
        boolean first = false;
        if (decided == null) {
            synchronized (this) {
                if (!isDone()) {
                    first = place();
                    followers.addFuture(future);
                }
                else {
                    decided = now();
                }
            }
        }
        if (decided != null) {
            future.settle(decided);
        }
        else if (first) {
            firstFollowerAdded();
        }
        return future;
    }

    /**
     * The task whose {@code toCompletableFuture()} made {@code future}, or null for any other future: how a
     * handle that wraps a task's (a pipeline's {@code EmittingTask}) is traced back to the task.
     */
    static TaskNode<?> taskOf(CompletableFuture<?> future) {
        return future instanceof TaskFuture<?> own ? own.task : null;
    }

    /**
     * The outcome's {@link OwnWake}, made and registered by the first call; null once the outcome is done (a wait
     * then returns at once). In {@link #followers}: a field of its own would make every task 8 bytes larger.
     */
    private OwnWake ownWake() {
        OwnWake wake;
        boolean first;
        boolean made = false;
        synchronized (this) {
            if (isDone()) {
                return null;
            }
            first = place();
            wake = followers.wake;
            if (wake == null) {
                wake = new OwnWake();
                followers.wake = wake;
                made = true;
            }
        }
        if (first) {
            firstFollowerAdded();
        }
        if (made) {
            whenComplete(wake); // the one dependent that fires it
        }
        return wake;
    }

    /** Waits for this outcome. */
    final class Wait implements ForkJoinPool.ManagedBlocker, OwnWake.Awaited {
        /** The wake this wait was given ({@link #ownWake}), for the spares to read. */
        private volatile OwnWake wake;

        @Override
        public OwnWake ownWake() {
            OwnWake given = TaskOutcome.this.ownWake();
            wake = given;
            return given;
        }

        @Override
        public OwnWake ownWakeIfAny() {
            return wake;
        }

        @Override
        public long deadline() {
            return 0;
        }

        @Override
        public boolean block() throws InterruptedException {
            try {
                TaskOutcome.this.get();
            }
            catch (ExecutionException ex) {
                throw new IllegalStateException("task outcomes never complete exceptionally", ex);
            }
            return true;
        }

        @Override
        public boolean isReleasable() {
            return isDone();
        }
    }
}
