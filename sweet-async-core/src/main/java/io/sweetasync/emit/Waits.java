package io.sweetasync.emit;

import io.sweetasync.TaskRuntime;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pipeline's blocking waits, each a {@link TaskRuntime#managedBlock managed block}: on a
 * {@code platform} or {@code single} runtime the waiting worker hands its slot to another thread, so
 * that the sender, receivers and coordinator of one pipeline can all wait on each other on any runtime,
 * even on a single thread. Elsewhere they are the plain waits.
 */
final class Waits {

    /** Spin hints before a spinning thread parks instead (about a microsecond of spinning). */
    private static final int SPINS_BEFORE_PARK = 100;
    /** How long a spinning thread parks at a time once it has spun that long. */
    private static final long PARK_NANOS = 20_000;

    private Waits() {
    }

    /**
     * One turn ({@code turn} counting from 0) of a wait for a flag another thread holds for a few instructions or a
     * publish: a spin hint at first, then a short park. A virtual thread that holds the flag and parks meanwhile
     * (on the buffer's lock) needs a carrier to go on; spinning virtual threads that never gave theirs up could
     * hold every carrier (one on a 1-CPU machine), and it would never get one. (A yield is not enough: a yielded
     * virtual thread may go back to its carrier's own queue, which the carrier runs before the threads woken from
     * elsewhere.) A park returns at once on an interrupted thread, so the interrupt is taken first: true if it
     * was, and the caller sets it again once its wait is over.
     *
     * <pre>{@code
     * boolean interrupted = false;
     * for (int turn = 0; !flag.compareAndSet(false, true); turn++) {
     *     interrupted |= Waits.spin(turn);
     * }
     * if (interrupted) Thread.currentThread().interrupt();
     * }</pre>
     */
    static boolean spin(int turn) {
        if (turn < SPINS_BEFORE_PARK) {
            Thread.onSpinWait();
            return false;
        }
        boolean interrupted = Thread.interrupted();
        LockSupport.parkNanos(PARK_NANOS);
        return interrupted;
    }

    /** A managed block that blocks once, in {@code wait}; the caller loops on its own condition. */
    private abstract static class Once implements ForkJoinPool.ManagedBlocker {
        private boolean done;

        abstract void waitOnce() throws InterruptedException;

        @Override
        public final boolean block() throws InterruptedException {
            waitOnce();
            done = true;
            return true;
        }

        @Override
        public final boolean isReleasable() {
            return done;
        }
    }

    /** {@link Condition#await()}, with the condition's lock held, as a managed block. */
    static void await(Condition condition) throws InterruptedException {
        TaskRuntime.managedBlock(new Once() {
            @Override
            void waitOnce() throws InterruptedException {
                condition.await();
            }
        });
    }

    /** {@link Condition#awaitNanos}, with the condition's lock held, as a managed block; returns what is left. */
    static long awaitNanos(Condition condition, long nanos) throws InterruptedException {
        long[] left = { nanos };
        TaskRuntime.managedBlock(new Once() {
            @Override
            void waitOnce() throws InterruptedException {
                left[0] = condition.awaitNanos(nanos);
            }
        });
        return left[0];
    }

    /** {@link ReentrantLock#lockInterruptibly()}, as a managed block if another thread holds the lock. */
    static void lock(ReentrantLock lock) throws InterruptedException {
        if (lock.tryLock()) {
            return;
        }
        TaskRuntime.managedBlock(new Once() {
            @Override
            void waitOnce() throws InterruptedException {
                lock.lockInterruptibly();
            }
        });
    }

    /** {@link BlockingQueue#poll(long, TimeUnit)} as a managed block. */
    static <T> T poll(BlockingQueue<T> queue, long timeout, TimeUnit unit) throws InterruptedException {
        T immediate = queue.poll();
        if (immediate != null) {
            return immediate;
        }
        Object[] taken = new Object[1];
        TaskRuntime.managedBlock(new Once() {
            @Override
            void waitOnce() throws InterruptedException {
                taken[0] = queue.poll(timeout, unit);
            }
        });
        @SuppressWarnings("unchecked")
        T item = (T) taken[0];
        return item;
    }

    /** {@link BlockingQueue#take()} as a managed block. */
    static <T> T take(BlockingQueue<T> queue) throws InterruptedException {
        T item;
        while ((item = poll(queue, 1, TimeUnit.DAYS)) == null) {
            // a day passed without an item: wait again
        }
        return item;
    }

    /** {@link CompletableFuture#get()} as a managed block. */
    static <T> T get(CompletableFuture<T> future) throws InterruptedException, ExecutionException {
        if (!future.isDone()) {
            TaskRuntime.managedBlock(new Once() {
                @Override
                void waitOnce() throws InterruptedException {
                    try {
                        future.get();
                    }
                    catch (ExecutionException ex) {
                        // read again below
                    }
                }
            });
        }
        return future.get();
    }

    /** {@link Thread#sleep(java.time.Duration)} as a managed block. */
    static void sleep(java.time.Duration delay) throws InterruptedException {
        TaskRuntime.managedBlock(new Once() {
            @Override
            void waitOnce() throws InterruptedException {
                Thread.sleep(delay);
            }
        });
    }
}
