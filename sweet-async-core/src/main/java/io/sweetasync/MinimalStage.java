package io.sweetasync;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What {@link ManagedFuture#minimalCompletionStage()} returns: as the JDK's own minimal stage, a stage that cannot be
 * completed, read or waited on directly (those methods throw {@link UnsupportedOperationException}), only followed;
 * but its {@link #toCompletableFuture()} and the stages derived from it are managed futures, so that a body waiting
 * through them hands its runtime's slot over (the JDK's minimal stage made plain futures: a body on {@code single}
 * waiting through one for a task queued behind it waited for ever), and knows the task it comes from.
 *
 * <p>Invariants: completed only by {@link ManagedFuture#relay} ({@link ManagedFuture#settleFrom}, which bypasses the
 * refusals below) or, for a derived stage, by the JDK's own dependent completion.
 *
 * @param <T> the value type
 */
final class MinimalStage<T> extends ManagedFuture<T> {

    MinimalStage(TaskNode<?> from) {
        super(from);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new MinimalStage<>(origin()); // none once freed (an either-variant)
    }

    /** A managed future completed as this stage is. */
    @Override
    public CompletableFuture<T> toCompletableFuture() {
        ManagedFuture<T> future = new ManagedFuture<>(origin());
        relay(this, future);
        return future;
    }

    @Override
    public CompletionStage<T> minimalCompletionStage() {
        return this;
    }

    private static UnsupportedOperationException refused() {
        return new UnsupportedOperationException("a minimal completion stage: use toCompletableFuture() to wait or read it");
    }

    @Override
    public T get() {
        throw refused();
    }

    @Override
    public T get(long timeout, TimeUnit unit) {
        throw refused();
    }

    @Override
    public T getNow(T valueIfAbsent) {
        throw refused();
    }

    @Override
    public T join() {
        throw refused();
    }

    @Override
    public T resultNow() {
        throw refused();
    }

    @Override
    public Throwable exceptionNow() {
        throw refused();
    }

    @Override
    public boolean complete(T value) {
        throw refused();
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw refused();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        throw refused();
    }

    @Override
    public void obtrudeValue(T value) {
        throw refused();
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw refused();
    }

    @Override
    public boolean isDone() {
        throw refused();
    }

    @Override
    public boolean isCancelled() {
        throw refused();
    }

    @Override
    public boolean isCompletedExceptionally() {
        throw refused();
    }

    @Override
    public int getNumberOfDependents() {
        throw refused();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        throw refused();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        throw refused();
    }

    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        throw refused();
    }

    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        throw refused();
    }

    @Override
    public State state() {
        throw refused();
    }
}
