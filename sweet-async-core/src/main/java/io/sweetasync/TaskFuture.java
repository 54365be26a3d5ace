package io.sweetasync;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of {@code toCompletableFuture()}: cancelling it cancels the task and returns true exactly
 * when the task ends {@code CANCELLED}; it then reports {@code isCancelled()}. A future its caller completed
 * already ({@code complete}, {@code orTimeout}) keeps that outcome, which dependents may have seen: cancelling it
 * still cancels the task, and answers false, as {@link java.util.concurrent.Future#cancel} requires of a
 * completed future. A cancel that loses (the
 * task's end was decided first, its fallback or listeners may still run) leaves it {@code isDone()}, as
 * {@link java.util.concurrent.Future#cancel} requires and as the task's handle says; its waits still wait
 * for the outcome. Its waits, and those of the futures derived from it, are managed blocks
 * ({@link ManagedFuture}).
 */
final class TaskFuture<T> extends ManagedFuture<T> {

    /** The task whose future this is ({@link TaskOutcome#taskOf}). */
    final TaskNode<T> task;
    /**
     * Whether a failure completes this future with the body's own exception, not the {@code TaskFailedException}
     * around it: the future an {@code @AsyncTask} method returns, failing as the method did
     * ({@link io.sweetasync.internal.MethodFutures}).
     */
    private final boolean failsWithCause;
    /**
     * Its index in the task's list of futures to settle, or -1 when it is in none; guarded by the task's outcome's
     * monitor ({@link TaskOutcome#forgetFuture}).
     */
    int slot = -1;
    /** Guarded by this. */
    private boolean cancelRequested;
    /** A cancel of this future lost to the task's end, decided already: the future is done from then on. */
    private volatile boolean cancelLost;

    TaskFuture(TaskNode<T> task, boolean failsWithCause) {
        super(task, true); // its waits, and those of the futures derived from it, refuse to wait for the task from within
        this.task = task;
        this.failsWithCause = failsWithCause;
    }

    // Waiting on the task's own future from its body (or a descendant's) is refused as join() refuses it, and so is
    // a wait on a future derived from it (ManagedFuture's origin): the wait would never end.

    @Override
    public boolean isDone() {
        return cancelLost || super.isDone();
    }

    /**
     * As {@link CompletableFuture#orTimeout}, whose own timer looks at {@link #isDone()} when the time is up:
     * after a lost cancel that answers true before the future completes, and the bound was ignored.
     */
    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        forgetOrigin(); // it completes by itself in time, as ManagedFuture's
        return onTimeout(timeout, unit, () -> completeExceptionally(new TimeoutException()));
    }

    /** As {@link CompletableFuture#completeOnTimeout}, for the reason {@link #orTimeout} gives. */
    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        forgetOrigin();
        return onTimeout(timeout, unit, () -> complete(value));
    }

    /**
     * Runs {@code action} once {@code timeout} has passed unless this future completed first: a plain future
     * keeps the time with the JDK's own {@code orTimeout}, whose delay is cancelled (and leaves the JDK's timer
     * queue, with what it holds of this future) once this one completes; {@code action} runs only if the time
     * ran out, and completes this future only if nothing did.
     */
    private CompletableFuture<T> onTimeout(long timeout, TimeUnit unit, Runnable action) {
        Objects.requireNonNull(unit, "unit");
        if (!completed()) {
            CompletableFuture<Void> timer = new CompletableFuture<Void>().orTimeout(timeout, unit);
            timer.whenComplete((never, expired) -> {
                if (expired != null) {
                    action.run();
                }
            });
            whenComplete((value, error) -> timer.complete(null));
        }
        return this;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        synchronized (this) {
            cancelRequested = true;
        }
        if (!task.cancel()) {
            cancelLost = true;
            return false;
        }
        if (!super.cancel(mayInterruptIfRunning) && !isCancelled()) {
            if (completedByItsCaller()) {
                // Completed by its caller before (complete, orTimeout...): what it answered, dependents may have
                // seen; it stays. The task is cancelled all the same (this future is how it is cancelled).
                return false;
            }
            // Settled with the task's TaskCancelledException before this call asked (another cancel won):
            // cancel() answers true, so the future must report isCancelled() from now on, as Future requires.
            obtrudeException(new CancellationException("task " + task.label() + " was cancelled"));
        }
        return true;
    }

    /** Done with a value or an error other than the task's cancellation: completed by its caller, not the task. */
    private boolean completedByItsCaller() {
        return switch (super.state()) {
            case SUCCESS -> true;
            case FAILED -> !(super.exceptionNow() instanceof CancellationException
                    || super.exceptionNow() instanceof TaskCancelledException);
            default -> false;
        };
    }

    /**
     * As {@link CompletableFuture#complete}; a future its caller completed before the task ended is forgotten by the
     * task ({@link TaskOutcome#forgetFuture}): nothing keeps it but its caller.
     */
    @Override
    public boolean complete(T value) {
        boolean done = super.complete(value);
        if (done) {
            task.outcome.forgetFuture(this);
        }
        return done;
    }

    /** As {@link CompletableFuture#completeExceptionally}; forgotten by the task as {@link #complete} is. */
    @Override
    public boolean completeExceptionally(Throwable error) {
        boolean done = super.completeExceptionally(error);
        if (done) {
            task.outcome.forgetFuture(this);
        }
        return done;
    }

    void settle(TaskResult<T> result) {
        switch (result) {
            case TaskResult.Ok<T> ok -> super.complete(ok.value());
            case TaskResult.Err<T> err -> failed(err.error());
        }
    }

    void failed(AsyncTaskException error) {
        boolean viaFuture;
        synchronized (this) {
            viaFuture = cancelRequested;
        }
        if (viaFuture && error instanceof TaskCancelledException) {
            super.cancel(false);
        }
        else if (failsWithCause) {
            // As a stage derived from the task's future and failed with the cause (or, for a timeout, a cancel, a
            // rejection, with the error itself) stores it: in a CompletionException, which whenComplete and
            // exceptionally see and get() unwraps; the shape durable and placed calls' futures still have
            Throwable cause = error instanceof TaskFailedException failed && failed.getCause() != null
                    ? failed.getCause() : error;
            // (a CompletionException the body threw itself kept as it is, as the stage kept it: not wrapped twice)
            super.completeExceptionally(cause instanceof CompletionException ? cause : new CompletionException(cause));
        }
        else {
            super.completeExceptionally(error);
        }
    }
}
