package io.sweetasync;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link TaskRuntime.Kind#SINGLE} runtime's own thread, and what a spare that stood in for it during a wait does
 * when that wait is over: the rule that keeps a single runtime's bodies on one thread, one at a time (SPEC 1.7).
 *
 * <h2>State, all under the runtime's lock</h2>
 * <ul>
 * <li>{@link #thread}, {@link #carrier}: the own thread and its carrier; the first worker to look for work takes the
 * place, and the next one does once that thread has ended ({@link #ended}). It never retires while the runtime is
 * open.</li>
 * </ul>
 *
 * <h2>What a spare does ({@link #turn})</h2>
 * <ol>
 * <li>Surplus (the own thread's wait is over and invariant I holds without the spare): it retires before it takes
 * more work, and the own thread takes what is queued.</li>
 * <li>Not surplus yet, but the own thread waits in one of the engine's own blockers (a task's join, a managed
 * future's wait) that is released: that thread is waking to carry on its body, and a task taken now would run beside
 * it. The spare leaves the next task to it while that thread is on its way out (RUNNABLE, BLOCKED, queued for the
 * lock), and, however long it then waits for a processor, once its wait's {@link OwnWake} has woken it (or its
 * deadline has passed, or it was interrupted): such a wait parks by itself and runs none of the future's dependents,
 * so the woken thread goes straight back to its body. Until the wake fires (the completing thread runs the newer dependents first, and
 * one of them may wait for the very task the spare would take) the spare takes work. A wait without a wake (the
 * future completed as the wait began) is left {@link #GRACE_NANOS} at most while the thread is still parked: a
 * {@code CompletableFuture} waiter may run the future's older dependents on its own stack once woken. Confinement,
 * never a deadlock.</li>
 * <li>Else it takes work as any worker does.</li>
 * </ol>
 * A user's blocker is never asked whether it is releasable from here: that is the user's code, run only on its own
 * thread.
 */
final class OwnThread {

    /** How often a spare that left the next task to the waking own thread looks again (it is signalled, too). */
    static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How long a spare leaves the next task to the own thread while that thread is still parked (without a wake). */
    private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** What a worker of a single runtime does next. */
    enum Turn {
        /** Take work as any worker does. */
        TAKE,
        /** Retire now: the own thread carries on. */
        RETIRE,
        /** Wait {@link #CHECK_NANOS} (or a signal) and ask again: the own thread is waking. */
        LEAVE
    }

    /** What one spare saw of the own thread's released wait: which blocker, since when. Confined to that spare. */
    static final class Resume {
        private ForkJoinPool.ManagedBlocker blocker;
        private long since;
    }

    private final ReentrantLock lock;
    /** Guarded by lock. */
    private Thread thread;
    /** {@link #thread}'s carrier, set and cleared with it. Guarded by lock. */
    private ThreadCarrier carrier;

    /** @param lock the runtime's lock, held by every caller */
    OwnThread(ReentrantLock lock) {
        this.lock = lock;
    }

    /**
     * What {@code self} does next; {@code surplus} is whether invariant I holds without it. Call under lock.
     */
    Turn turn(Thread self, ThreadCarrier selfCarrier, boolean surplus, Resume resume) {
        if (thread == null) {
            thread = self;
            carrier = selfCarrier;
            return Turn.TAKE;
        }
        if (self == thread) {
            return Turn.TAKE;
        }
        if (surplus) {
            return Turn.RETIRE;
        }
        return resuming() && leaveTo(resume) ? Turn.LEAVE : Turn.TAKE;
    }

    /** Whether {@code self} is the own thread. Call under lock. */
    boolean is(Thread self) {
        return self == thread;
    }

    /** Whether {@code waiter} is the own thread's carrier (its wait ended: spares may retire). Call under lock. */
    boolean carries(ThreadCarrier waiter) {
        return waiter == carrier;
    }

    /**
     * The wake through which {@code waiter}'s thread waits on {@code blocker} ({@link OwnWake}, claimed for it), if it
     * is the own thread and {@code blocker} a task's or a managed future's wait; else null (it waits the usual way;
     * so does the own thread if the future completed meanwhile: that wait returns at once). Takes the lock briefly;
     * call without it: a task's outcome makes its wake under its own monitor. The own thread stays so while it runs.
     */
    OwnWake claimWake(ThreadCarrier waiter, ForkJoinPool.ManagedBlocker blocker) {
        if (!(blocker instanceof OwnWake.Awaited awaited)) {
            return null;
        }
        lock.lock();
        try {
            if (waiter != carrier) {
                return null;
            }
        }
        finally {
            lock.unlock();
        }
        OwnWake wake = awaited.ownWake();
        if (wake != null) {
            wake.claim(Thread.currentThread());
        }
        return wake;
    }

    /** {@code ended} has ended: if it was the own thread, the next worker to look for work takes its place. Under lock. */
    void ended(Thread ended) {
        if (ended == thread) {
            thread = null;
            carrier = null;
        }
    }

    /**
     * Whether the own thread waits in one of the engine's own blockers that is released (its {@code isReleasable}
     * reads a completion and a deadline, safe from any thread), or through its wake and is interrupted (a cancel of
     * its task: it leaves the wait for its body's catch at once, however long it then waits for a processor).
     */
    private boolean resuming() {
        ForkJoinPool.ManagedBlocker blocker = carrier == null ? null : carrier.waitingOn;
        if (blocker instanceof OwnWake.Awaited awaited && interruptedThrough(awaited)) {
            return true;
        }
        return (blocker instanceof TaskOutcome.Wait || blocker instanceof ManagedFuture.Wait) && blocker.isReleasable();
    }

    /** Whether the own thread waits through {@code awaited}'s wake and has been interrupted: it wakes by itself. */
    private boolean interruptedThrough(OwnWake.Awaited awaited) {
        OwnWake wake = awaited.ownWakeIfAny();
        return wake != null && wake.waits(thread) && thread.isInterrupted();
    }

    /**
     * Rule 2 above: while the own thread is on its way out of the wait, or its wait's {@link OwnWake} woke it (or
     * its deadline passed, or it was interrupted: it wakes by itself), or else it is still parked for less than the
     * grace.
     */
    private boolean leaveTo(Resume resume) {
        if (waking()) {
            return true;
        }
        ForkJoinPool.ManagedBlocker blocker = carrier.waitingOn;
        if (blocker instanceof OwnWake.Awaited awaited && wokenBy(awaited)) {
            return true;
        }
        long now = System.nanoTime();
        if (resume.blocker != blocker) {
            resume.blocker = blocker;
            resume.since = now;
        }
        return now - resume.since < GRACE_NANOS;
    }

    /** Whether the own thread waits through {@code awaited}'s wake and has been woken, its deadline passed or interrupted. */
    private boolean wokenBy(OwnWake.Awaited awaited) {
        OwnWake wake = awaited.ownWakeIfAny();
        if (wake == null || !wake.waits(thread)) {
            return false; // it waits the usual way: the grace applies
        }
        long deadline = awaited.deadline();
        return wake.fired() || deadline != 0 && deadline - System.nanoTime() <= 0 || thread.isInterrupted();
    }

    private boolean waking() {
        Thread.State state = thread.getState();
        return state == Thread.State.RUNNABLE || state == Thread.State.BLOCKED || lock.hasQueuedThread(thread);
    }
}
