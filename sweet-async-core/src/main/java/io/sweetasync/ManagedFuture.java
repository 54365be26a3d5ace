package io.sweetasync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link CompletableFuture} whose waits ({@code get}, {@code join}) are managed blocks
 * ({@link TaskRuntime#managedBlock}): a body on a {@code PLATFORM}/{@code SINGLE} runtime that waits for a
 * task through {@link SpawningTask#toCompletableFuture()}, or through a future derived from it
 * ({@code thenApply}, {@code thenCompose}...: {@link #newIncompleteFuture()} makes them of this class too, and
 * {@link #minimalCompletionStage()} a {@link MinimalStage} of it), hands its slot over for the wait, as
 * {@link SpawningTask#join()} does. A plain future's wait would keep the slot, so the awaited task, queued behind
 * its waiter on a full pool, could never start.
 *
 * <p>A future derived from a task's future knows that task ({@link #origin}): its unbounded waits from the task's
 * own body, a descendant's, or its end's callbacks are refused as the task's own future's are
 * ({@link TaskNode#refuseWaitingForItselfOrAnAncestor}): such a wait would never end. A future that may complete
 * without the task ({@code applyToEither} and the other either-variants, {@code orTimeout}, {@code
 * completeOnTimeout}) forgets it.
 *
 * <p>Invariants: only the waits differ from {@link CompletableFuture}; completion and the outcome seen by a
 * waiter are the superclass's. Off a pooled runtime's thread the managed block simply blocks.
 *
 * @param <T> the value type
 */
class ManagedFuture<T> extends CompletableFuture<T> {

    private static final VarHandle ORIGIN;

    static {
        try {
            ORIGIN = MethodHandles.lookup().findVarHandle(ManagedFuture.class, "origin", Object.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /**
     * The task whose outcome this future waits for (its own future, or one derived from it), or null: set at
     * creation, cleared once the future may complete without that task. A {@code WeakReference<TaskNode<?>>}
     * (a kept, completed derived future must not pin an ended task), or, for a task's own future, which holds
     * its task anyway ({@link TaskFuture#task}), the {@link TaskNode} itself until a future is derived from it:
     * most are never derived from (an {@code @AsyncTask} method's future joined), so they make no reference.
     */
    private volatile Object origin;

    ManagedFuture() {
    }

    ManagedFuture(TaskNode<?> origin) {
        this.origin = origin == null ? null : new WeakReference<>(origin);
    }

    /** A task's own future, which holds {@code task} strongly anyway: its origin needs no reference object. */
    ManagedFuture(TaskNode<?> task, boolean ownFuture) {
        this.origin = task;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        ManagedFuture<U> derived = new ManagedFuture<>();
        derived.origin = weakOrigin();
        return derived;
    }

    /** {@link #origin} as a weak reference (or null), shared from now on by every future derived from this one. */
    private Object weakOrigin() {
        Object held = origin;
        if (held instanceof TaskNode<?> task) {
            WeakReference<TaskNode<?>> ref = new WeakReference<>(task);
            // lost only to forgetOrigin (null) or another derivation (its reference): either is what holds now
            return ORIGIN.compareAndSet(this, held, ref) ? ref : origin;
        }
        return held;
    }

    /** The task this future waits for, or null (none, or forgotten: it may complete without it). */
    final TaskNode<?> origin() {
        Object held = origin;
        if (held instanceof TaskNode<?> task) {
            return task;
        }
        return held == null ? null : (TaskNode<?>) ((WeakReference<?>) held).get();
    }

    /** Forgets the task: this future may complete without it (a timeout). */
    final void forgetOrigin() {
        origin = null;
    }

    /** A minimal stage of this future whose {@code toCompletableFuture()} is managed too (the JDK's would not be). */
    @Override
    public CompletionStage<T> minimalCompletionStage() {
        MinimalStage<T> stage = new MinimalStage<>(origin());
        relay(this, stage);
        return stage;
    }

    /** Completes {@code to} as {@code from} completes, as the JDK relays a stage (an error wrapped once). */
    static <T> void relay(CompletableFuture<T> from, ManagedFuture<T> to) {
        from.whenComplete(to::settleFrom);
    }

    /** Completes this future with {@code value} or {@code error}, bypassing a subclass's refusals. */
    final void settleFrom(T value, Throwable error) {
        if (error == null) {
            super.complete(value);
        }
        else {
            super.completeExceptionally(error instanceof CompletionException ? error : new CompletionException(error));
        }
    }

    /** Refuses an unbounded wait that could never end: from its origin task's body, a descendant's, or its end. */
    final void refuseEndlessWait() {
        TaskNode<?> task = origin();
        if (task != null && !completed()) {
            task.refuseWaitingForItselfOrAnAncestor();
        }
    }

    /** {@code future}, which may complete without this one's origin task: it forgets the task. */
    private static <U> CompletableFuture<U> free(CompletableFuture<U> future) {
        if (future instanceof ManagedFuture<U> managed) {
            managed.origin = null;
        }
        return future;
    }

    /**
     * {@code add}'s dependent, added with the body running on this thread hidden ({@link Carrier#hideTask}): on a
     * future already complete {@code CompletableFuture} runs it at once, on the adding thread, where it is no more
     * part of that body than on the thread that completes the future or on a waiter's ({@link Wait#block}). It saw
     * the body's {@code TaskContext}, and a task it started was the body's child, only when the task had ended
     * before the callback was added.
     */
    private <R> R hidden(Supplier<R> add) {
        TaskNode<?> hidden = Carrier.hideTask();
        try {
            return add.get();
        }
        finally {
            Carrier.showTask(hidden);
        }
    }

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return hidden(() -> super.thenApply(fn));
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return hidden(() -> super.thenAccept(action));
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        return hidden(() -> super.thenRun(action));
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn) {
        return hidden(() -> super.thenCombine(other, fn));
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action) {
        return hidden(() -> super.thenAcceptBoth(other, action));
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return hidden(() -> super.runAfterBoth(other, action));
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return hidden(() -> super.thenCompose(fn));
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return hidden(() -> super.handle(fn));
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return hidden(() -> super.whenComplete(action));
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return hidden(() -> super.exceptionally(fn));
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return hidden(() -> super.exceptionallyCompose(fn));
    }

    // The async variants given an executor hand the callback to it on the adding thread when the future is complete:
    // a direct one (Runnable::run) runs it there at once.

    @Override
    public <U> CompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn, Executor executor) {
        return hidden(() -> super.thenApplyAsync(fn, executor));
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action, Executor executor) {
        return hidden(() -> super.thenAcceptAsync(action, executor));
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action, Executor executor) {
        return hidden(() -> super.thenRunAsync(action, executor));
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombineAsync(CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn, Executor executor) {
        return hidden(() -> super.thenCombineAsync(other, fn, executor));
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action, Executor executor) {
        return hidden(() -> super.thenAcceptBothAsync(other, action, executor));
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return hidden(() -> super.runAfterBothAsync(other, action, executor));
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn,
            Executor executor) {
        return hidden(() -> super.thenComposeAsync(fn, executor));
    }

    @Override
    public <U> CompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn, Executor executor) {
        return hidden(() -> super.handleAsync(fn, executor));
    }

    @Override
    public CompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action, Executor executor) {
        return hidden(() -> super.whenCompleteAsync(action, executor));
    }

    @Override
    public CompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn, Executor executor) {
        return hidden(() -> super.exceptionallyAsync(fn, executor));
    }

    @Override
    public CompletableFuture<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn,
            Executor executor) {
        return hidden(() -> super.exceptionallyComposeAsync(fn, executor));
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return free(hidden(() -> super.applyToEither(other, fn)));
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return free(super.applyToEitherAsync(other, fn));
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn,
            Executor executor) {
        return free(hidden(() -> super.applyToEitherAsync(other, fn, executor)));
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return free(hidden(() -> super.acceptEither(other, action)));
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return free(super.acceptEitherAsync(other, action));
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action,
            Executor executor) {
        return free(hidden(() -> super.acceptEitherAsync(other, action, executor)));
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return free(hidden(() -> super.runAfterEither(other, action)));
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        return free(super.runAfterEitherAsync(other, action));
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return free(hidden(() -> super.runAfterEitherAsync(other, action, executor)));
    }

    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        origin = null; // it completes by itself in time
        return super.orTimeout(timeout, unit);
    }

    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        origin = null;
        return super.completeOnTimeout(value, timeout, unit);
    }

    /**
     * Whether this future is completed: {@link CompletableFuture#isDone()}, which a subclass's {@code isDone()} may
     * answer earlier (a task's future whose cancel lost); the waits here wait for completion.
     */
    final boolean completed() {
        return super.isDone();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        refuseEndlessWait();
        if (!completed()) {
            TaskRuntime.managedBlock(new Wait(0));
        }
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        if (!completed()) {
            long nanos = unit.toNanos(timeout);
            if (nanos > 0) {
                TaskRuntime.managedBlock(new Wait(nanos));
            }
            if (!completed()) {
                throw new TimeoutException();
            }
        }
        return super.get();
    }

    @Override
    public T join() {
        refuseEndlessWait();
        boolean interrupted = false;
        while (!completed()) {
            try {
                TaskRuntime.managedBlock(new Wait(0));
            }
            catch (InterruptedException ex) {
                interrupted = true; // join() is not interruptible: wait on, keep the interrupt
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return super.join();
    }

    /** Waits for this future without a deadline ({@code nanos == 0}) or up to {@code nanos}. */
    final class Wait implements ForkJoinPool.ManagedBlocker, OwnWake.Awaited {
        private final boolean timed;
        private final long deadline;

        Wait(long nanos) {
            this.timed = nanos > 0;
            this.deadline = timed ? deadlineIn(nanos) : 0;
        }

        /** {@code nanos} from now, never 0 (which means none). */
        private static long deadlineIn(long nanos) {
            long at = System.nanoTime() + nanos;
            return at == 0 ? 1 : at;
        }

        /** The wake this wait armed ({@link #ownWake}), for the spares to read. */
        private volatile OwnWake wake;

        /**
         * A fresh wake for this wait, the future's newest dependent, as {@code CompletableFuture} pushes a fresh waiter
         * per wait: the completing thread runs newer dependents first, and a wake older than a dependent added since
         * (one shared by waits, or kept from an earlier wait) came after it, which could wait for the own thread's task
         * that waits for the wake. Armed through {@code anyOf} with a disarm future: a wait that ends unfired disarms it
         * ({@link OwnWake#unclaim}), its node on this future dies and the future's stack drops it, so polling waits
         * leave nothing behind. Null if the future is done (the wait returns at once).
         */
        @Override
        public OwnWake ownWake() {
            OwnWake made = wake;
            if (made != null) {
                return made;
            }
            if (completed()) {
                return null;
            }
            CompletableFuture<Object> disarm = new CompletableFuture<>();
            OwnWake armed = new OwnWake(disarm);
            wake = armed;
            CompletableFuture.anyOf(ManagedFuture.this, disarm).whenComplete((value, error) -> {
                if (completed()) {
                    armed.accept(value, error);
                }
            });
            return armed;
        }

        @Override
        public OwnWake ownWakeIfAny() {
            return wake;
        }

        @Override
        public long deadline() {
            return deadline;
        }

        @Override
        public boolean block() throws InterruptedException {
            // Once woken, a CompletableFuture waiter runs the dependents still left on the future, on its own stack:
            // they are no part of the waiting body (no TaskContext there; a task they start is a root), as on any thread.
            TaskNode<?> hidden = Carrier.hideTask();
            try {
                if (!timed) {
                    ManagedFuture.super.get(); // the superclass's wait: this class's would block again
                }
                else {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        ManagedFuture.super.get(left, TimeUnit.NANOSECONDS);
                    }
                }
            }
            catch (TimeoutException | ExecutionException | CancellationException ex) {
                // expired, failed or cancelled: isReleasable() and the caller's own get() decide
            }
            finally {
                Carrier.showTask(hidden);
            }
            return true;
        }

        @Override
        public boolean isReleasable() {
            return completed() || timed && deadline - System.nanoTime() <= 0;
        }
    }
}
