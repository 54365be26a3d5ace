package io.sweetasync;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs terminal actions (what happens to a {@code chain} or {@code after} dependent when its upstream
 * ends) without recursion: an action that ends another task whose own actions then run is queued on this
 * thread instead of nested, and the outermost call drains the queue in a loop. So a failure or a
 * cancellation passing down 100,000 chained tasks uses constant stack.
 *
 * <p>User code an action runs (a completion callback, a listener or fallback of a task it ends, a dependent's body
 * on a caller-runs executor) runs outside the drain ({@link #leaveDrain}): the actions that code causes (it
 * cancels a task, whose dependents are then told) run at once, in a drain of their own, not after it returned,
 * so that it may wait for what they do. The actions queued before it still run after it, in order. Not past
 * {@link #MAX_LEFT_DRAINS} drains left on one thread, nested (user code whose actions run user code, and so on,
 * as callbacks that each cancel the next task): deeper down, user code stays in the innermost drain, and what
 * it causes runs once it returned, so that such a chain of any length is a loop again.
 *
 * <p>Thread-confined: each thread has its own queue. A {@code VIRTUAL} body's thread keeps it in its carrier (its
 * binding lasts the whole body, so a drain never straddles it), any other thread in a thread-local (on a body's
 * thread, which completes its task and so settles the task's futures in a drain, a thread-local would build the
 * thread's whole thread-local map: about 200 bytes a task). An action that throws is reported and does not stop
 * the others.
 */
final class Trampoline {

    private static final System.Logger LOG = System.getLogger(Trampoline.class.getName());
    private static final ThreadLocal<ArrayDeque<Runnable>> PENDING = new ThreadLocal<>();
    /**
     * Threads draining now: user code looks this thread's queue up only while some thread drains, so that a
     * listener or callback on a thread that never drains (most of them) builds no thread-local map for it.
     */
    private static final AtomicInteger DRAINING = new AtomicInteger();
    /** How many drains user code left on this thread and is still out of, nested; set only while some are. */
    private static final ThreadLocal<int[]> LEFT = new ThreadLocal<>();
    /**
     * The most drains left on one thread at once: each costs the stack of the user code and its actions, which
     * a chain of user code driving the next task's end would stack once per task.
     */
    static final int MAX_LEFT_DRAINS = 16;

    private Trampoline() {
    }

    static void run(Runnable action) {
        Carrier body = virtualBody();
        ArrayDeque<Runnable> pending = body != null ? body.drain() : PENDING.get();
        if (pending != null) {
            pending.addLast(action); // a drain further up this thread's stack runs it
            return;
        }
        pending = new ArrayDeque<>(1); // most drains queue nothing: the first action runs without it
        DRAINING.incrementAndGet();
        setPending(body, pending);
        try {
            Runnable next = action;
            while (next != null) {
                runOne(next);
                next = pending.pollFirst();
            }
        }
        finally {
            setPending(body, null);
            DRAINING.decrementAndGet();
        }
    }

    /** The carrier of the {@code VIRTUAL} body the current thread runs, or null if it runs none. */
    private static Carrier virtualBody() {
        Thread thread = Thread.currentThread();
        return thread.isVirtual() ? VirtualCarriers.get(thread) : null;
    }

    private static void setPending(Carrier body, ArrayDeque<Runnable> pending) {
        if (body != null) {
            body.drain(pending);
        }
        else if (pending != null) {
            PENDING.set(pending);
        }
        else {
            PENDING.remove();
        }
    }

    /**
     * Takes the current thread out of the drain it runs, if any, before user code an action calls: until
     * {@link #backToDrain}, actions that code causes run at once in a drain of their own. Returns the drain's
     * queue (null if none, or if {@link #MAX_LEFT_DRAINS} are left on this thread already: the code stays in
     * this one) to give back, in a {@code finally}.
     */
    static ArrayDeque<Runnable> leaveDrain() {
        if (DRAINING.get() == 0) {
            return null;
        }
        Carrier body = virtualBody();
        ArrayDeque<Runnable> pending = body != null ? body.drain() : PENDING.get();
        if (pending == null) {
            return null;
        }
        if (body != null) {
            int left = body.leftDrains();
            if (left >= MAX_LEFT_DRAINS) {
                return null;
            }
            body.leftDrains(left + 1);
        }
        else {
            int[] left = LEFT.get();
            if (left == null) {
                left = new int[1];
                LEFT.set(left);
            }
            else if (left[0] >= MAX_LEFT_DRAINS) {
                return null;
            }
            left[0]++;
        }
        setPending(body, null);
        return pending;
    }

    /** Puts the current thread back into the drain {@link #leaveDrain} took it out of. */
    static void backToDrain(ArrayDeque<Runnable> pending) {
        if (pending != null) {
            Carrier body = virtualBody();
            setPending(body, pending);
            if (body != null) {
                body.leftDrains(body.leftDrains() - 1);
                return;
            }
            int[] left = LEFT.get();
            if (--left[0] == 0) {
                LEFT.remove();
            }
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
