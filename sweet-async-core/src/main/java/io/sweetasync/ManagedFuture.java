package io.sweetasync;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link CompletableFuture} whose waits ({@code get}, {@code join}) are managed blocks
 * ({@link TaskRuntime#managedBlock}): a body on a {@code PLATFORM}/{@code SINGLE} runtime that waits for a
 * task through {@link SpawningTask#toCompletableFuture()}, or through a future derived from it
 * ({@code thenApply}, {@code thenCompose}...: {@link #newIncompleteFuture()} makes them of this class too),
 * hands its slot over for the wait, as {@link SpawningTask#join()} does. A plain future's wait would keep
 * the slot, so the awaited task, queued behind its waiter on a full pool, could never start.
 *
 * <p>Invariants: only the waits differ from {@link CompletableFuture}; completion and the outcome seen by a
 * waiter are the superclass's. Off a pooled runtime's thread the managed block simply blocks.
 *
 * @param <T> the value type
 */
class ManagedFuture<T> extends CompletableFuture<T> {

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new ManagedFuture<>();
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
    private final class Wait implements ForkJoinPool.ManagedBlocker {
        private final boolean timed;
        private final long deadline;

        Wait(long nanos) {
            this.timed = nanos > 0;
            this.deadline = timed ? System.nanoTime() + nanos : 0;
        }

        @Override
        public boolean block() throws InterruptedException {
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
            return true;
        }

        @Override
        public boolean isReleasable() {
            return completed() || timed && deadline - System.nanoTime() <= 0;
        }
    }
}
