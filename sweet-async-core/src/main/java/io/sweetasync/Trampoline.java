package io.sweetasync;

import java.util.ArrayDeque;

/**
 * Runs terminal actions (what happens to a {@code chain} or {@code after} dependent when its upstream
 * ends) without recursion: an action that ends another task whose own actions then run is queued on this
 * thread instead of nested, and the outermost call drains the queue in a loop. So a failure or a
 * cancellation passing down 100,000 chained tasks uses constant stack.
 *
 * <p>Thread-confined: each thread has its own queue. An action that throws is reported and does not stop
 * the others.
 */
final class Trampoline {

    private static final System.Logger LOG = System.getLogger(Trampoline.class.getName());
    private static final ThreadLocal<ArrayDeque<Runnable>> PENDING = new ThreadLocal<>();

    private Trampoline() {
    }

    static void run(Runnable action) {
        ArrayDeque<Runnable> pending = PENDING.get();
        if (pending != null) {
            pending.addLast(action); // a drain further up this thread's stack runs it
            return;
        }
        pending = new ArrayDeque<>();
        PENDING.set(pending);
        try {
            Runnable next = action;
            while (next != null) {
                try {
                    next.run();
                }
                catch (RuntimeException | Error ex) {
                    LOG.log(System.Logger.Level.ERROR, "a task's terminal action failed", ex);
                }
                next = pending.pollFirst();
            }
        }
        finally {
            PENDING.remove();
        }
    }
}
