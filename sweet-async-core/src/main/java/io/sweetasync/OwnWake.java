package io.sweetasync;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
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
 * unparks the own threads that {@link #claim}ed it (one per single runtime waiting on the future). Once fired, such a
 * thread goes straight back to its body; before, spares take work as for any wait.
 *
 * <p>Invariants: a task's outcome has one wake while it is not done ({@link Awaited#ownWake} makes it once and
 * registers it as a dependent: nothing that could wait is added to an outcome later, and waits interrupted any number
 * of times leave one dependent, not one each); a managed future's wait arms a wake of its own, the newest dependent,
 * and disarms it when it ends unfired (its node dies and is dropped from the future);
 * a thread is in {@link #waiters} once at most, from its claim until its wait is over; {@code fired} only turns true,
 * after the future completed. A waiter's registration and the firing are a Dekker pair of volatiles: the waiter
 * writes {@link #waiters} then reads {@code fired}, the dependent writes {@code fired} then reads {@code waiters}; one
 * of them sees the other.
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

    private static final Thread[] NONE = {};

    private volatile boolean fired;
    /** The own threads waiting through this wake (one per single runtime at most); replaced whole, under this. */
    private volatile Thread[] waiters = NONE;
    /** Completed when a wait through this wake ends unfired: its dependent on the future dies; null if none. */
    private final CompletableFuture<Object> disarm;

    /** A wake kept for every wait on its future (a task's outcome: nothing that could wait is added to it later). */
    OwnWake() {
        this(null);
    }

    /** A wake for one wait, disarmed by completing {@code disarm} once that wait ends unfired. */
    OwnWake(CompletableFuture<Object> disarm) {
        this.disarm = disarm;
    }

    /** The future completed: the waiters, if any, are woken to carry on. */
    @Override
    public void accept(Object value, Throwable error) {
        fired = true;
        for (Thread waiter : waiters) {
            LockSupport.unpark(waiter);
        }
    }

    /** Registers {@code self} as a waiter. */
    synchronized void claim(Thread self) {
        if (!waits(self)) {
            Thread[] more = Arrays.copyOf(waiters, waiters.length + 1);
            more[more.length - 1] = self;
            waiters = more;
        }
    }

    /**
     * {@code self}'s wait is over (woken, expired or interrupted); a wake for one wait that ended unfired is disarmed.
     * Call holding no lock: the disarm runs the future's machinery (no user code).
     */
    void unclaim(Thread self) {
        boolean last = false;
        synchronized (this) {
            Thread[] now = waiters;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == self) {
                    Thread[] fewer = Arrays.copyOf(now, now.length - 1);
                    System.arraycopy(now, i + 1, fewer, i, now.length - 1 - i);
                    waiters = fewer.length == 0 ? NONE : fewer;
                    last = fewer.length == 0;
                    break;
                }
            }
        }
        if (last && disarm != null && !fired) {
            disarm.complete(null);
        }
    }

    /** Whether {@code thread} waits through this wake: it parks by itself, and runs none of the future's dependents. */
    boolean waits(Thread thread) {
        for (Thread waiter : waiters) {
            if (waiter == thread) {
                return true;
            }
        }
        return false;
    }

    /** Whether the future completed and its dependent woke the waiter, if one waits. */
    boolean fired() {
        return fired;
    }

    /**
     * Parks the claiming thread until the wake fires or {@code deadline} passes ({@link System#nanoTime()}; 0 for
     * none).
     *
     * @throws InterruptedException if interrupted before the wake fired (the interrupt is cleared); one that comes
     *         after is left set, as {@code CompletableFuture}'s waits leave it
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
            if (!fired && Thread.interrupted()) { // woken and then interrupted: the value, the interrupt kept
                throw new InterruptedException();
            }
        }
    }
}
