package io.sweetasync;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * How a {@link TaskRuntime.Kind#SINGLE} runtime's own thread waits for a task's outcome or a managed future, so that
 * a spare standing in for it knows when that thread has been woken to carry on its body (SPEC 1.7, {@link OwnThread}).
 *
 * <p>A {@code CompletableFuture} waiter is woken by the completing thread in the order of the future's dependents
 * (newest first), and once awake it runs the dependents still left on the future, on its own stack, before it returns;
 * one of them may wait for a task queued on the same runtime. So neither "the future is done" nor "the waiter was
 * unparked" says that the own thread is on its way back to its body, and a spare could leave the next task to it only
 * for a grace. This wait says it: the own thread parks by itself (it never runs the future's dependents), and one
 * dependent per future, {@link #accept}, registered at the first such wait on it, marks the wake {@link #fired} and
 * unparks whichever own thread {@link #claim}ed it. Once fired, that thread goes straight back to its body; before,
 * spares take work as for any wait.
 *
 * <p>Invariants: at most one per future while it is not done ({@link Awaited#ownWake} makes it once and registers it
 * as the future's dependent: waits interrupted any number of times leave one dependent on the future, not one each);
 * at most one waiter at a time (another single runtime's own thread waiting on the same future at once waits the
 * usual way); {@code fired} only turns true, after the future
 * completed. The waiter's registration and the firing are a Dekker pair of volatiles: the waiter writes
 * {@link #waiter} then reads {@code fired}, the dependent writes {@code fired} then reads {@code waiter}; one of them
 * sees the other.
 */
final class OwnWake implements BiConsumer<Object, Throwable> {

    /** A wait an own thread may make with an {@link OwnWake}: a task's outcome or a managed future. */
    interface Awaited {
        /** The future's wake, installed (with its dependent) at the first call; may be null once the future is done. */
        OwnWake ownWake();

        /** The future's wake if one was installed, else null. */
        OwnWake ownWakeIfAny();

        /** The wait's deadline ({@link System#nanoTime()}), or 0 for none. */
        long deadline();
    }

    private volatile boolean fired;
    private volatile Thread waiter;

    /** The future completed: the waiter, if any, is woken to carry on. */
    @Override
    public void accept(Object value, Throwable error) {
        fired = true;
        Thread current = waiter;
        if (current != null) {
            LockSupport.unpark(current);
        }
    }

    /** Registers {@code self} as the waiter; false if another thread waits on this future through it. */
    synchronized boolean claim(Thread self) {
        if (waiter != null && waiter != self) {
            return false;
        }
        waiter = self;
        return true;
    }

    /** {@code self}'s wait is over (woken, expired or interrupted). */
    synchronized void unclaim(Thread self) {
        if (waiter == self) {
            waiter = null;
        }
    }

    /** Whether {@code thread} waits through this wake: it parks by itself, and runs none of the future's dependents. */
    boolean waits(Thread thread) {
        return waiter == thread;
    }

    /** Whether the future completed and its dependent woke the waiter, if one waits. */
    boolean fired() {
        return fired;
    }

    /**
     * Parks the claiming thread until the wake fires or {@code deadline} passes ({@link System#nanoTime()}; 0 for
     * none).
     *
     * @throws InterruptedException if interrupted first (the interrupt is cleared)
     */
    void await(long deadline) throws InterruptedException {
        while (!fired) {
            if (deadline == 0) {
                LockSupport.park(this);
            }
            else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                LockSupport.parkNanos(this, left);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
