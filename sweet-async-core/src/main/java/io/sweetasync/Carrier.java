package io.sweetasync;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-thread record of which task body a thread is running. A thread runs one body at a time;
 * bodies nest only when an {@code EXECUTOR} runtime runs an attempt on the calling thread (a
 * caller-runs executor); {@link #top} is the innermost body.
 *
 * <p>Invariants, all under this object's monitor: an interrupt for cancellation is delivered only to the body at the
 * top ({@link #interruptIfRunning}); leaving a body clears the thread's interrupt status (as entering one does), so
 * no interrupt meant for one body reaches the next, nor the work after it; on return to an enclosing body whose task
 * was stopped meanwhile, the thread is interrupted again ({@link #resume}) once that work is done, so that the stop
 * is not lost. An interrupt a thread had before a body entered is its owner's and set again after it (unless the
 * thread {@link #runsOnlyBodies}: then it is no one's).
 *
 * <p>Two kinds: the {@code VIRTUAL} runtime's bodies are carriers themselves, one per task body, bound in
 * {@link VirtualCarriers} (a thread-local's first value builds the thread's whole thread-local map, about
 * 130 bytes, a third of what the rest of a short task costs); any other thread's carrier is a
 * {@link ThreadCarrier} in a thread-local, with what only such threads need (their pool, the running
 * totals of measured attempts: a virtual thread's attempts are not measured).
 */
class Carrier {

    private static final ThreadLocal<ThreadCarrier> CURRENT = new ThreadLocal<>();

    /**
     * The thread; final but for a virtual thread's carrier, which is made before its thread and given it
     * before the thread starts ({@link #ownThread}): {@code Thread.start()} publishes it to that thread,
     * and the thread publishes the carrier to others (through its task) only after that.
     */
    private Thread thread;
    /** Innermost running body, null when idle. Guarded by this. */
    private TaskNode<?> top;
    /**
     * What only some threads' carriers need (the nesting, the end being run), made on first use: null on most
     * bodies' threads (each {@code VIRTUAL} body is a carrier of its own), one field instead of three on every
     * one. Written only by this carrier's own thread, under this object's monitor ({@link #marks()}): its thread
     * reads it as it wrote it, any other thread reads it under the monitor.
     */
    private Marks marks;
    /**
     * How many stops' interrupts this thread was given ({@link #interruptIfRunning}, {@link #resume}). Guarded
     * by this, as the interrupts themselves are given: {@link #beforeGuest} and {@link #afterGuest} read it with
     * the thread's interrupt status in one step.
     */
    private int stopInterrupts;
    /** See {@link #marks}. */
    private static final class Marks extends Trampoline.Drain {
        /**
         * The bodies {@link Carrier#top} is nested in, innermost last; null until a body first nests on this thread
         * (most never do). Guarded by the carrier.
         */
        ArrayList<TaskNode<?>> enclosing;
        /**
         * The task whose end (or next attempt) this thread is running user code of (its fallback, its
         * {@code onFinished} or {@code onRetrying} listeners), or null: such code runs before the task's outcome
         * completes and before it leaves its parent (an {@code onRetrying} listener: before the next attempt is
         * even scheduled), so it must not wait for a task that cannot end before this one
         * ({@link TaskNode#endsOnlyAfter}). Not the same as {@link Carrier#top}: the code does not run as if inside the
         * task (a task it starts is a new root). Read and written by the carrier's own thread only, so a plain
         * field, as is {@link #endingCallback}.
         */
        TaskNode<?> ending;
        /** What of {@link #ending}'s runs here, for messages: "the fallback", "an onFinished listener"... */
        String endingCallback;
        /**
         * The body hidden from user code the engine runs on this thread ({@link Carrier#hideTask}): while it is
         * {@link Carrier#top}, {@link Carrier#currentTask()} answers null. Read and written by the carrier's own thread
         * only. Here, not in the carrier: a field there made every {@code VIRTUAL} task's carrier 8 bytes larger, and
         * the marks are made anyway where such code runs with a body on the thread (an {@code onFinished} listener,
         * a fallback, a completion callback: {@link #ending}).
         */
        TaskNode<?> hidden;
    }

    Carrier(Thread thread) {
        this.thread = thread;
    }

    /** The current thread's carrier, created on first use. */
    static Carrier current() {
        Carrier carrier = currentOrNull();
        return carrier != null ? carrier : threadCarrier();
    }

    /** The carrier of the current thread, which is not a body of the {@code VIRTUAL} runtime; created on first use. */
    static ThreadCarrier threadCarrier() {
        ThreadCarrier carrier = CURRENT.get();
        if (carrier == null) {
            carrier = new ThreadCarrier(Thread.currentThread(), null);
            CURRENT.set(carrier);
        }
        return carrier;
    }

    /** The current thread's carrier if it has run a body, else null. */
    static Carrier currentOrNull() {
        Thread thread = Thread.currentThread();
        if (thread.isVirtual()) {
            Carrier carrier = VirtualCarriers.get(thread);
            if (carrier != null) {
                return carrier;
            }
        }
        return CURRENT.get();
    }

    Thread thread() {
        return thread;
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
        VirtualCarriers.put(this);
    }

    /** Ends {@link #bindVirtual}'s binding. */
    void unbindVirtual() {
        VirtualCarriers.remove(this);
    }

    /** Marks the current thread as a worker of {@code pool}; returns its carrier. */
    static ThreadCarrier bindWorker(PooledRuntime pool) {
        ThreadCarrier carrier = new ThreadCarrier(Thread.currentThread(), pool);
        CURRENT.set(carrier);
        return carrier;
    }

    /**
     * The task whose body runs innermost on the current thread, or null; null too in user code the engine runs on a
     * body's thread ({@link #hideTask}): what {@link TaskContext#current()} gives, and the implicit parent of a task
     * started there.
     */
    static TaskNode<?> currentTask() {
        Carrier carrier = currentOrNull();
        if (carrier == null) {
            return null;
        }
        TaskNode<?> top = carrier.top();
        Marks mine = top == null ? null : carrier.marks;
        return mine != null && mine.hidden == top ? null : top;
    }

    /**
     * Called before user code the engine runs on the current thread that is no part of the body running there (a
     * listener, a fallback, a completion callback, maybe of another task ending on this body's thread): that body is
     * hidden from it, so it sees no {@link TaskContext} and a task it starts is a root, wherever it runs (a body the
     * code itself runs nested, on a caller-runs executor, is seen). Returns what to pass to {@link #showTask}.
     */
    static TaskNode<?> hideTask() {
        Carrier carrier = currentOrNull();
        if (carrier == null) {
            return null;
        }
        TaskNode<?> top = carrier.top();
        Marks mine = carrier.marks;
        if (top == null && (mine == null || mine.hidden == null)) {
            return null; // no body here, none hidden: nothing to change (and no marks to make)
        }
        mine = carrier.marks();
        TaskNode<?> before = mine.hidden;
        mine.hidden = top;
        return before;
    }

    /** Ends what {@link #hideTask} began, given what it returned. */
    static void showTask(TaskNode<?> before) {
        Carrier carrier = currentOrNull();
        Marks mine = carrier == null ? null : carrier.marks;
        if (mine != null) {
            mine.hidden = before;
        }
    }

    /**
     * Read just before user code the engine runs on the current thread (listeners, a fallback, propagators), to
     * pass to {@link #afterGuest} once it returned: whether the thread is interrupted, and how many stops'
     * interrupts it was given so far.
     */
    static long beforeGuest() {
        Carrier here = currentOrNull();
        if (here == null) {
            return Thread.currentThread().isInterrupted() ? 1 : 0;
        }
        synchronized (here) { // a stop's interrupt is given whole or not at all: counted exactly when it can be seen
            long given = (long) here.stopInterrupts << 1;
            return Thread.currentThread().isInterrupted() ? given | 1 : given;
        }
    }

    /**
     * Called after user code the engine ran on the current thread, with what {@link #beforeGuest} read before it:
     * when the thread runs a task's body, that code changes nothing of the body's interrupt status, but that a
     * stop's interrupt given meanwhile is kept. An interrupt the code left is cleared: it is no stop, and the body
     * would take it for one (its next blocking call failing). One the code took without restoring it (a stop's
     * interrupt it caught and wrapped, or one the thread had before) is set again: else a cancelled body would
     * wait on as if never cancelled. Cleared first and the count read after, so a stop's interrupt given
     * meanwhile is either counted or still set. On a thread that runs no body (a user's, a timer's) the
     * interrupt status is its owner's, left as it is. The name, context class loader and priority the code changed
     * are given back beside this, on any thread ({@link ThreadState#restoreAfterGuest}).
     */
    static void afterGuest(long before) {
        Carrier here = currentOrNull();
        if (here == null || here.top() == null) {
            return;
        }
        Thread thread = Thread.currentThread();
        boolean interruptedBefore = (before & 1) != 0;
        if (!interruptedBefore) {
            Thread.interrupted();
        }
        synchronized (here) {
            // a count moved by a nested body the code ran (a caller-runs executor) is no stop of this body's task
            boolean stoppedMeanwhile = here.stopInterrupts != (int) (before >>> 1) && here.top.isStopRequested();
            if ((interruptedBefore || stoppedMeanwhile) && !thread.isInterrupted()) {
                thread.interrupt();
            }
        }
    }

    /** The runtime that owns this thread if it is a pooled worker; null otherwise. */
    PooledRuntime pool() {
        return null;
    }

    /**
     * Whether this thread is the engine's, running bodies only (a {@code VIRTUAL} runtime's body thread, a pooled
     * worker): its interrupt status between bodies is no one's. A thread that is not (a caller's, a user
     * executor's) has an owner whose interrupt status a body it runs leaves as it found it.
     */
    boolean runsOnlyBodies() {
        return true;
    }

    synchronized TaskNode<?> top() {
        return top;
    }

    /** This carrier's {@link Marks}, made on first use; called by its own thread only. */
    private synchronized Marks marks() {
        if (marks == null) {
            marks = new Marks();
        }
        return marks;
    }

    /**
     * The task whose end this thread runs user code of, or null; see {@link Marks#ending}. Called by this
     * carrier's own thread only, as are {@link #endingCallback()} and {@link #markEnding}.
     */
    TaskNode<?> ending() {
        Marks mine = marks;
        return mine == null ? null : mine.ending;
    }

    /** What of {@link #ending()}'s runs here, for messages; see {@link Marks#endingCallback}. */
    String endingCallback() {
        Marks mine = marks;
        return mine == null ? null : mine.endingCallback;
    }

    /**
     * The {@link Trampoline} drain state of this {@code VIRTUAL} body's thread (its marks: a thread-local would build
     * the thread's whole map), made if {@code make}, else null if not made yet; called by its own thread only.
     */
    Trampoline.Drain drainState(boolean make) {
        return make ? marks() : marks;
    }

    /** Marks this thread as running user code {@code what} of {@code task}'s end; null, null to unmark. */
    void markEnding(TaskNode<?> task, String what) {
        Marks mine = marks;
        if (mine == null) {
            if (task == null) {
                return; // nothing marked, nothing to clear
            }
            mine = marks();
        }
        mine.ending = task;
        mine.endingCallback = what;
    }

    /**
     * Enters {@code node}'s body; returns the enclosing body to pass to {@link #exit}. Clears the thread's interrupt
     * status in the same step: what was pending is no stop of {@code node} (one left between bodies is no one's, an
     * owner's or an enclosing body's is set again after, see {@link TaskAttempts#runAttempt()}), and must not reach
     * the user code that runs before the body either ({@code onStarted} listeners); a stop of {@code node} can only
     * be given after this, once it is {@link #top}.
     */
    synchronized TaskNode<?> enter(TaskNode<?> node) {
        TaskNode<?> outer = top;
        if (outer != null) {
            Marks mine = marks();
            if (mine.enclosing == null) {
                mine.enclosing = new ArrayList<>(2);
            }
            mine.enclosing.add(outer);
        }
        top = node;
        Thread.interrupted();
        return outer;
    }

    /** Leaves the innermost body and returns to {@code outer}, the one {@link #enter} returned. */
    synchronized void exit(TaskNode<?> outer) {
        if (outer != null) {
            marks.enclosing.removeLast();
        }
        top = outer;
        Thread.interrupted();
    }

    /**
     * The innermost of the bodies {@link #top} runs nested in that is {@code task}'s or one of its descendants';
     * null if none (or nothing is nested here).
     */
    synchronized TaskNode<?> enclosingWithin(TaskNode<?> task) {
        ArrayList<TaskNode<?>> enclosing = marks == null ? null : marks.enclosing;
        if (enclosing == null) {
            return null;
        }
        for (int i = enclosing.size() - 1; i >= 0; i--) {
            TaskNode<?> body = enclosing.get(i);
            if (body.isSelfOrDescendantOf(task)) {
                return body;
            }
        }
        return null;
    }

    /**
     * The bodies the innermost one is nested in (a caller-runs executor ran it on their thread), innermost first;
     * empty if it is not nested. They wait while it runs: a wait of the innermost is theirs too.
     */
    synchronized List<TaskNode<?>> enclosingBodies() {
        ArrayList<TaskNode<?>> enclosing = marks == null ? null : marks.enclosing;
        return enclosing == null || enclosing.isEmpty() ? List.of() : List.copyOf(enclosing.reversed());
    }

    /**
     * Called once the work after a nested body is done (its completion, fallback and listeners ran
     * without any interrupt): re-interrupts the thread if the enclosing body's task was stopped meanwhile,
     * so that the stop is not lost.
     */
    synchronized void resume(TaskNode<?> enclosing) {
        if (enclosing != null && top == enclosing && enclosing.isStopRequested()) {
            thread.interrupt();
            stopInterrupts++;
        }
    }

    /** Interrupts the thread if {@code node}'s body is the innermost one running on it. */
    synchronized void interruptIfRunning(TaskNode<?> node) {
        if (top == node) {
            thread.interrupt();
            stopInterrupts++;
        }
    }
}
