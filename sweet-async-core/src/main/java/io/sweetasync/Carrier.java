package io.sweetasync;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-thread record of which task body a thread is running. A thread runs one body at a time;
 * bodies nest only when an {@code EXECUTOR} runtime runs an attempt on the calling thread (a
 * caller-runs executor); {@link #top} is the innermost body.
 *
 * <p>Invariants, all under this object's monitor: an interrupt for cancellation is delivered only to
 * the body at the top ({@link #interruptIfRunning}); leaving a body clears the thread's interrupt
 * status, so no interrupt meant for one body reaches the next, nor the work after it; on return to an
 * enclosing body whose task was stopped meanwhile, the thread is interrupted again ({@link #resume})
 * once that work is done, so that the stop is not lost.
 */
class Carrier {

    private static final ThreadLocal<Carrier> CURRENT = new ThreadLocal<>();
    /**
     * Carriers of the virtual threads the {@code VIRTUAL} runtime starts, one per task body: kept here
     * rather than in {@link #CURRENT} because a thread-local's first value builds the thread's whole
     * thread-local map (about 130 bytes), a third of what the rest of a short task costs.
     */
    private static final ConcurrentHashMap<Thread, Carrier> VIRTUAL = new ConcurrentHashMap<>();

    /**
     * The thread; final but for a virtual thread's carrier, which is made before its thread and given it
     * before the thread starts ({@link #ownThread}): {@code Thread.start()} publishes it to that thread,
     * and the thread publishes the carrier to others (through its task) only after that.
     */
    private Thread thread;
    /** The runtime that owns this thread if it is a pooled worker; null otherwise. */
    private final PooledRuntime pool;
    /**
     * Measured CPU and allocation of attempts that ran on this thread, running totals used to keep a
     * nested attempt's share out of its enclosing attempt. Only this thread touches them.
     */
    long nestedCpu;
    long nestedAllocated;
    /**
     * Whether this pooled worker holds one of its runtime's slots (it is inside an attempt, body or
     * completion work); only this thread touches it.
     */
    boolean holdsSlot;
    /** Innermost running body, null when idle. Guarded by this. */
    private TaskNode<?> top;

    Carrier(Thread thread, PooledRuntime pool) {
        this.thread = thread;
        this.pool = pool;
    }

    /** The current thread's carrier, created on first use. */
    static Carrier current() {
        Carrier carrier = currentOrNull();
        if (carrier == null) {
            carrier = new Carrier(Thread.currentThread(), null);
            CURRENT.set(carrier);
        }
        return carrier;
    }

    /** The current thread's carrier if it has run a body, else null. */
    static Carrier currentOrNull() {
        Thread thread = Thread.currentThread();
        if (thread.isVirtual()) {
            Carrier carrier = VIRTUAL.get(thread);
            if (carrier != null) {
                return carrier;
            }
        }
        return CURRENT.get();
    }

    /** Gives a carrier made before its thread that thread; called once, before the thread starts. */
    void ownThread(Thread newThread) {
        thread = newThread;
    }

    /**
     * Binds this carrier, made for the current virtual thread by the {@code VIRTUAL} runtime for one task
     * body; {@link #unbindVirtual} must follow in a {@code finally}.
     */
    void bindVirtual() {
        VIRTUAL.put(thread, this);
    }

    /** Ends {@link #bindVirtual}'s binding. */
    void unbindVirtual() {
        VIRTUAL.remove(thread, this);
    }

    /** Marks the current thread as a worker of {@code pool}; returns its carrier. */
    static Carrier bindWorker(PooledRuntime pool) {
        Carrier carrier = new Carrier(Thread.currentThread(), pool);
        CURRENT.set(carrier);
        return carrier;
    }

    /** The task whose body runs innermost on the current thread, or null. */
    static TaskNode<?> currentTask() {
        Carrier carrier = currentOrNull();
        return carrier == null ? null : carrier.top();
    }

    PooledRuntime pool() {
        return pool;
    }

    synchronized TaskNode<?> top() {
        return top;
    }

    /** Enters {@code node}'s body; returns the enclosing body to pass to {@link #exit}. */
    synchronized TaskNode<?> enter(TaskNode<?> node) {
        TaskNode<?> enclosing = top;
        top = node;
        return enclosing;
    }

    /** Leaves the innermost body and returns to {@code enclosing}. */
    synchronized void exit(TaskNode<?> enclosing) {
        top = enclosing;
        Thread.interrupted();
    }

    /**
     * Called once the work after a nested body is done (its completion, fallback and listeners ran
     * without any interrupt): re-interrupts the thread if the enclosing body's task was stopped meanwhile,
     * so that the stop is not lost.
     */
    synchronized void resume(TaskNode<?> enclosing) {
        if (enclosing != null && top == enclosing && enclosing.isStopRequested()) {
            thread.interrupt();
        }
    }

    /** Interrupts the thread if {@code node}'s body is the innermost one running on it. */
    synchronized void interruptIfRunning(TaskNode<?> node) {
        if (top == node) {
            thread.interrupt();
        }
    }
}
