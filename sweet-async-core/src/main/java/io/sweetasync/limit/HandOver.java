package io.sweetasync.limit;

import io.sweetasync.limit.AdmissionQueue.Waiter;
import io.sweetasync.limit.ConcurrencyLimiter.Permit;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Runs, outside the lock, the grant callbacks of the waiters a {@link ConcurrencyLimiter} granted under it
 * (a release, a suspend, a larger share). A callback that throws is logged and its permit given back (nobody
 * else holds it), so the next waiter gets it; the other callbacks still run, and the thread that freed the
 * permits never sees another caller's failure. The waiters a permit given back is granted to join the same
 * lists, served by the same loop: a queue of callbacks that all throw (an executor shut down) is served one
 * after another, not one inside another (which overflowed the stack of the thread that freed the permit,
 * part way down the queue).
 *
 * <p>Invariants: each granted waiter's callback runs exactly once, after its expiry is cancelled, with the
 * permit granted to it (the lists are parallel); a thread is at most {@value #MAX_NESTED_HAND_OVERS}
 * hand-overs deep (a callback that releases a permit inline starts another): beyond, the rest runs at once on
 * a virtual thread of its own, or on this one, deeper, if none can start (nested, not never: no granted waiter
 * is left without its callback). A thread's depth is kept in a shared map, not a thread-local (which would give
 * every virtual thread that hands over a permit a thread-local map), and removed when it returns to 0.
 */
final class HandOver {

    private static final System.Logger LOG = System.getLogger(ConcurrencyLimiter.class.getName());

    /** How deep each thread is in nested hand-overs. */
    private static final ConcurrentHashMap<Thread, int[]> DEPTHS = new ConcurrentHashMap<>();
    private static final int MAX_NESTED_HAND_OVERS = 32;

    private final PermitAccounting permits;
    /** Starts the rest of a hand-over too deep to nest on a thread of its own ({@link #onVirtualThread}). */
    private final Executor offStack;

    HandOver(PermitAccounting permits, Executor offStack) {
        this.permits = permits;
        this.offStack = offStack;
    }

    /** Runs {@code action} on a virtual thread of its own. */
    static void onVirtualThread(Runnable action) {
        Thread.ofVirtual().name("sweet-async-hand-over").start(action);
    }

    /** Outside the lock: runs the callbacks of {@code granted}, each with its permit in {@code handed}. */
    void serve(List<Waiter> granted, List<Permit> handed) {
        if (granted.isEmpty()) {
            return;
        }
        Thread thread = Thread.currentThread();
        int[] depth = DEPTHS.get(thread);
        if (depth == null) {
            depth = new int[1];
            DEPTHS.put(thread, depth);
        }
        else if (depth[0] >= MAX_NESTED_HAND_OVERS) {
            // A callback that runs the work inline (a caller-runs executor) released a permit, whose hand-over
            // ran the next waiter's work inline, and so on: one set of frames per waiter, which overflowed the
            // stack part way down a long queue and stranded the rest QUEUED with the permit free. Past this
            // depth the rest is served at once on a thread of its own: the work still starts now, only not
            // on this thread (a body on this stack waiting for it is not kept waiting). If no thread can start (an
            // OutOfMemoryError: "unable to create native thread"), the rest is served here, nested deeper: thrown
            // from here, the failure reached the callback that released the permit, and the waiters granted now
            // (out of the queue, their permits counted) never had their callbacks run: those permits never came back.
            try {
                offStack.execute(() -> serve(granted, handed));
                return;
            }
            catch (RuntimeException | Error noThread) {
                // served below
            }
        }
        depth[0]++;
        try {
            run(granted, handed);
        }
        finally {
            if (--depth[0] == 0) {
                DEPTHS.remove(thread);
            }
        }
    }

    private void run(List<Waiter> granted, List<Permit> handed) {
        for (int i = 0; i < granted.size(); i++) {
            granted.get(i).cancelExpiry();
            handed.get(i).handedOver = true;
            try {
                granted.get(i).onGranted.accept(handed.get(i));
            }
            catch (Throwable ex) { // the user's callback: a checked exception its language does not declare too
                LOG.log(System.Logger.Level.WARNING, "a permit's grant callback threw; the permit is given back", ex);
                Permit failed = handed.get(i);
                if (failed.released.compareAndSet(false, true)) {
                    permits.release(failed, false, false, granted, handed);
                }
            }
        }
    }
}
