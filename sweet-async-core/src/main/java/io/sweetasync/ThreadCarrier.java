package io.sweetasync;

import java.util.concurrent.ForkJoinPool;

/**
 * The carrier of a thread other than a {@code VIRTUAL} runtime's body: a pooled worker, a caller of a caller-runs
 * executor, any thread that ran a body; kept in a thread-local ({@link Carrier#threadCarrier}, or
 * {@link Carrier#bindWorker} for a worker). Besides the body it runs ({@link Carrier}), it holds what only such
 * threads need, so that a {@code VIRTUAL} body's carrier (one per task) carries none of it: the pool it works for,
 * the running totals of its measured attempts ({@link ResourceMeter}: a virtual thread's attempts are not measured),
 * and its runtime's bookkeeping of it (its slot, its runaway bodies, its managed block).
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>{@link #pool} is final: null on any thread but a pooled worker, which alone {@link #runsOnlyBodies}.</li>
 * <li>The measured totals ({@link #nestedCpu}, {@link #nestedAllocated}, {@link #unmeasuredCpu},
 * {@link #unmeasuredAllocated}) and {@link #holdsSlot} are written by this carrier's own thread only, plain fields;
 * the stall watch reads {@code holdsSlot} without the thread's help, either value at a change
 * ({@link StallWatch}).</li>
 * <li>{@link #stuckBodies}, {@link #blocking} and {@link #waitingOn} are guarded by its runtime's lock.</li>
 * </ul>
 */
final class ThreadCarrier extends Carrier {

    private final PooledRuntime pool;
    /**
     * Measured CPU and allocation of attempts that ran on this thread, running totals used to keep a
     * nested attempt's share out of its enclosing attempt.
     */
    long nestedCpu;
    long nestedAllocated;
    /**
     * Attempts on this thread whose CPU (allocation) could not be measured (a counter read -1): an
     * enclosing attempt that sees the count move cannot subtract their share, so it is unmeasured too.
     */
    int unmeasuredCpu;
    int unmeasuredAllocated;
    /** Whether this pooled worker holds one of its runtime's slots (inside an attempt, body or completion work). */
    boolean holdsSlot;
    /**
     * Runaway bodies on this pooled worker ({@link PooledRuntime#threadStuck}), and whether it is inside a
     * managed block ({@link PooledRuntime#block}); unlike the fields above, guarded by its runtime's lock.
     */
    int stuckBodies;
    boolean blocking;
    /**
     * The blocker of the managed block this worker waits in ({@link PooledRuntime#block}), or null; guarded by its
     * runtime's lock. A {@code SINGLE} runtime's spare reads it to leave the next task to the runtime's own thread
     * once that thread's wait is over ({@link PooledRuntime#ownThreadResuming}).
     */
    ForkJoinPool.ManagedBlocker waitingOn;

    ThreadCarrier(Thread thread, PooledRuntime pool) {
        super(thread);
        this.pool = pool;
    }

    @Override
    PooledRuntime pool() {
        return pool;
    }

    @Override
    boolean runsOnlyBodies() {
        return pool != null;
    }
}
