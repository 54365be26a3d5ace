package io.sweetasync;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs terminal actions (what happens to a {@code chain} or {@code after} dependent when its upstream
 * ends) without recursion: an action that ends another task whose own actions then run is queued on this
 * thread instead of nested, and the outermost call drains the queue in a loop. So a failure or a
 * cancellation passing down 100,000 chained tasks uses constant stack.
 *
 * <p>User code an action runs (a completion callback, a body on a caller-runs executor started as a dependent)
 * may wait for a task whose start or end is an action queued behind it: before such a wait blocks, the actions
 * queued on the thread run ({@link #runPendingBeforeAWait}), else the wait would wait for its own return.
 *
 * <p>Thread-confined: each thread has its own queue. An action that throws is reported and does not stop
 * the others.
 */
final class Trampoline {

    private static final System.Logger LOG = System.getLogger(Trampoline.class.getName());
    private static final ThreadLocal<ArrayDeque<Runnable>> PENDING = new ThreadLocal<>();
    /**
     * Threads draining now: a wait looks this thread's queue up only while some thread drains, so that a body that
     * waits on a thread that never drains (most of them) builds no thread-local map for it.
     */
    private static final AtomicInteger DRAINING = new AtomicInteger();

    private Trampoline() {
    }

    static void run(Runnable action) {
        ArrayDeque<Runnable> pending = PENDING.get();
        if (pending != null) {
            pending.addLast(action); // a drain further up this thread's stack runs it
            return;
        }
        pending = new ArrayDeque<>();
        DRAINING.incrementAndGet();
        PENDING.set(pending);
        try {
            Runnable next = action;
            while (next != null) {
                runOne(next);
                next = pending.pollFirst();
            }
        }
        finally {
            PENDING.remove();
            DRAINING.decrementAndGet();
        }
    }

    /**
     * Called by a thread about to block waiting (a managed block): runs now the actions queued on its drain, if it
     * drains, and those they queue. The code that waits was run by an earlier action (a callback, a body on a
     * caller-runs executor): what it waits for (a dependent's start, a cancellation passing to a dependent) may be
     * an action queued behind it, which would run only once it returned.
     */
    static void runPendingBeforeAWait() {
        if (DRAINING.get() == 0) {
            return;
        }
        ArrayDeque<Runnable> pending = PENDING.get();
        if (pending == null) {
            return;
        }
        for (Runnable next; (next = pending.pollFirst()) != null;) {
            runOne(next);
        }
    }

    private static void runOne(Runnable action) {
        try {
            action.run();
        }
        catch (RuntimeException | Error ex) {
            LOG.log(System.Logger.Level.ERROR, "a task's terminal action failed", ex);
        }
    }
}
