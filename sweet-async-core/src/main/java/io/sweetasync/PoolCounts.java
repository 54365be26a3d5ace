package io.sweetasync;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The counts of one {@link PooledRuntime} (its threads, the slots its bodies hold, its bodies waiting in a
 * managed block, its threads held by runaways) and invariant I over them: they say when the runtime must start
 * a spare thread and when a thread of it may retire. The runtime queues work and starts and ends the threads;
 * this class only counts them.
 *
 * <h2>The counts</h2>
 * <ul>
 * <li>{@link #running}: bodies that hold a slot. A thread takes a queued node only while
 * {@code running < capacity} ({@link #slotFree}); a body that starts a managed block gives its slot back
 * ({@link #waitStarted}), and takes it again when its wait ends without waiting for a free one
 * ({@link #waitEnded}: so for a moment {@code running} may exceed the capacity: a body whose wait is over never
 * waits for another body, whatever its priority).</li>
 * <li>{@link #blocked}: bodies inside a managed block; they hold a thread but no slot.</li>
 * <li>{@link #stuck}: threads held by runaway bodies (their task ended at its deadline, the body ignores the
 * interrupt), counted while they hold a slot; a thread once, however many runaways are nested on it (a
 * caller-runs executor's body inside another's: {@code ThreadCarrier.stuckBodies}). Each raises the
 * capacity by one for as long as it lasts: {@code capacity = size + stuck} ({@link #capacity}), so a body that
 * never returns costs a thread, not a slot. A runaway inside a managed block holds no slot (and its thread is
 * counted in {@code blocked}): it is counted out of {@code stuck} for the wait, else the runtime would run one
 * body too many beside it.</li>
 * <li>{@link #threads}: live worker threads, {@link #platformThreads} of them platform threads; spares beyond
 * {@code size + maxSpares} platform threads are virtual ({@link #nextIsPlatform}).</li>
 * </ul>
 *
 * <h2>Invariant I</h2>
 * {@code threads - blocked >= size + stuck} once the runtime started: every blocked or stuck thread is
 * compensated by a spare. A count that breaks it (a wait starting, a runaway, a thread dying) is followed, in
 * the same hold of the runtime's lock, by the start of a spare wherever {@link #shortOfThreads} says so; and a
 * thread retires only if {@link #mayRetire} says I holds without it, decided and counted ({@link #threadEnded})
 * in one hold, so two idle threads cannot both read a count that still includes the other. It is not asserted:
 * it breaks for good only if no spare could start (no native thread left), which the runtime logs and survives.
 * The non-negative counts are asserted.
 *
 * <h2>Thread-safety</h2>
 * None of its own: every method is called with the runtime's lock held (asserted), and so are the fields of the
 * carriers it moves ({@code blocking}, {@code stuckBodies}).
 */
final class PoolCounts {

    /** The runtime's lock, which guards every field here; kept to assert that it is held. */
    private final ReentrantLock lock;
    private final int size;
    private final int maxSpares;
    private int threads;
    private int platformThreads;
    private int running;
    private int blocked;
    private int stuck;
    private int peakBlocked;
    /** Virtual spare threads started so far (platform spares were exhausted). */
    private long virtualSpares;

    /** Counts for the runtime {@code name} of {@code size} threads and {@code maxSpares} platform spares; checks both. */
    PoolCounts(ReentrantLock lock, String name, int size, int maxSpares) {
        if (size < 1) {
            throw new IllegalArgumentException("runtime '" + name + "' needs at least 1 thread, was " + size);
        }
        if (size > TaskRuntime.MAX_PLATFORM_THREADS) {
            // All of them start at first use: refused here, naming the value, rather than fail that use.
            throw new IllegalArgumentException("runtime '" + name + "' may have at most " + TaskRuntime.MAX_PLATFORM_THREADS
                    + " threads, was " + size + " (they all start at first use; for unbounded concurrency use a virtual runtime)");
        }
        if (maxSpares < 0) {
            throw new IllegalArgumentException("runtime '" + name + "' maxSpareThreads must not be negative, was "
                    + maxSpares);
        }
        this.lock = lock;
        this.size = size;
        this.maxSpares = maxSpares;
    }

    /** The counts as a snapshot of the runtime {@code name} of {@code kind}, with {@code queued} attempts waiting. */
    RuntimeSnapshot snapshot(String name, TaskRuntime.Kind kind, int queued) {
        assert lock.isHeldByCurrentThread();
        return new RuntimeSnapshot(name, kind, size, threads, running, blocked, queued, maxSpares, peakBlocked,
                virtualSpares);
    }

    /** Live worker threads. */
    int threads() {
        assert lock.isHeldByCurrentThread();
        return threads;
    }

    /** {@code size} plus the threads runaways hold. */
    int capacity() {
        assert lock.isHeldByCurrentThread();
        return size + stuck;
    }

    /** Whether invariant I is broken: the runtime must start a thread (unless it is closed). */
    boolean shortOfThreads() {
        assert lock.isHeldByCurrentThread();
        return threads - blocked < capacity();
    }

    /**
     * Whether an idle thread, {@code virtual} or not, may retire: invariant I holds without it, and a platform
     * runtime keeps {@code size} platform threads (virtual spares go first).
     */
    boolean mayRetire(boolean virtual) {
        assert lock.isHeldByCurrentThread();
        return threads - blocked > capacity() && (virtual || platformThreads > size);
    }

    /** Whether the next thread to start is a platform thread: fewer than {@code size + maxSpares} exist. */
    boolean nextIsPlatform() {
        assert lock.isHeldByCurrentThread();
        // Subtracted, not added: size + maxSpares overflows for "unbounded" spares (Integer.MAX_VALUE).
        return platformThreads - size < maxSpares;
    }

    /** A thread, {@code platform} or virtual, is about to start. */
    void threadStarted(boolean platform) {
        assert lock.isHeldByCurrentThread();
        threads++;
        if (platform) {
            platformThreads++;
        }
        else {
            virtualSpares++;
        }
    }

    /** A thread, {@code virtual} or not, ends (or could not start); counted in the hold that decided it. */
    void threadEnded(boolean virtual) {
        assert lock.isHeldByCurrentThread();
        threads--;
        if (!virtual) {
            platformThreads--;
        }
        assert threads >= 0 && platformThreads >= 0 : "threads " + threads + ", platform " + platformThreads;
    }

    /** Whether a thread may take a queued node: fewer bodies hold a slot than the capacity. */
    boolean slotFree() {
        assert lock.isHeldByCurrentThread();
        return running < capacity();
    }

    /** A thread took a queued node: its body holds a slot. */
    void slotTaken() {
        assert lock.isHeldByCurrentThread();
        running++;
    }

    /** A thread's attempt returned: its slot is free. */
    void slotReleased() {
        assert lock.isHeldByCurrentThread();
        running--;
        assert running >= 0 : "running " + running;
    }

    /**
     * The body on {@code carrier}, holding a slot, starts a managed block: it gives the slot back, and a runaway
     * on that thread stops counting in {@code stuck} for the wait. The caller then starts a spare if
     * {@link #shortOfThreads}.
     */
    void waitStarted(ThreadCarrier carrier) {
        assert lock.isHeldByCurrentThread();
        running--;
        blocked++;
        peakBlocked = Math.max(peakBlocked, blocked);
        carrier.blocking = true;
        if (carrier.stuckBodies > 0) {
            stuck--; // a runaway waiting here holds no slot: no extra one for its thread meanwhile
        }
        assert running >= 0 && stuck >= 0 : "running " + running + ", stuck " + stuck;
    }

    /** The managed block of {@link #waitStarted} on {@code carrier} ended: the body holds a slot again at once. */
    void waitEnded(ThreadCarrier carrier) {
        assert lock.isHeldByCurrentThread();
        blocked--;
        running++;
        carrier.blocking = false;
        if (carrier.stuckBodies > 0) {
            stuck++;
        }
        assert blocked >= 0 : "blocked " + blocked;
    }

    /**
     * A body on {@code worker} becomes a runaway. A thread, not a body, is counted: runaways nested on one thread
     * hold one thread and one slot between them, and are replaced once; not while it waits in a managed block. The
     * caller then starts a spare if {@link #shortOfThreads}.
     */
    void threadStuck(ThreadCarrier worker) {
        assert lock.isHeldByCurrentThread();
        if (worker.stuckBodies++ == 0 && !worker.blocking) {
            stuck++;
        }
    }

    /** A runaway of {@link #threadStuck} on {@code worker} returned: capacity back once none is left there. */
    void threadFreed(ThreadCarrier worker) {
        assert lock.isHeldByCurrentThread();
        if (--worker.stuckBodies == 0 && !worker.blocking) {
            stuck--;
        }
        assert worker.stuckBodies >= 0 && stuck >= 0 : "stuck bodies " + worker.stuckBodies + ", stuck " + stuck;
    }
}
