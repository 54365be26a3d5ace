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
    /** The drain state of threads other than a {@code VIRTUAL} body's (see {@link #state}). */
    private static final ThreadLocal<Drain> LOCAL = new ThreadLocal<>();
    /**
     * Threads draining now: user code looks this thread's queue up only while some thread drains, so that a
     * listener or callback on a thread that never drains (most of them) builds no thread-local map for it.
     */
    private static final AtomicInteger DRAINING = new AtomicInteger();
    /**
     * The most drains left on one thread at once: each costs the stack of the user code and its actions, which
     * a chain of user code driving the next task's end would stack once per task.
     */
    static final int MAX_LEFT_DRAINS = 16;

    private Trampoline() {
    }

    /**
     * One thread's drain: the queue of the drain it runs (null if none), and how many drains user code left on it
     * and is still out of, nested. Confined to its thread. A {@code VIRTUAL} body's is its carrier's marks; any
     * other thread's is kept in {@link #LOCAL} for the thread's life (an idle one holds nothing).
     */
    static class Drain {
        ArrayDeque<Runnable> queue;
        int left;
    }

    /** This thread's drain state; null if it has none and {@code make} is false. */
    private static Drain state(boolean make) {
        Thread thread = Thread.currentThread();
        Carrier body = thread.isVirtual() ? VirtualCarriers.get(thread) : null;
        if (body != null) {
            return body.drainState(make);
        }
        Drain local = LOCAL.get();
        if (local == null && make) {
            local = new Drain();
            LOCAL.set(local);
        }
        return local;
    }

    static void run(Runnable action) {
        Drain state = state(true);
        if (state.queue != null) {
            state.queue.addLast(action); // a drain further up this thread's stack runs it
            return;
        }
        // most drains queue nothing: the first action runs without the queue
        ArrayDeque<Runnable> pending = new ArrayDeque<>(1);
        DRAINING.incrementAndGet();
        state.queue = pending;
        try {
            Runnable next = action;
            while (next != null) {
                runOne(next);
                next = pending.pollFirst();
            }
        }
        finally {
            state.queue = null;
            DRAINING.decrementAndGet();
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
        Drain state = state(false);
        if (state == null || state.queue == null || state.left >= MAX_LEFT_DRAINS) {
            return null;
        }
        ArrayDeque<Runnable> pending = state.queue;
        state.queue = null;
        state.left++;
        return pending;
    }

    /** Puts the current thread back into the drain {@link #leaveDrain} took it out of. */
    static void backToDrain(ArrayDeque<Runnable> pending) {
        if (pending != null) {
            Drain state = state(false);
            state.queue = pending;
            state.left--;
        }
    }

    /**
     * Runs one action, reporting whatever it throws: any {@code Throwable}, a checked exception thrown where the
     * compiler does not see it (user code in a language without checked exceptions, reached through a dependent's
     * end) included, which would otherwise leave this drain with the actions queued after it never run.
     */
    private static void runOne(Runnable action) {
        try {
            action.run();
        }
        catch (Throwable ex) {
            LOG.log(System.Logger.Level.ERROR, "a task's terminal action failed", ex);
        }
    }
}
